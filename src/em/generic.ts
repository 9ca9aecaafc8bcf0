/**
 * The EM loop for models that compute their own E-step: hidden Markov models (forward–backward over sequences), the
 * user-defined models of `em()`, and any family whose statistics are not the block sums of `driver.ts`.
 *
 * Same rules as `driver.ts` (scikit-learn `BaseMixture.fit`): each restart runs EM from its own start until the
 * monitored log-likelihood changes by less than `tol` (absolute) or `maxIter` iterations; the restart with the
 * highest final log-likelihood wins, the earliest on a tie within rounding (`isBetterLowerBound`); a restart that
 * throws a recoverable error is skipped, and if all do the last error is rethrown. The loop is written once as a
 * generator that yields between iterations (and within starts and E-steps that the model gives as resumable
 * computations), so that `runEm` (synchronous) and `runEmAsync` (which returns to the event loop every few
 * milliseconds, so that a timer or a button can abort it) run the same steps.
 */
import { AbortError } from '../errors.js';
import { runSliced, runToEnd, throwIfAborted, type Resumable } from '../parallel/abort.js';
import { emLoop, isBetterLowerBound, type EmRunResult, type IterationInfo } from './driver.js';
import { Rng } from '../rng.js';

/** What an E-step returns: the statistics for the M-step and the log-likelihood that convergence watches. */
export interface EStepResult<S> {
  /** Sufficient statistics of all the data under the parameters given to `eStep`. */
  readonly stats: S;
  /**
   * The log-likelihood of the data under those parameters, in the unit the model monitors: the mean per sample for
   * mixtures (scikit-learn), the total over all sequences for hidden Markov models (hmmlearn).
   */
  readonly logLikelihood: number;
}

/** A model as the generic loop sees it: starting values, an E-step and an M-step. */
export interface GenericEmModel<P, S> {
  /** Starting parameters of restart `init` (0-based), drawing any randomness from `rng` (one stream for the fit). */
  init(rng: Rng, init: number): P;
  /** The E-step over all the data under `params`. */
  eStep(params: P): EStepResult<S>;
  /** The M-step: new parameters from the statistics of an E-step under `params`. */
  maximize(stats: S, params: P): P;
  /**
   * `init` as a resumable computation (a generator that yields every few milliseconds of work and returns what `init`
   * returns), used in its place when given, so that `runEmAsync` sees an abort within a long start (k-means on many
   * rows). The same draws from `rng`, so the same start.
   */
  initSteps?(rng: Rng, init: number): Resumable<P>;
  /** `eStep` as a resumable computation (e.g. yielding after each sequence), used in its place when given. */
  eStepSteps?(params: P): Resumable<EStepResult<S>>;
}

/** Options of the generic loop (validated by the caller). */
export interface GenericEmOptions {
  /** Restarts, ≥ 1. */
  readonly nInit: number;
  /** Iterations per restart, ≥ 1. */
  readonly maxIter: number;
  /** Convergence threshold on the absolute change of the monitored log-likelihood, ≥ 0. */
  readonly tol: number;
  /** Seed of the random stream passed to `init`. */
  readonly seed: number;
  /** Called after every iteration (candidate is always 0). */
  readonly onIteration?: ((info: IterationInfo) => void) | undefined;
  /** Called when the log-likelihood decreases by more than rounding (a numerical problem, or a non-EM M-step). */
  readonly onWarning?: ((message: string) => void) | undefined;
  /** Checked before every E-step: once aborted, the loop throws `AbortError` and no result is returned. */
  readonly signal?: AbortSignal | undefined;
  /** Errors after which a restart is skipped rather than the whole fit failing (default: none). */
  readonly isRecoverable?: ((e: unknown) => boolean) | undefined;
}

/** The winning restart. */
export interface GenericEmResult<P> extends EmRunResult<P> {
  /** Index of the winning restart, 0-based. */
  readonly init: number;
}

/** One restart: EM from `start` until convergence or `maxIter` (`emLoop`); yields before every E-step. */
function runOnce<P, S>(
  model: GenericEmModel<P, S>, start: P, init: number, options: GenericEmOptions,
): Generator<void, EmRunResult<P>, void> {
  return emLoop<P, S, void, void>({
    *eStep(params, iter) {
      yield;
      throwIfAborted(options.signal);
      const { stats, logLikelihood } = model.eStepSteps !== undefined ? yield* model.eStepSteps(params) : model.eStep(params);
      if (Number.isNaN(logLikelihood)) {
        throw new Error(`the E-step returned a log-likelihood of NaN at iteration ${iter} (restart ${init})`);
      }
      return { stats, objective: logLikelihood };
    },
    maximize: (stats, params) => model.maximize(stats, params),
    objectiveName: 'log-likelihood',
  }, start, { maxIter: options.maxIter, tol: options.tol, init, onIteration: options.onIteration, onWarning: options.onWarning });
}

/** All restarts, keeping the best; yields before every E-step. */
function* runAll<P, S>(model: GenericEmModel<P, S>, options: GenericEmOptions): Generator<void, GenericEmResult<P>, void> {
  const rng = new Rng(options.seed);
  const recoverable = options.isRecoverable ?? (() => false);
  let best: GenericEmResult<P> | null = null;
  let lastError: unknown = null;
  for (let init = 0; init < options.nInit; init++) {
    try {
      const start = model.initSteps !== undefined ? yield* model.initSteps(rng, init) : model.init(rng, init);
      const run = yield* runOnce(model, start, init, options);
      if (best === null || isBetterLowerBound(run.lowerBound, best.lowerBound)) best = { ...run, init };
    } catch (e) {
      if (options.signal?.aborted || e instanceof AbortError || !recoverable(e)) throw e;
      lastError = e;
    }
  }
  if (best === null) throw lastError;
  return best;
}

/** Runs EM on `model` on the calling thread and returns the best restart. Throws `AbortError` if `signal` aborts. */
export function runEm<P, S>(model: GenericEmModel<P, S>, options: GenericEmOptions): GenericEmResult<P> {
  return runToEnd(runAll(model, options));
}

/**
 * `runEm`, returning to the event loop whenever `sliceMs` milliseconds have passed at one of the loop's yields (between
 * iterations, and within the model's resumable starts and E-steps), so that an abort from a timer, a UI event or a
 * message stops the fit there. Rejects with the signal's reason, or `AbortError`, then.
 */
export function runEmAsync<P, S>(
  model: GenericEmModel<P, S>, options: GenericEmOptions, sliceMs = 16,
): Promise<GenericEmResult<P>> {
  return runSliced(runAll(model, options), options.signal, sliceMs);
}
