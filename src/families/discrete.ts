/**
 * What the three discrete families (Bernoulli, categorical, Poisson; `bernoulli.ts`, `categorical.ts`, `poisson.ts`)
 * share: their parameters, the closed-form M-step and the family interface that `src/discrete/mixture.ts` drives.
 *
 * Each family is an exponential family whose log-density is linear in a sufficient statistic t(x) of the row, so the
 * `'linear'` kernels (`src/backend/kernel.ts`) compute every E-step:
 *   `log w_c + log p(x | c) = b_c + Σ_j t_j(x) θ_cj + h(x)`.
 * The parameters are kept as the component means of t, `m_c = E[t(x) | c]` (Bernoulli probabilities, category
 * probabilities, Poisson rates), from which `b` and `θ` follow; the M-step sets them to the responsibility-weighted
 * means of t with a pseudo-count α (Bishop 2006, §9.3.3 for Bernoulli mixtures; the same algebra for the others):
 *   `w_c = N_c / Σ_c N_c`,   `m_cj = (S1_cj + α) / (N_c + a_j α)`,
 * `a_j` = 2 (Bernoulli: α pseudo-rows with x_j = 1 and α with x_j = 0), m_j (categorical: α pseudo-rows per category
 * of the column's feature), 1 (Poisson: α pseudo-rows with a count of 1). α > 0 keeps every probability and rate away
 * from 0, so that no θ is −∞ (0·(−∞) would be NaN in the kernels).
 */
import { componentStatsLength, statsLength, type KernelParams } from '../backend/kernel.js';
import type { Rng } from '../rng.js';
import { DegenerateComponentError, InputError } from '../errors.js';
import type { InitData, Matrix } from '../matrix.js';

/** The three discrete families. */
export type DiscreteKind = 'bernoulli' | 'categorical' | 'poisson';

/** Fitted (or given) parameters of a discrete mixture. */
export interface DiscreteParams {
  /** Number of components. */
  readonly k: number;
  /** Number of features (columns of X). */
  readonly d: number;
  /** Categorical: the number of categories m_j of every feature (codes 0…m_j − 1); null for the others. */
  readonly nCategories: Int32Array | null;
  /** Mixture weights, length k, summing to 1. */
  readonly weights: Float64Array;
  /**
   * `E[t(x) | c]`, k×D row-major (D = d, or Σ m_j for categorical: the category probabilities of feature 0, then of
   * feature 1, …).
   */
  readonly mean: Float64Array;
}

/** Advice of a `DegenerateComponentError` from a discrete fit. */
export const DISCRETE_ADVICE = 'Try fewer components (nComponents), more restarts (nInit), or a larger alpha';

/** Pseudo-count of the M-step that turns a start's responsibilities into parameters (add-one smoothing). */
export const START_PSEUDO_COUNT = 1;

/** A discrete family as the mixture classes use it. */
export interface DiscreteFamily {
  readonly kind: DiscreteKind;
  /** The class name (for messages), e.g. `'BernoulliMixture'`. */
  readonly className: string;
  /** Columns of t(x) for parameters of this shape. */
  columns(d: number, nCategories: Int32Array | null): number;
  /**
   * Throws `InputError` at the first entry of `X` outside the family's support (NaN included), naming it as
   * `name[i][j]`. Categorical: codes must be below `nCategories` when given.
   */
  checkData(X: Matrix, name: string, nCategories: Int32Array | null): void;
  /** The rows of t(x), n×D (the data itself when t(x) = x). */
  encode(X: Matrix, nCategories: Int32Array | null): Float64Array;
  /** `h(x_i)` of every row, or null when it is 0. */
  rowConstant(X: Matrix): Float64Array | null;
  /** `a_j` of the M-step for every column of t (see the header). */
  pseudoDenominators(d: number, nCategories: Int32Array | null): Float64Array;
  /** Keeps a mean of t inside the open support (Bernoulli: below 1); identity for the others. */
  clamp(m: number): number;
  /** The kernels' `b` and `θ` (`'linear'` shape). */
  kernelParams(p: DiscreteParams): KernelParams;
  /** Free parameters for BIC/AIC. */
  nParameters(p: DiscreteParams): number;
  /** Draws one row of component c into `out` (d values). */
  sampleRow(p: DiscreteParams, c: number, rng: Rng, out: Float64Array, offset: number): void;
}

/** The statistics of the `'linear'` shape for D columns and k components. */
export function discreteStatsLength(D: number, k: number): number {
  return statsLength('linear', D, k);
}

/**
 * The M-step (header): parameters from statistics `[N_c, S1_c]…` of the `'linear'` shape. Throws
 * `DegenerateComponentError` when a component holds no weight (under 10·ε of the total, as the Gaussian M-step).
 */
