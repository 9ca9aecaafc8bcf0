/**
 * The bundles of `npm run build` (dist/): the library for Node as ESM and CJS (with their types), the library for
 * browsers (the `browser` export condition), the CLI, and the worker script that `fitAsync` starts.
 */
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

/**
 * For the browser bundle: every Node built-in (`node:fs`, `worker_threads` …) resolves to a module that throws when it
 * is loaded. The library imports them dynamically, in Node-only branches, so a page never loads one; and the bundle
 * holds no import a browser bundler (esbuild, Vite, webpack) would have to resolve or polyfill.
 */
const nodeBuiltinsStubbed: Plugin = {
  name: 'node-builtins-stubbed',
  setup(build) {
    const builtin = /^(node:.*|fs|fs\/promises|path|url|os|worker_threads|stream|util|child_process)$/;
    build.onResolve({ filter: builtin }, (args) => ({ path: args.path, namespace: 'node-only' }));
    build.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`wasm-em: ${args.path} is for Node only; this code path (a file ` +
        'path, worker threads) is not available in a browser')});\nexport {};\n`,
      loader: 'js',
    }));
  },
};

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    clean: true,
    target: 'es2022',
    sourcemap: false,
    splitting: false,
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['cjs'],
    dts: true,
    clean: false,
    target: 'es2022',
    sourcemap: false,
    splitting: false,
    define: { 'import.meta.url': 'undefined' },
  },
  {
    entry: { 'index.browser': 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    removeNodeProtocol: false,
    esbuildPlugins: [nodeBuiltinsStubbed],
    dts: false,
    clean: false,
    target: 'es2022',
    sourcemap: false,
    splitting: false,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    dts: false,
    sourcemap: false,
    clean: false,
  },
  {
    entry: { worker: 'src/parallel/worker.ts' },
    format: ['esm'],
    target: 'es2022',
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: false,
  },
]);
