/**
 * `MixtureModel`: what every mixture class (`GaussianMixture`, `BernoulliMixture`, `CategoricalMixture`,
 * `PoissonMixture`) does the same way once it has parameters — the fit facts, `predict` and `predictProba` from the
 * weighted log-densities `log w_c + log p(x | c)` of the kernels, and the likelihood scores `scoreSamples`, `score`,
 * `bic` and `aic` (scikit-learn's `BaseMixture`: BIC `−2 log L + p ln n`, lower is better). A subclass says how rows
 * are checked and how their log-densities are computed.
 */
import type { BoundData, KernelParams } from './backend/kernel.js';
import { BLOCK_ROWS, type EmRunResult } from './em/driver.js';
import { InputError, NotFittedError } from './errors.js';
import { repairFarRows } from './far-rows.js';
import { timesPowerOfTwo, weightExponent } from './fit-weights.js';
import { toSampleWeight, type DataInput, type DataOptions, type Matrix } from './matrix.js';
import { checkKeys } from './options.js';

/** The parameters every mixture has: k components over d features with weights w (length k). */
export interface MixtureParams {
  readonly k: number;
  readonly d: number;
  readonly weights: Float64Array;
}

/** What a fit leaves beside the parameters. */
export interface MixtureFitState {
  converged: boolean;
  nIter: number;
  /** Per-sample mean log-likelihood at the last E-step. */
  lowerBound: number;
  /** Per-sample mean log-likelihood at every iteration (empty for a loaded model). */
  history: number[];
}

/** Options of the scoring methods (`score`, `bic`, `aic`). */
export interface ScoreOptions extends DataOptions {
  /** Non-negative weight per row, as in `fit`. */
  sampleWeight?: ArrayLike<number>;
}

/**
 * What `forEachLogProbBlock` calls for each block: `lp` holds count×k log-densities, each row's shifted by its entry
 * of `offset` when given (rows far from every component, `repairFarRows`): the log-density is `offset[i] + lp[i·k + c]`.
 * Posteriors and labels read `lp` alone; likelihoods add the offset.
 */
export type LogProbBlockFn = (start: number, count: number, lp: Float64Array, offset: Float64Array | null) => void;

const SCORE_KEYS = ['nFeatures', 'sampleWeight'];
const DATA_KEYS = ['nFeatures'];

/** `log Σ_c exp(v[off + c])`, stable. */
export function logSumExp(v: Float64Array, off: number, k: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (v[off + c] > max) max = v[off + c];
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let c = 0; c < k; c++) s += Math.exp(v[off + c] - max);
  return max + Math.log(s);
}

/** The shared half of the mixture classes; see the module comment. */
export abstract class MixtureModel<P extends MixtureParams> {
  protected params: P | null = null;
  protected fitState: MixtureFitState = { converged: false, nIter: 0, lowerBound: -Infinity, history: [] };

  /** Number of features d of the fitted model. */
  get nFeatures(): number {
    return this.fitted('nFeatures').d;
  }

  /** Whether the model has parameters (fitted or loaded). */
  get isFitted(): boolean {
    return this.params !== null;
  }

  /** Whether the best restart converged. */
  get converged(): boolean {
    this.fitted('converged');
    return this.fitState.converged;
  }

  /** EM iterations of the best restart. */
  get nIter(): number {
    this.fitted('nIter');
    return this.fitState.nIter;
  }

  /**
   * Per-sample mean log-likelihood at the last E-step of the best restart (scikit-learn's `lower_bound_`); for a
   * `GaussianMixture` with a `prior`, the per-sample mean log posterior that MAP EM climbs.
   */
  get lowerBound(): number {
    this.fitted('lowerBound');
    return this.fitState.lowerBound;
  }

  /**
   * Per-sample mean log-likelihood (a `GaussianMixture` with a `prior`: log posterior) at every iteration of the best
   * restart (empty for a loaded model).
   */
  get logLikelihoodHistory(): number[] {
    this.fitted('logLikelihoodHistory');
    return this.fitState.history.slice();
  }

  /** Mixture weights, length k (a copy). */
  get weights(): Float64Array {
    return this.fitted('weights').weights.slice();
  }

  /** Number of free parameters (for BIC/AIC). */
  abstract get nParameters(): number;

  /** Index of the most probable component for every row (length n). */
  predict(X: DataInput, options?: DataOptions): Int32Array {
    checkKeys(options, DATA_KEYS, 'options');
    const p = this.fitted('predict');
    const m = this.checkedRows(X, options, p);
    const labels = new Int32Array(m.rows);
    this.forEachLogProbBlock(m, p, (start, count, lp) => {
      for (let i = 0; i < count; i++) {
        let best = 0;
        for (let c = 1; c < p.k; c++) if (lp[i * p.k + c] > lp[i * p.k + best]) best = c;
        labels[start + i] = best;
      }
    });
    return labels;
  }

