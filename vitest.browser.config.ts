import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the demo page in Debian's Chromium through playwright-core (test/browser/). One browser per
// file; files run one after another so that the timed fits do not share the cores with another browser.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
