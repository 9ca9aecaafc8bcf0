/** Backend selection: `'auto'` picks the WASM SIMD kernels when they can run here, else the plain-TS twins. */
import type { Backend } from './kernel.js';
import { jsBackend } from './js/index.js';
import { InputError } from '../errors.js';
import { WASM_MAX_PAGES, WASM_PAGE_BYTES } from './wasm/memory.js';
import { wasmAvailable, wasmBackend, wasmProblemBytes, type ProblemSize } from './wasm/index.js';

export type { ProblemSize };

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

/**
 * WebAssembly memory a problem may take: wasm32's 4 GiB less 64 MiB for the module's static data, the arena's
 * alignment and its growth slack.
 */
export const WASM_PROBLEM_LIMIT_BYTES = WASM_MAX_PAGES * WASM_PAGE_BYTES - 64 * 2 ** 20;

/**
 * `resolveBackend` for a problem of a known size, checked before anything is allocated: when the wasm backend would
 * need more WebAssembly memory than wasm32 can address (`wasmProblemBytes` over `WASM_PROBLEM_LIMIT_BYTES`, e.g. a
 * categorical one-hot encoding of millions of columns, whose kernel scratch holds 64 rows of it), `'auto'` runs on
 * the js backend and says so through `onWarning`, and `'wasm'` is an `InputError` naming `options.backend`.
 */
export function resolveBackendFor(
  name: BackendName, size: ProblemSize, onWarning?: ((message: string) => void) | undefined,
): Backend {
  if (name === 'js') return jsBackend;
  const bytes = wasmProblemBytes(size);
  if (bytes <= WASM_PROBLEM_LIMIT_BYTES) return resolveBackend(name);
  const need = `${(bytes / 2 ** 30).toFixed(1)} GiB of WebAssembly memory ` +
    `(n = ${size.n}, ${size.d} columns, k = ${size.k})`;
  if (name === 'wasm') {
    throw new InputError('options.backend', "a backend that can hold the problem: 'wasm' addresses at most 4 GiB",
      `'wasm' for a problem that needs ${need}`,
      "Use backend: 'js' or 'auto', fewer features or components, or a diagonal covariance");
  }
  onWarning?.(`the wasm backend would need ${need}, more than wasm32 addresses; fitting on the js backend`);
  return jsBackend;
}
