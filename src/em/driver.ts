/**
 * The EM loop (DESIGN.md, "The loop"): accumulate statistics block by block with the backend kernel, maximize, and
 * stop when the per-sample mean log-likelihood changes by less than `tol` (scikit-learn `BaseMixture.fit_predict`).
 *
 * The loop is written once, as generators (`emSteps`, `bestStartSteps`, `bestRestartSteps`) that yield a
 * `StatsRequest` — "the statistics of all rows under these parameters" — and receive the statistics. `runSteps`
 * answers them on the calling thread with a bound backend (`fit`); the worker pool answers them asynchronously
 * (`fitAsync`, `src/parallel/`). Both sum per-block statistics in block order, so they give the same model.
 */
import { statsLength, type BoundData, type KernelParams } from '../backend/kernel.js';
import type { MStepProgress, ProgressInfo } from './progress.js';

/**
 * Rows per statistics block. Statistics are summed per block and the block sums added in block order, so the result
 * does not depend on how blocks are spread over threads or calls.
 */
export const BLOCK_ROWS = 4096;

/** What the driver needs from a model family. */
export interface EmFamily<P> {
  /** Length of the statistics array. */
  readonly statsLength: number;
  /** Parameters in the kernels' form. */
  kernelParams(params: P): KernelParams;
  /**
   * The M-step: new parameters from the statistics accumulated under `params`. A long M-step calls `onPart` as it
   * goes (`done` parts of `of`: the components of a wide full covariance), for progress reports.
   */
  maximize(stats: Float64Array, params: P, onPart?: (done: number, of: number) => void): P;
  /**
   * The number of degenerate components of `params` (`src/families/gaussian-degenerate.ts`), computed at the end of every run:
   * runs without any are preferred whatever their likelihood (`isBetterRun`). Absent: no run is degenerate.
   */
  degenerate?(params: P): number;
  /**
   * The log density of a prior on the parameters (`src/families/gaussian-prior.ts`), when the family has one: EM then
   * maximizes the log posterior, and the objective it monitors, reports and ranks runs by (`lowerBound`, `history`,
   * `IterationInfo.logLikelihood`) is the per-sample mean log posterior `(Σ_i w_i log p(x_i) + logPrior(θ)) / Σ_i w_i`
   * at the parameters of the E-step. Absent: the plain per-sample mean log-likelihood.
   */
  logPrior?(params: P): number;
  /**
   * False when the M-step is not known to maximize the objective (an M-step reproduced from another package that is
   * not the exact maximizer): EM may then lower the objective a little, which is not warned of [true].
   */
  readonly monotone?: boolean;
}

/** Progress of one EM iteration. */
export interface IterationInfo {
  /** Restart index, 0-based. */
  readonly init: number;
  /** Candidate start within the restart (short runs, see `bestStartSteps`), 0-based; 0 without short runs. */
  readonly candidate: number;
  /** Iteration number, 1-based. */
  readonly iter: number;
  /**
   * Per-sample mean log-likelihood of the parameters before this iteration's M-step (with a prior, the log posterior:
   * `EmFamily.logPrior`).
   */
  readonly logLikelihood: number;
  /** Change from the previous iteration (`Infinity` on the first, except from the fitted lower bound of a warm start). */
  readonly change: number;
}

/** Options of one EM run. */
export interface EmRunOptions {
  readonly maxIter: number;
  readonly tol: number;
  readonly init: number;
  /** Candidate index reported in `IterationInfo` [0]. */
  readonly candidate?: number;
  readonly onIteration?: ((info: IterationInfo) => void) | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
  /** Called as a long M-step goes (see `EmFamily.maximize`), with the request whose statistics it maximizes. */
  readonly onMStep?: ((at: StatsRequest, mStep: MStepProgress) => void) | undefined;
  /**
   * The lower bound the first iteration is compared with [−∞]: a warm start passes the fitted model's, so that a fit
   * that no longer moves it converges at once (scikit-learn's `lower_bound_` carried over when `warm_start`).
   */
  readonly previousLowerBound?: number;
}

/** The outcome of one EM run. */
export interface EmRunResult<P> {
  /** Parameters after the last M-step. */
  readonly params: P;
  /** Per-sample mean log-likelihood from the last E-step (scikit-learn's `lower_bound_`). */
  readonly lowerBound: number;
  readonly nIter: number;
  readonly converged: boolean;
  /** Per-sample mean log-likelihood at every iteration. */
  readonly history: number[];
  /** Number of degenerate components of `params` (`EmFamily.degenerate`; 0 when the family does not tell). */
  readonly degenerate: number;
}

