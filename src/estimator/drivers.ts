/**
 * The drivers every mixture estimator fits with: one prepared fit (`PreparedRun`: the rows, their weights, the
 * backend, and the EM steps with their starts) answered in memory (`fitInMemory`) or on a pool of workers
 * (`fitOnPool`). A model class only prepares its fit (validation, family, starts) and keeps the result; the order of
 * what a fit checks (an aborted signal first, then the options, then the data) and the lifetime of the engine (one
 * bound copy of the rows per fit, disposed whatever the outcome) are decided here, once.
 */
import type { Backend } from '../backend/kernel.js';
import { initWasm, wasmAvailable } from '../backend/wasm/index.js';
import { runSteps, type EmRunResult, type EmSteps } from '../em/driver.js';
import type { ProgressInfo } from '../em/progress.js';
import type { DataInput } from '../matrix.js';
import { MissingBound } from '../missing/bound.js';
import { throwIfAborted, throwIfAbortedFirst } from '../parallel/abort.js';
import { signalOption, workersOption } from '../parallel/options.js';
import { runStepsOnPool } from '../parallel/run.js';
import { snapshotData, snapshotOptions } from '../parallel/snapshot.js';
import type { PrefetchedStarts } from '../parallel/starts.js';
import { callbackOption, checkKeys } from '../options.js';

/** A validated fit, ready to be driven: what every driver needs of a model's `prepareFit`. */
export interface PreparedRun<P> {
  /** The n×d rows EM runs on, row-major (float64, or centred float32). */
  readonly rows: Float64Array | Float32Array;
  readonly n: number;
  readonly d: number;
  /** Row weights, or null for unit weights. */
  readonly weights: Float64Array | null;
  readonly backend: Backend;
  /** Whether some entry is missing (NaN): the statistics then come from the observed blocks (`MissingBound`). */
  readonly incomplete: boolean;
  /** The EM steps: restarts and candidate starts, each asking for the statistics of all rows under θ. */
  readonly steps: EmSteps<EmRunResult<P>>;
  /** The starts the steps take, which a pool computes ahead while the workers load. */
  readonly starts: PrefetchedStarts<P>;
  /** The caller's progress callback: the E-step's reports come from the driver, the M-step's from the steps. */
  readonly onProgress?: (info: ProgressInfo) => void;
}

/**
 * Drives a prepared fit on this thread: the rows bound once into the backend (one engine for all restarts and
 * iterations), disposed at the end whatever the outcome.
 */
export function fitInMemory<P>(run: PreparedRun<P>): EmRunResult<P> {
  const bound = run.incomplete ? new MissingBound(run.backend, run.rows, run.n, run.d, run.weights)
    : run.backend.bind(run.rows, run.n, run.d, run.weights);
  try {
    return runSteps(run.steps, bound, run.onProgress);
  } finally {
    bound.dispose();
  }
}

/** The options every asynchronous fit takes besides the model's own: the pool's size and an abort signal. */
export interface PoolFitOptions {
  workers?: number | 'auto';
  signal?: AbortSignal;
  onProgress?: (info: ProgressInfo) => void;
}

/**
 * Drives a fit on a pool of workers created for the call: an aborted signal rejects with `AbortError` before anything
 * else (bad options or data included); the data and array options are copied before the first await (a change to
 * the caller's arrays while the fit runs does not reach the model); the WebAssembly module is compiled when it is
 * wanted; then `prepare` validates and sets up the fit exactly as `fit` does, and the block statistics, summed in
 * block order, give `fit`'s model for any number of workers.
 * @param keys the option names the model's `fitAsync` accepts (an unknown one is an `InputError`)
 * @param usesWasm whether the model's backend option may pick the wasm backend
 */
export async function fitOnPool<R extends PreparedRun<unknown>>(
  X: DataInput, options: PoolFitOptions, keys: readonly string[], usesWasm: boolean,
  prepare: (X: DataInput, options: PoolFitOptions) => R,
): Promise<{ best: RunResultOf<R>; run: R }> {
  throwIfAbortedFirst(options);
  const o = checkKeys(options, keys, 'options');
  const workers = workersOption(o.workers);
  const signal = signalOption(o.signal);
  callbackOption<PoolFitOptions['onProgress']>(o.onProgress, 'options.onProgress');
  throwIfAborted(signal);
  // Where the module compiles synchronously (Node, workers) the fit is validated before it; a browser's main thread
  // compiles it only asynchronously, and a failure then surfaces as it does in `fit`.
  const data = snapshotData(X) as DataInput;
  const fitOptions = snapshotOptions(options) as PoolFitOptions;
  if (usesWasm && !wasmAvailable()) await initWasm().catch(() => undefined);
  const run = prepare(data, fitOptions);
  const best = await runStepsOnPool(run.steps, {
    X: run.rows, n: run.n, d: run.d, weights: run.weights, backend: run.backend.name,
    workers, signal, onProgress: run.onProgress, beforeStep: () => run.starts.prefetch(signal),
  });
  return { best: best as RunResultOf<R>, run };
}

/** The result of the EM steps of a prepared fit. */
export type RunResultOf<R> = R extends PreparedRun<infer P> ? EmRunResult<P> : never;