  /** Posterior probability of each component for every row: n×k, rows sum to 1. */
  predictProba(X: DataInput, options?: DataOptions): Matrix {
    checkKeys(options, DATA_KEYS, 'options');
    const p = this.fitted('predictProba');
    const m = this.checkedRows(X, options, p);
    const out = new Float64Array(m.rows * p.k);
    this.forEachLogProbBlock(m, p, (start, count, lp) => {
      for (let i = 0; i < count; i++) {
        const lse = logSumExp(lp, i * p.k, p.k);
        for (let c = 0; c < p.k; c++) out[(start + i) * p.k + c] = Math.exp(lp[i * p.k + c] - lse);
      }
    });
    return { data: out, rows: m.rows, cols: p.k };
  }

  /** Log-likelihood `log p(x_i)` of every row (length n). */
  scoreSamples(X: DataInput, options?: DataOptions): Float64Array {
    checkKeys(options, DATA_KEYS, 'options');
    const p = this.fitted('scoreSamples');
    return this.rowLogLikelihoods(this.checkedRows(X, options, p), p);
  }

  /** Mean log-likelihood per row (weighted by `sampleWeight` when given). */
  score(X: DataInput, options?: ScoreOptions): number {
    return this.totalLogLikelihood(X, options, 'score').mean;
  }

  /** Bayesian information criterion `−2 log L + p ln n` (lower is better; mclust reports the negative). */
  bic(X: DataInput, options?: ScoreOptions): number {
    const { total, logN } = this.totalLogLikelihood(X, options, 'bic');
    return -2 * total + this.nParameters * logN;
  }

  /**
   * Integrated completed likelihood (Biernacki, Celeux & Govaert 2000), scikit-learn's sign (lower is better):
   * `BIC − 2 Σ_i w_i log max_c p(c | x_i)`, the BIC penalized by the entropy of the hard classification, so that
   * overlapping components cost more than under BIC. mclust's `icl()` is the same number with the opposite sign
   * (`BIC + 2 Σ_i log z_i,map`, larger is better).
   * @example
   * gm.icl(X) >= gm.bic(X); // equal only when every row is classified with certainty
   */
  icl(X: DataInput, options?: ScoreOptions): number {
    const bic = this.bic(X, options);
    const o = checkKeys(options, SCORE_KEYS, 'options');
    const p = this.fitted('icl');
    const m = this.checkedRows(X, options, p);
    const w = toSampleWeight(o.sampleWeight, m.rows);
    const e = weightExponent(w);
    let classified = 0;
    this.forEachLogProbBlock(m, p, (start, count, lp) => {
      for (let i = 0; i < count; i++) {
        const row = start + i;
        const wi = w === null ? 1 : timesPowerOfTwo(w[row], -e);
        if (wi === 0 || !this.countsInScores(m, row)) continue;
        let max = -Infinity;
        for (let c = 0; c < p.k; c++) max = Math.max(max, lp[i * p.k + c]);
        classified += wi * (max - logSumExp(lp, i * p.k, p.k));
      }
    });
    return bic - 2 * timesPowerOfTwo(classified, e);
  }

  /** Akaike information criterion `−2 log L + 2p` (lower is better). */
  aic(X: DataInput, options?: ScoreOptions): number {
    const { total } = this.totalLogLikelihood(X, options, 'aic');
    return -2 * total + 2 * this.nParameters;
  }

  /** `X` as a matrix checked against the fitted model (columns, support), before any kernel runs. */
  protected abstract checkedRows(X: DataInput, options: DataOptions | undefined, p: P): Matrix;

  /**
   * Runs the log-density kernel over the rows of `m` in blocks of `BLOCK_ROWS`; `fn` sees each block's count×k
   * weighted log-densities `log w_c + log p(x_i | c)`, leaving out any term that does not depend on c (`rowConstant`),
   * and the rows' offsets (`LogProbBlockFn`).
   */
  protected abstract forEachLogProbBlock(m: Matrix, p: P, fn: LogProbBlockFn): void;

  /** The per-row term the kernels leave out of every log-density (e.g. −Σ log x_j! for Poisson), or null for none. */
  protected rowConstant(_m: Matrix): Float64Array | null {
    return null;
  }

  /** Whether row i of `m` counts towards `score`, `bic` and `aic` (a row that observes nothing does not). */
  protected countsInScores(_m: Matrix, _i: number): boolean {
    return true;
  }

  /** The parameters, or `NotFittedError` naming `method`. */
  protected fitted(method: string): P {
    if (this.params === null) throw new NotFittedError(method, this.disposed);
    return this.params;
  }

  private disposed = false;