/**
 * Sums the statistics of all rows of `bound` under the parameters last set on it, in blocks of `BLOCK_ROWS` rows.
 * @param out the array to fill (zeroed first), of the family's statistics length
 * @param onBlock called after each block with the rows done so far
 */
export function accumulateAll(bound: BoundData, out: Float64Array, onBlock?: (rowsDone: number) => void): Float64Array {
  out.fill(0);
  const block = new Float64Array(out.length);
  for (let start = 0; start < bound.n; start += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, bound.n - start);
    block.fill(0);
    bound.accumulate(start, rows, block);
    addInto(out, block);
    onBlock?.(start + rows);
  }
  return out;
}

/** `out += block`, entry by entry: the one way block statistics are combined, so every driver sums alike. */
export function addInto(out: Float64Array, block: Float64Array): void {
  for (let p = 0; p < out.length; p++) out[p] += block[p];
}

/** Where a run stands when it asks for statistics (for progress reports). */
export interface StatsRequest {
  /** Parameters under which to accumulate the statistics of all rows. */
  readonly params: KernelParams;
  /** Restart index, 0-based. */
  readonly init: number;
  /** Candidate start within the restart, 0-based. */
  readonly candidate: number;
  /** The iteration these statistics serve, 1-based (0: the one E-step of a run with `maxIter` 0). */
  readonly iter: number;
  /** Per-sample mean log-likelihood of the previous iteration of this run (`-Infinity` before the first). */
  readonly logLikelihood: number;
}

/**
 * EM as a generator: yields a `StatsRequest` whenever it needs the statistics of all rows (summed over blocks in
 * block order, layout of `backend/kernel.ts`) and expects them back from `next`; returns its result. The statistics
 * array passed in is read before the next yield and never kept, so a driver may reuse it.
 */
export type EmSteps<R> = Generator<StatsRequest, R, Float64Array>;

/**
 * Answers the requests of `steps` with `bound` on the calling thread (`accumulateAll`) and returns its result.
 * @param onProgress called after each block of rows of each request (phase `'em'`)
 */
export function runSteps<R>(steps: EmSteps<R>, bound: BoundData, onProgress?: (info: ProgressInfo) => void): R {
  let stats: Float64Array | null = null;
  let step = steps.next(undefined as unknown as Float64Array);
  while (!step.done) {
    const request = step.value;
    const { params } = request;
    const length = statsLength(params.shape, params.d, params.k);
    if (stats === null || stats.length !== length) stats = new Float64Array(length);
    bound.setParams(params);
    const onBlock = onProgress === undefined ? undefined
      : (rowsDone: number) => onProgress(eStepProgress(request, rowsDone, bound.n));
    step = steps.next(accumulateAll(bound, stats, onBlock));
  }
  return step.value;
}

/** The progress report of the E-step of `request` with `rowsDone` of its `rowsTotal` rows summed. */
export function eStepProgress(request: StatsRequest, rowsDone: number, rowsTotal: number): ProgressInfo {
  const { init, candidate, iter, logLikelihood } = request;
  return { phase: 'em', init, candidate, iter, logLikelihood, rowsDone, rowsTotal };
}

/** The progress report of the M-step of `request`'s statistics (its E-step over `rows` rows done). */
export function mStepProgress(request: StatsRequest, mStep: MStepProgress, rows: number): ProgressInfo {
  const { init, candidate, iter, logLikelihood } = request;
  return { phase: 'm-step', init, candidate, iter, logLikelihood, rowsDone: rows, rowsTotal: rows, mStep };
}

/**
 * The objective of statistics accumulated under `params`: the per-sample mean log-likelihood, plus the family's log
 * prior over the rows' total weight when it has one (`EmFamily.logPrior`).
 */
function objective<P>(family: EmFamily<P>, stats: Float64Array, params: P, llIndex: number): number {
  const mean = stats[llIndex] / stats[llIndex + 1];
  return family.logPrior === undefined ? mean : mean + family.logPrior(params) / stats[llIndex + 1];
}

/**
 * What one EM iteration asks of a model, for `emLoop`: its E-step, as steps of the caller's kind (`Y` yielded, `N`
 * sent back: a driver's statistics requests, or plain pauses), and its M-step.
 */
export interface EmIteration<P, S, Y, N> {
  /**
   * The E-step under `params` for iteration `iter` (0: the one E-step of a run with `maxIter` 0), whose previous
   * objective was `previous`: the statistics and the objective EM monitors.
   */
  eStep(params: P, iter: number, previous: number): Generator<Y, { stats: S; objective: number }, N>;
  /** The M-step: new parameters from the statistics of the E-step under `params`. */
  maximize(stats: S, params: P): P;
  /** Degenerate components of the final parameters (see `EmFamily.degenerate`); absent: 0. */
  degenerate?(params: P): number;
  /** What the objective is, in the warning of a decrease: `'log-likelihood'` or `'log posterior'`. */
  readonly objectiveName: string;
  /** False when a decrease is not a numerical problem (`EmFamily.monotone`) [true]. */
  readonly monotone?: boolean;
}

