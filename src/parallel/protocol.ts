/**
 * Messages between a `fitAsync` pool (main thread) and its workers (`worker.ts`).
 *
 * A worker announces itself with `ready`; it then receives its rows once (`bind`) and answers `bound`. Per EM
 * iteration it receives the kernel parameters (`accumulate`) and answers one `block` message per block it owns, each
 * with that block's statistics (transferred), and `error` when anything throws.
 */
import type { KernelParams } from '../backend/kernel.js';

/** Hook for tests: make the worker fail at its first `accumulate` by throwing (`'throw'`) or exiting (`'exit'`). */
export type WorkerFault = 'throw' | 'exit' | null;

/** Main thread → worker: the rows of whole blocks `[firstBlock, …)`, copied or transferred, and the backend. */
export interface BindMessage {
  readonly type: 'bind';
  readonly backend: 'wasm' | 'js';
  /** The worker's rows, row-major (n×d). */
  readonly X: Float64Array | Float32Array;
  /** Their weights (length n), or null for unit weights. */
  readonly weights: Float64Array | null;
  readonly n: number;
  readonly d: number;
  /** Global index of the worker's first block. */
  readonly firstBlock: number;
  /** The owner's `preferRelaxedSimd` choice (`relaxedSimdChoice`), applied before the worker loads the kernels. */
  readonly relaxedSimd: boolean;
  readonly fault: WorkerFault;
}

/** Main thread → worker: accumulate the statistics of every owned block under these parameters. */
export interface AccumulateMessage {
  readonly type: 'accumulate';
  readonly params: KernelParams;
}

/** Every message a worker receives. */
export type ToWorker = BindMessage | AccumulateMessage;

/** Worker → main thread. `block` carries the statistics of global block `block`, of `rows` rows. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'bound' }
  | { readonly type: 'block'; readonly block: number; readonly rows: number; readonly stats: Float64Array }
  | { readonly type: 'error'; readonly message: string };
