/**
 * `em()`: EM for a mixture model the user defines in TypeScript. The user says what one component's log-density is,
 * which statistics its M-step needs and how it turns them into parameters; wasm-em supplies the rest — the
 * log-sum-exp E-step, restarts, convergence, the likelihood history, progress and abort (the loop of
 * `src/em/generic.ts`, shared with the hidden Markov models).
 *
 * For items x_i with weights w_i and a model whose components have joint log-densities
 * `ℓ_ic = log(π_c p(x_i | c, θ))`, each iteration computes (Dempster, Laird & Rubin 1977; Bishop 2006, §9.3)
 *   `r_ic = exp(ℓ_ic − log Σ_c' exp ℓ_ic')` (the posterior of component c for item i),
 *   `S = Σ_i accumulate(x_i, r_i, w_i)` and `θ ← maximize(S, θ)`,
 * and watches the mean log-likelihood `Σ_i w_i log Σ_c exp ℓ_ic / Σ_i w_i`.
 */
import { InputError, describe } from '../errors.js';
import { toSampleWeight } from '../matrix.js';
import { callbackOption, checkKeys, integerOption, numberOption } from '../options.js';
import { throwIfAborted, throwIfAbortedFirst } from '../parallel/abort.js';
import type { IterationInfo } from './driver.js';
import { runEm, runEmAsync, type GenericEmModel, type GenericEmOptions } from './generic.js';
import type { Rng } from '../rng.js';

/** The random numbers `init` may draw: seeded by `options.seed`, one stream for the whole fit. */
export interface EmRandom {
  /** Uniform in [0, 1). */
  random(): number;
  /** Standard normal. */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * A mixture model defined by the user. `P` is the parameter type, `S` the statistics type, `T` the item type (a
 * number, a row, an object — anything `logProb` and `accumulate` understand).
 */
export interface EmModel<P, S, T> {
  /** Number of components K (≥ 1). */
  readonly nComponents: number;
  /**
   * Writes `ℓ_c = log(π_c p(x | c, params))`, the joint log-density of item `x` and component c, into `out`
   * (length K) for every c. `-Infinity` means impossible; NaN and +Infinity are errors.
   */
  logProb(params: P, x: T, out: Float64Array): void;
  /** Empty statistics for one E-step under `params`. */
  emptyStats(params: P): S;
  /**
   * Adds item `x`'s share to `stats`: `r` (length K) holds its component posteriors `r_c`, and `weight` its sample
   * weight (1 without `sampleWeight`); the expected complete-data statistics use `weight·r_c`.
   */
  accumulate(stats: S, x: T, r: Float64Array, weight: number): void;
  /** The M-step: new parameters from the statistics summed over all items under `params`. */
  maximize(stats: S, params: P): P;
  /**
   * Starting parameters of restart `init` (0-based), drawing from `rng`. Optional when `options.start` is given and
   * `nInit` is 1.
   */
  init?(rng: EmRandom, init: number, data: readonly T[]): P;
}

/** Options of `em()` and `emAsync()`. */
export interface EmOptions<P> {
  /** Restarts, each from `model.init` [1]; the one with the highest final log-likelihood is kept. */
  readonly nInit?: number;
  /** Iterations per restart [100]. */
  readonly maxIter?: number;
  /** Stop when the mean log-likelihood changes by less than this [1e-3, scikit-learn's default]. */
  readonly tol?: number;
  /** Seed of the random stream given to `model.init` [0]. */
  readonly seed?: number;
  /** Starting parameters (instead of `model.init`; only with `nInit` 1). */
  readonly start?: P;
  /** One weight ≥ 0 per item [all 1]. */
  readonly sampleWeight?: ArrayLike<number>;
  /** Called after every iteration with the restart, iteration number, mean log-likelihood and its change. */
  readonly onIteration?: (info: IterationInfo) => void;
  /** Called when the log-likelihood decreases by more than rounding (usually an M-step that is not a maximization). */
  readonly onWarning?: (message: string) => void;
  /** Aborts the fit before its next iteration: `em` and `emAsync` then throw `AbortError`. */
  readonly signal?: AbortSignal;
}

/** The outcome of `em()`: the best restart's parameters and how it got there. */
export interface EmResult<P, T> {
  /** Parameters after the last M-step of the best restart. */
  readonly params: P;
  /** Mean log-likelihood per unit weight at the last E-step (scikit-learn's `lower_bound_`). */
  readonly lowerBound: number;
  /** Iterations of the best restart. */
  readonly nIter: number;
  /** Whether the best restart stopped on `tol` rather than `maxIter`. */
  readonly converged: boolean;
  /** Mean log-likelihood at every iteration of the best restart. */
  readonly history: number[];
  /** Index of the best restart, 0-based. */
  readonly init: number;
  /** Component posteriors `r_c` of item `x` under `params` (length K). */
  posteriors(x: T): Float64Array;
}

const OPTION_KEYS = ['nInit', 'maxIter', 'tol', 'seed', 'start', 'sampleWeight', 'onIteration', 'onWarning', 'signal'];
const MODEL_FUNCTIONS = ['logProb', 'emptyStats', 'accumulate', 'maximize'] as const;

/**
 * Fits `model` to `data` by EM on the calling thread and returns the best of `nInit` restarts.
 * @throws InputError for a malformed model, data or option (before any iteration), or a `logProb` that returns NaN
 *   or +Infinity, or leaves an item impossible under every component; AbortError when `signal` aborts.
 * @example
 * // Two coins, heads counted in 10 tosses per trial.
 * const result = em(counts, coinModel, { nInit: 5, seed: 1 });
 */
export function em<P, S, T>(data: readonly T[], model: EmModel<P, S, T>, options: EmOptions<P> = {}): EmResult<P, T> {
  const { generic, loop, posteriors } = prepare(data, model, options);
  const best = runEm(generic, loop);
  return { ...best, posteriors: (x) => posteriors(best.params, x) };
}

/**
 * `em()` that returns to the event loop between iterations (at most every 16 ms), so that a page stays responsive
 * and an `AbortSignal` fired by a timer or a button stops the fit before its next iteration.
 */
export async function emAsync<P, S, T>(
  data: readonly T[], model: EmModel<P, S, T>, options: EmOptions<P> = {},
): Promise<EmResult<P, T>> {
  const { generic, loop, posteriors } = prepare(data, model, options);
  const best = await runEmAsync(generic, loop);
  return { ...best, posteriors: (x) => posteriors(best.params, x) };
}

/** Validates everything and builds the generic model and loop options. */
function prepare<P, S, T>(data: readonly T[], model: EmModel<P, S, T>, options: EmOptions<P>) {
  throwIfAbortedFirst(options);
  if (!Array.isArray(data)) throw new InputError('data', 'an array of items', describe(data));
  if (data.length === 0) throw new InputError('data', 'at least one item', 'an empty array');
  if (model === null || typeof model !== 'object') throw new InputError('model', 'an object with logProb, emptyStats, accumulate and maximize', describe(model));
  const k = integerOption(model.nComponents, 'model.nComponents', NaN, 1, 1 << 20);
  if (Number.isNaN(k)) throw new InputError('model.nComponents', 'an integer ≥ 1', 'undefined');
  for (const f of MODEL_FUNCTIONS) {
    if (typeof model[f] !== 'function') throw new InputError(`model.${f}`, 'a function', describe(model[f]));
  }
  callbackOption(model.init, 'model.init');
  const o = checkKeys(options, OPTION_KEYS, 'options');
  const nInit = integerOption(o.nInit, 'options.nInit', 1, 1);
  const maxIter = integerOption(o.maxIter, 'options.maxIter', 100, 1);
  const tol = numberOption(o.tol, 'options.tol', 1e-3, 0);
  const seed = integerOption(o.seed, 'options.seed', 0, 0, 2 ** 32 - 1);
  const onIteration = callbackOption<(info: IterationInfo) => void>(o.onIteration, 'options.onIteration');
  const onWarning = callbackOption<(message: string) => void>(o.onWarning, 'options.onWarning');
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) {
    throw new InputError('options.signal', 'an AbortSignal', describe(signal));
  }
  const hasStart = o.start !== undefined;
  if (model.init === undefined && !hasStart) {
    throw new InputError('model.init', 'a function (or options.start)', 'neither', 'Give starting parameters one way or the other');
  }
  if (hasStart && nInit > 1) {
    throw new InputError('options.nInit', '1 when options.start is given (every restart would start from it)', String(nInit));
  }
  const weights = toSampleWeight(o.sampleWeight, data.length);
  throwIfAborted(signal);