/**
 * The EM loop, written once for every model (scikit-learn `BaseMixture.fit`, hmmlearn's `fit`): E-step, M-step,
 * until the objective changes by less than `tol` (absolute) or `maxIter` iterations in all; a warning when it
 * decreases by more than rounding. With `resume`, continues that run: its iterations, history and last objective
 * count towards this one (`start` is then ignored). `emSteps` drives it with block statistics, `src/em/generic.ts`
 * with models that compute their own E-step.
 */
export function* emLoop<P, S, Y, N>(
  step: EmIteration<P, S, Y, N>, start: P, options: EmRunOptions, resume?: EmRunResult<P>,
): Generator<Y, EmRunResult<P>, N> {
  const history: number[] = resume ? resume.history.slice() : [];
  const candidate = options.candidate ?? 0;
  let params = resume ? resume.params : start;
  let lowerBound = resume ? resume.lowerBound : options.previousLowerBound ?? -Infinity;
  let converged = false;
  let iter = resume ? resume.nIter : 0;
  const firstIter = iter + 1;
  // maxIter 0 keeps the start; one E-step gives its lower bound (no M-step, no iteration counted).
  if (options.maxIter === 0 && !resume) lowerBound = (yield* step.eStep(params, 0, lowerBound)).objective;
  while (iter < options.maxIter) {
    iter++;
    const previous = lowerBound;
    const { stats, objective } = yield* step.eStep(params, iter, previous);
    lowerBound = objective;
    params = step.maximize(stats, params);
    history.push(lowerBound);
    const change = lowerBound - previous;
    options.onIteration?.({ init: options.init, candidate, iter, logLikelihood: lowerBound, change });
    // EM never lowers the likelihood, nor with a prior the posterior (Dempster, Laird & Rubin 1977); more than
    // rounding means a numerical problem.
    // (A warm start's first change is from the fitted lower bound, which other rows may have given: not a decrease.)
    const carried = iter === firstIter && options.previousLowerBound !== undefined;
    if (!carried && step.monotone !== false && change < -1e-9 * Math.max(1, Math.abs(lowerBound))) {
      options.onWarning?.(`the ${step.objectiveName} decreased by ${-change} at iteration ${iter} (restart ${options.init})`);
    }
    if (Math.abs(change) < options.tol) {
      converged = true;
      break;
    }
  }
  return { params, lowerBound, nIter: iter, converged, history, degenerate: step.degenerate?.(params) ?? 0 };
}

/**
 * EM from `start` until convergence or `maxIter` iterations in all (`emLoop`), asking the driver for the block
 * statistics of every E-step. With `resume`, continues that run (see `emLoop`).
 */
export function* emSteps<P>(
  family: EmFamily<P>, start: P, options: EmRunOptions, resume?: EmRunResult<P>,
): EmSteps<EmRunResult<P>> {
  const llIndex = family.statsLength - 2;
  const candidate = options.candidate ?? 0;
  const { onMStep } = options;
  let request: StatsRequest | null = null;
  return yield* emLoop<P, Float64Array, StatsRequest, Float64Array>({
    *eStep(params, iter, previous) {
      const at: StatsRequest = { params: family.kernelParams(params), init: options.init, candidate, iter, logLikelihood: previous };
      request = at;
      const stats = yield at;
      return { stats, objective: objective(family, stats, params, llIndex) };
    },
    maximize: (stats, params) => {
      const at = request!;
      return family.maximize(stats, params, onMStep && ((component, of) => onMStep(at, { component, of })));
    },
    ...(family.degenerate === undefined ? {} : { degenerate: (params: P) => family.degenerate!(params) }),
    objectiveName: family.logPrior === undefined ? 'log-likelihood' : 'log posterior',
    monotone: family.monotone ?? true,
  }, start, options, resume);
}

/**
 * Whether lower bound `a` beats `b` beyond rounding. Runs that reach the same optimum differ in the last bits, which
 * depend on the backend's summation order; the earlier run is kept then, so both backends choose the same one.
 */
export function isBetterLowerBound(a: number, b: number): boolean {
  return a - b > 1e-10 * Math.abs(b);
}