export function maximizeDiscrete(
  family: DiscreteFamily, stats: Float64Array, k: number, d: number, nCategories: Int32Array | null, alpha: number,
): DiscreteParams {
  const D = family.columns(d, nCategories);
  const block = componentStatsLength('linear', D);
  const a = family.pseudoDenominators(d, nCategories);
  let total = 0;
  for (let c = 0; c < k; c++) total += stats[c * block];
  const weights = new Float64Array(k);
  const mean = new Float64Array(k * D);
  for (let c = 0; c < k; c++) {
    const s = c * block;
    const nc = stats[s];
    if (!(nc > 10 * Number.EPSILON * total)) {
      throw new DegenerateComponentError(c, 'no data point is assigned to it', DISCRETE_ADVICE);
    }
    weights[c] = nc / total;
    // S1 ≥ 0 exactly; max() guards the rounding of sums of products.
    for (let j = 0; j < D; j++) mean[c * D + j] = family.clamp((Math.max(stats[s + 1 + j], 0) + alpha) / (nc + a[j] * alpha));
  }
  return { k, d, nCategories, weights, mean };
}

/**
 * The `'linear'` kernel parameters of `p`: `θ_cj = theta(m_cj)` and `b_c = log w_c + Σ_j offset(m_cj)` over the D
 * columns of t.
 */
export function linearKernelParams(
  p: DiscreteParams, D: number, theta: (m: number) => number, offset: (m: number) => number,
): KernelParams {
  const { k } = p;
  const logConst = new Float64Array(k);
  const prec = new Float64Array(k * D);
  for (let c = 0; c < k; c++) {
    let b = Math.log(p.weights[c]);
    for (let j = 0; j < D; j++) {
      const m = p.mean[c * D + j];
      prec[c * D + j] = theta(m);
      b += offset(m);
    }
    logConst[c] = b;
  }
  return { shape: 'linear', k, d: D, logConst, means: new Float64Array(0), prec, precStride: D };
}

/** An index in [0, m) drawn with probabilities `probs[offset…offset + m)` (summing to 1; the last takes the rest). */
export function drawIndex(probs: Float64Array, m: number, rng: Rng, offset = 0): number {
  let u = rng.random();
  let v = 0;
  while (v < m - 1 && u >= probs[offset + v]) u -= probs[offset + v++];
  return v;
}

/** Statistics of one-hot responsibilities: row i counts for component `labels[i]` only. */
export function hardAssignmentStats(data: InitData, labels: Int32Array, k: number): Float64Array {
  return responsibilityStats(data, k, (i, r) => r.fill(0)[labels[i]] = 1);
}

/** Statistics of uniform random responsibilities normalized per row (scikit-learn's `init_params='random'`). */
export function randomResponsibilityStats(data: InitData, k: number, rng: Rng): Float64Array {
  return responsibilityStats(data, k, (_, r) => {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += r[c] = rng.random();
    for (let c = 0; c < k; c++) r[c] /= sum;
  });
}

/** Statistics (`'linear'` layout) of the rows of t in `data` under the responsibilities that `fill` writes per row. */
function responsibilityStats(data: InitData, k: number, fill: (i: number, r: Float64Array) => void): Float64Array {
  const { X, weights } = data;
  const D = X.cols;
  const block = componentStatsLength('linear', D);
  const stats = new Float64Array(discreteStatsLength(D, k));
  const r = new Float64Array(k);
  for (let i = 0; i < X.rows; i++) {
    const w = weights === null ? 1 : weights[i];
    fill(i, r);
    for (let c = 0; c < k; c++) {
      const rc = w * r[c];
      if (rc === 0) continue;
      const s = c * block;
      stats[s] += rc;
      for (let j = 0; j < D; j++) stats[s + 1 + j] += rc * X.data[i * D + j];
    }
    stats[k * block + 1] += w;
  }
  return stats;
}

/**
 * Throws `InputError` naming the first entry of `X` for which `ok` fails: a NaN says that missing values are
 * supported by `GaussianMixture` only; anything else that `expected(j)` describes what column j accepts.
 */
export function checkEntries(
  X: Matrix, name: string, className: string, ok: (v: number, j: number) => boolean, expected: (j: number) => string,
): void {
  const { data, cols } = X;
  for (let p = 0; p < data.length; p++) {
    const v = data[p];
    const j = p % cols;
    if (ok(v, j)) continue;
    const at = `${name}[${(p - j) / cols}][${j}]`;
    if (Number.isNaN(v)) {
      throw new InputError(at, expected(j), 'NaN',
        `Missing values are supported by GaussianMixture only; ${className} needs every entry observed`);
    }
    throw new InputError(at, expected(j), String(v));
  }
}

const LOG_FACTORIAL_TABLE_SIZE = 256;
let logFactorialTable: Float64Array | null = null;

/**
 * `log n!` for an integer n ≥ 0: summed logarithms below 256, above that Stirling's series for `log Γ(n + 1)` to the
 * x⁻⁵ term (truncation error under 10⁻¹⁹ there; Abramowitz & Stegun 6.1.41).
 */
export function logFactorial(n: number): number {
  if (n < LOG_FACTORIAL_TABLE_SIZE) {
    if (logFactorialTable === null) {
      const t = new Float64Array(LOG_FACTORIAL_TABLE_SIZE);
      for (let i = 2; i < LOG_FACTORIAL_TABLE_SIZE; i++) t[i] = t[i - 1] + Math.log(i);
      logFactorialTable = t;
    }
    return logFactorialTable[n];
  }
  const x = n + 1;
  const x2 = x * x;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x;
}
