// Preloaded (`node --import ./bench/rss-on-exit.mjs …`) by bench/stream-memory.mjs: when the process exits, writes its
// peak resident set size and heap limit as JSON to the file named by WASM_EM_RSS_FILE.
import { writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

const file = process.env.WASM_EM_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapLimitBytes: getHeapStatistics().heap_size_limit,
    }));
  });
}
