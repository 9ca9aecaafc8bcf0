/** Backend selection: `'auto'` picks the WASM SIMD kernels when they can run here, else the plain-TS twins. */
import type { Backend } from './kernel.js';
import { jsBackend } from './js/index.js';
import { wasmAvailable, wasmBackend } from './wasm/index.js';

/** Backend names accepted by the `backend` option. */
export type BackendName = 'auto' | 'wasm' | 'js';

/** All backend option values. */
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'wasm', 'js'];

/**
 * The backend for an option value. `'wasm'` throws `WasmUnavailableError` when WebAssembly SIMD cannot run;
 * `'auto'` falls back to `'js'` then.
 */
export function resolveBackend(name: BackendName): Backend {
  switch (name) {
    case 'js':
      return jsBackend;
    case 'wasm':
      return wasmBackend();
    case 'auto':
      return wasmAvailable() ? wasmBackend() : jsBackend;
    default: {
      const never: never = name;
      throw new Error(`unknown backend ${String(never)}`);
    }
  }
}
