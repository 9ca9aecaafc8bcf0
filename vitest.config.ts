import { configDefaults, defineConfig } from 'vitest/config';

// `npm test`: every suite except the browser tests, which `npm run test:browser` runs (vitest.browser.config.ts).
export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, 'test/browser/**'],
  },
});