  const lp = new Float64Array(k);
  const r = new Float64Array(k);
  /** Fills `r` with the posteriors of item i under `params` and returns its log-likelihood `log Σ_c exp ℓ_c`. */
  const posteriorsInto = (params: P, x: T, i: number): number => {
    lp.fill(NaN);
    model.logProb(params, x, lp);
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = lp[c]!;
      if (Number.isNaN(v) || v === Infinity) {
        throw new InputError(`model.logProb(params, data[${i}])[${c}]`, 'a finite number or -Infinity', describe(v),
          'Check the log-density of that component for these parameters');
      }
      if (v > max) max = v;
    }
    if (max === -Infinity) {
      throw new InputError(`model.logProb(params, data[${i}])`, 'at least one component with a finite log-density',
        'all -Infinity', 'The item is impossible under every component: check the model or the starting parameters');
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += (r[c] = Math.exp(lp[c]! - max));
    for (let c = 0; c < k; c++) r[c]! /= sum;
    return max + Math.log(sum);
  };

  const generic: GenericEmModel<P, S> = {
    init: (rng: Rng, init: number) => (hasStart ? (o.start as P) : model.init!(rng, init, data)),
    eStep: (params) => {
      const stats = model.emptyStats(params);
      let ll = 0;
      let wsum = 0;
      for (let i = 0; i < data.length; i++) {
        const w = weights === null ? 1 : weights[i]!;
        if (w === 0) continue;
        const li = posteriorsInto(params, data[i]!, i);
        model.accumulate(stats, data[i]!, r, w);
        ll += w * li;
        wsum += w;
      }
      return { stats, logLikelihood: ll / wsum };
    },
    maximize: (stats, params) => model.maximize(stats, params),
  };
  const loop: GenericEmOptions = { nInit, maxIter, tol, seed, onIteration, onWarning, signal };
  const posteriors = (params: P, x: T): Float64Array => {
    posteriorsInto(params, x, -1);
    return r.slice();
  };
  return { generic, loop, posteriors };
}
