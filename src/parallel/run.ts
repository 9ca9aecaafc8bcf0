/** `fitAsync`'s driver: answers the statistics requests of the EM steps with a worker pool, abortably. */
import { eStepProgress, type EmSteps } from '../em/driver.js';
import type { ProgressInfo } from '../em/progress.js';
import { abortError, throwIfAborted } from './abort.js';
import { availableCores } from './platform.js';
import { WorkerPool, blockCount, type PoolData } from './pool.js';

export type { ProgressInfo } from '../em/progress.js';

/** How to run on the pool. */
export interface PoolRunOptions extends PoolData {
  /** Number of workers, or `'auto'` for one per available core; never more than the blocks of rows. */
  readonly workers: number | 'auto';
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((info: ProgressInfo) => void) | undefined;
  /**
   * Work of this thread for the next step (computing the start it will ask for, in slices), run while the workers
   * start and while they compute each iteration's statistics; awaited before every step.
   */
  readonly beforeStep?: (() => Promise<void>) | undefined;
}

/**
 * Drives `steps` to their result with a pool created for the call and closed at its end, whatever the outcome.
 * Rejects with the signal's reason (`abortError`) as soon as `signal` aborts (the workers are terminated, not awaited to finish a block),
 * and with `WorkerError` when a worker fails.
 */
export async function runStepsOnPool<R>(steps: EmSteps<R>, options: PoolRunOptions): Promise<R> {
  const { signal, onProgress, n } = options;
  const beforeStep = options.beforeStep ?? (() => Promise.resolve());
  throwIfAborted(signal);
  const wanted = options.workers === 'auto' ? await availableCores() : options.workers;
  const pool = new WorkerPool(options, Math.min(wanted, blockCount(n)));
  const abort = (): void => pool.fail(abortError(signal!));
  signal?.addEventListener('abort', abort, { once: true });
  try {
    throwIfAborted(signal);
    await Promise.all([pool.start(), beforeStep()]);
    throwIfAborted(signal);
    let step = steps.next(undefined as unknown as Float64Array);
    while (!step.done) {
      const request = step.value;
      let rowsDone = 0;
      const onBlock = onProgress === undefined ? undefined : (rows: number) => {
        rowsDone += rows;
        onProgress(eStepProgress(request, rowsDone, n));
      };
      const [stats] = await Promise.all([pool.accumulate(request.params, onBlock), beforeStep()]);
      throwIfAborted(signal);
      step = steps.next(stats);
    }
    return step.value;
  } finally {
    signal?.removeEventListener('abort', abort);
    await pool.close();
  }
}