/**
 * Whether run `a` beats run `b`: a run without degenerate components beats one with them whatever their lower bounds
 * (a higher likelihood from a collapsed component is not a better answer; `src/families/gaussian-degenerate.ts`); otherwise the
 * higher lower bound beyond rounding (`isBetterLowerBound`).
 */
export function isBetterRun(a: EmRunResult<unknown>, b: EmRunResult<unknown>): boolean {
  if ((a.degenerate === 0) !== (b.degenerate === 0)) return a.degenerate === 0;
  return isBetterLowerBound(a.lowerBound, b.lowerBound);
}

/**
 * One restart: EM from the first starting point to convergence, as scikit-learn does, and beside it the short-runs
 * strategy (Biernacki, Celeux & Govaert 2003, "Choosing starting values for the EM algorithm", CSDA 41) over the
 * `nCandidates − 1` other starting points: each runs `candidateIter` EM iterations and the one with the highest lower
 * bound goes on to convergence. The restart returns the better of the two runs (the first on a tie), so it never ends
 * below plain EM from the first start, and short runs add their wider search — without passing over optima that
 * form slowly (a component closing on a few rows), which short runs judge too early.
 * A start or run that throws a recoverable error (a collapsed component) is skipped; if all do, the last error is
 * rethrown. With one candidate this is plain EM from `makeStart(0)`.
 *
 * With `rule: 'first-sound'` the candidates run one after the other, each to convergence, and the first sound
 * (not degenerate) solution is the answer: from the first start it is plain EM's, and the other candidates are the
 * way out of a collapse rather than a search for a higher likelihood. When every candidate is degenerate, the best
 * of them (`isBetterRun`) is returned.
 * @param makeStart the starting point of candidate `m` (0-based)
 */
export function* bestStartSteps<P>(
  family: EmFamily<P>, makeStart: (candidate: number) => P, nCandidates: number, candidateIter: number,
  options: EmRunOptions, isRecoverable: (e: unknown) => boolean, rule: 'best' | 'first-sound' = 'best',
): EmSteps<EmRunResult<P>> {
  if (nCandidates <= 1) return yield* emSteps(family, makeStart(0), options);
  let lastError: unknown = null;
  function* attempt(run: () => EmSteps<EmRunResult<P>>): EmSteps<EmRunResult<P> | null> {
    try {
      return yield* run();
    } catch (e) {
      if (!isRecoverable(e)) throw e;
      lastError = e;
      return null;
    }
  }
  const first = yield* attempt(() => emSteps(family, makeStart(0), { ...options, candidate: 0 }));
  if (rule === 'first-sound') {
    let best = first;
    for (let m = 1; m < nCandidates && (best === null || best.degenerate > 0); m++) {
      const run = yield* attempt(() => emSteps(family, makeStart(m), { ...options, candidate: m }));
      if (run !== null && (best === null || isBetterRun(run, best))) best = run;
    }
    if (best === null) throw lastError;
    return best;
  }
  const maxIter = Math.min(candidateIter, options.maxIter);
  let short: EmRunResult<P> | null = null;
  let shortIndex = 1;
  for (let m = 1; m < nCandidates; m++) {
    const run = yield* attempt(() => emSteps(family, makeStart(m), { ...options, maxIter, candidate: m }));
    if (run !== null && (short === null || isBetterRun(run, short))) {
      short = run;
      shortIndex = m;
    }
  }
  const chosen = short;
  const second = chosen === null || chosen.converged || chosen.nIter >= options.maxIter ? chosen
    : yield* attempt(() => emSteps(family, chosen.params, { ...options, candidate: shortIndex }, chosen));
  if (first === null && second === null) throw lastError;
  if (first === null) return second!;
  return second !== null && isBetterRun(second, first) ? second : first;
}

/**
 * `nInit` restarts, keeping the one with the highest lower bound (the earliest on a tie within rounding). A restart
 * that throws a recoverable error is reported through `onFailure` and skipped; if all do, the last error is rethrown.
 * @param restart the EM steps of restart `init` (0-based)
 */
export function* bestRestartSteps<P>(
  nInit: number, restart: (init: number) => EmSteps<EmRunResult<P>>, isRecoverable: (e: unknown) => boolean,
  onFailure?: (init: number, e: unknown) => void,
): EmSteps<EmRunResult<P>> {
  let best: EmRunResult<P> | null = null;
  let lastError: unknown = null;
  for (let init = 0; init < nInit; init++) {
    try {
      const result = yield* restart(init);
      if (best === null || isBetterRun(result, best)) best = result;
    } catch (e) {
      if (!isRecoverable(e)) throw e;
      lastError = e;
      onFailure?.(init, e);
    }
  }
  if (best === null) throw lastError;
  return best;
}