  /**
   * Drops the parameters and fit facts: the model is unfitted again (methods that need parameters throw
   * `NotFittedError` saying it was disposed; `fit` makes it usable again). Idempotent. A model holds no WebAssembly
   * memory between calls (each call binds its rows and releases them before it returns, `wasmMemoryBytes()`), so this
   * only lets its parameters be collected while the object itself stays referenced; a `fitAsync`/`fitStream` already
   * running is not stopped (abort its `signal`).
   */
  dispose(): void {
    this.params = null;
    this.fitState = { converged: false, nIter: 0, lowerBound: -Infinity, history: [] };
    this.disposed = true;
  }

  /** Keeps `params` and the facts of the best run; warns through `onWarning` when it stopped on `maxIter`. */
  protected keepFit(
    best: EmRunResult<unknown>, params: P, limits: { maxIter: number; tol: number },
    onWarning: ((message: string) => void) | undefined,
  ): void {
    // maxIter 0 asks for the start itself: not converged, without a warning (as scikit-learn).
    if (!best.converged && limits.maxIter > 0) {
      const h = best.history;
      onWarning?.(`EM did not converge in ${limits.maxIter} iterations (last change of the mean log-likelihood ` +
        `${Math.abs(h[h.length - 1] - (h[h.length - 2] ?? -Infinity))} ≥ tol ${limits.tol}). ` +
        'Increase maxIter or tol, or check the initialization');
    }
    this.params = params;
    this.fitState = { converged: best.converged, nIter: best.nIter, lowerBound: best.lowerBound, history: best.history };
    this.disposed = false;
  }

  /** Sets loaded parameters and fit facts (`fromJSON`). */
  protected load(params: P, state: Omit<MixtureFitState, 'history'>): this {
    this.params = params;
    this.fitState = { ...state, history: [] };
    this.disposed = false;
    return this;
  }

  private rowLogLikelihoods(m: Matrix, p: P): Float64Array {
    const out = this.rowConstant(m) ?? new Float64Array(m.rows);
    this.forEachLogProbBlock(m, p, (start, count, lp, offset) => {
      for (let i = 0; i < count; i++) out[start + i] += logSumExp(lp, i * p.k, p.k) + (offset === null ? 0 : offset[i]);
    });
    return out;
  }

  /**
   * `log L = Σ w_i log p(x_i)`, the row count `n = Σ w_i`, `ln n` and the mean `log L / n` over the rows that count.
   * The sums run on the weights divided by a power of two (`weightExponent`), so weights of 1e305 or subnormal ones do
   * not overflow or vanish: the mean does not depend on their scale, and `log L` and `ln n` get the power back.
   */
  private totalLogLikelihood(X: DataInput, options: ScoreOptions | undefined, method: string):
    { total: number; n: number; logN: number; mean: number } {
    const o = checkKeys(options, SCORE_KEYS, 'options');
    const p = this.fitted(method);
    const m = this.checkedRows(X, options, p);
    const w = toSampleWeight(o.sampleWeight, m.rows);
    const e = weightExponent(w);
    const ll = this.rowLogLikelihoods(m, p);
    let total = 0;
    let n = 0;
    for (let i = 0; i < m.rows; i++) {
      const wi = w === null ? 1 : timesPowerOfTwo(w[i], -e);
      if (wi === 0 || !this.countsInScores(m, i)) continue;
      total += wi * ll[i];
      n += wi;
    }
    if (n === 0) {
      throw new InputError('X', `a row with an observed entry and positive weight (${method} averages over them)`,
        'none: every row has all its entries missing or weight 0');
    }
    return { total: timesPowerOfTwo(total, e), n: timesPowerOfTwo(n, e), logN: Math.log(n) + e * Math.LN2, mean: total / n };
  }
}

/**
 * Sets `params` on `bound`, runs `fn` over its `rows` rows in blocks of `BLOCK_ROWS` (each block's count×k
 * log-densities) and disposes of it: the body of every `forEachLogProbBlock`. With `X`, the bound rows as float64
 * (row-major, `params.d` columns), rows far from every component are recomputed without overflow (`repairFarRows`) and
 * their offsets passed to `fn`.
 */
export function logProbBlocks(
  bound: BoundData, params: KernelParams, rows: number, k: number, fn: LogProbBlockFn, X?: Float64Array,
): void {
  try {
    bound.setParams(params);
    const lp = new Float64Array(Math.min(BLOCK_ROWS, rows) * k);
    const scratch = new Float64Array(Math.min(BLOCK_ROWS, rows));
    for (let start = 0; start < rows; start += BLOCK_ROWS) {
      const count = Math.min(BLOCK_ROWS, rows - start);
      bound.logProb(start, count, lp);
      fn(start, count, lp, X === undefined ? null : repairFarRows(X, params.d, start, count, params, lp, scratch));
    }
  } finally {
    bound.dispose();
  }
}
