/**
 * The bridge between the kernels' statistics and mclust's M-steps (`src/families/mclust-models.ts`): the Gaussian
 * family's M-step for the models without a scikit-learn closed form (EEI, VEI, EVI, VEE, EVE, VVE, EEV, VEV, EVV,
 * EII), with or without mclust's conjugate prior.
 *
 * The kernels accumulate, per component, `N_c`, `S1_c = Σ_i r_ic (x_i − s_c)` and `S2_c = Σ_i r_ic (x_i − s_c)(x_i −
 * s_c)ᵀ` about a shift `s_c` (the E-step's means; `src/backend/kernel.ts`): the full shape keeps the upper triangle of
 * S2, the diag shape its diagonal. With `δ_c = S1_c / N_c` these are mclust's statistics (`MclustStatistics`):
 * `x̄_c = s_c + δ_c` and `W_c = S2_c − N_c δ_c δ_cᵀ`.
 */
import type { KernelShape } from '../backend/kernel.js';
import { componentStatsLength } from '../backend/kernel.js';
import {
  mclustMStep, MCLUST_PRIOR_MODELS, type MclustDecomposition, type MclustModel, type MclustPrior,
  type MclustStatistics,
} from './mclust-models.js';
import { mclustDerivedMapMStep } from './mclust-prior-derived.js';

/** The inner iterations of the iterative M-steps (VEI, VEV, VEE, EVE, VVE) and where they start. */
export interface InnerControl {
  /** Relative change at which they stop [√ε ≈ 1.49e-8, mclust's `emControl()$tol[2]`]. */
  readonly tol?: number;
  /** Their cap [`innerIterationCap(k, d)`]. */
  readonly maxIterations?: number;
  /** The previous M-step's decomposition (`GaussianParams.decomposition`), mclust's warm start within EM. */
  readonly start?: MclustDecomposition;
  /** Called when an M-step stopped at the cap rather than at `tol`. */
  readonly onCapped?: (model: MclustModel, iterations: number) => void;
}

/**
 * The work, in units of k·d³ (one inner iteration of the orientation updates: products with each component's
 * scatter and two polar factors), that one M-step may spend by default: `innerIterationCap`.
 */
export const INNER_WORK = 1e6;

/**
 * The default cap on the inner iterations of one M-step of k components in d dimensions: ⌊`INNER_WORK` / (k·d³)⌋, at
 * least 10 and at most mclust's 2³¹ − 1 (`emControl()$itmax[2]`). Small problems thus iterate to `tol` as mclust does
 * (d = 4, k = 3: 5208 iterations; they converge in far fewer), while on wide data, where the orientation updates
 * converge slowly and each costs O(k·d³), an M-step stops after about the work of a few E-steps (d = 30, k = 3: 12).
 * Each inner iteration raises the M-step's objective, so a capped M-step is still a generalized EM step (Dempster,
 * Laird & Rubin 1977, §3), and the next M-step continues from its decomposition.
 */
export function innerIterationCap(k: number, d: number): number {
  return Math.max(10, Math.min(2147483647, Math.floor(INNER_WORK / (k * d * d * d))));
}

/** What an M-step of mclust's gives: weights (k), means (k×d), covariances (k×d×d) and their decomposition. */
export interface MclustStepResult {
  readonly weights: Float64Array;
  readonly means: Float64Array;
  readonly covariances: Float64Array;
  readonly decomposition: MclustDecomposition;
}

/**
 * mclust's statistics from the kernels' (`shape`'s layout, about `shift`), the scatter floored by `regCovar`:
 * `W_c + N_c·reg·I`, which adds `reg` to the diagonal of every free covariance (scikit-learn's `reg_covar`) and keeps
 * each model's constraints. The diag shape leaves the scatter's off-diagonal entries 0: its models read only the
 * diagonal.
 */
export function kernelToMclustStatistics(
  shape: KernelShape, k: number, d: number, stats: Float64Array, shift: Float64Array, regCovar: number,
): MclustStatistics {
  const block = componentStatsLength(shape, d);
  const n = new Float64Array(k);
  const means = new Float64Array(k * d);
  const scatter = new Float64Array(k * d * d);
  const delta = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const s = c * block;
    const nc = stats[s];
    n[c] = nc;
    for (let j = 0; j < d; j++) {
      delta[j] = nc > 0 ? stats[s + 1 + j] / nc : 0;
      means[c * d + j] = shift[c * d + j] + delta[j];
    }
    const out = c * d * d;
    let p = s + 1 + d;
    if (shape === 'full') {
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++, p++) {
          const v = stats[p] - nc * delta[a] * delta[b] + (a === b ? nc * regCovar : 0);
          scatter[out + a * d + b] = v;
          scatter[out + b * d + a] = v;
        }
      }
    } else {
      for (let j = 0; j < d; j++, p++) scatter[out + j * d + j] = stats[p] - nc * delta[j] * delta[j] + nc * regCovar;
    }
  }
  return { k, d, n, means, scatter };
}

/**
 * The M-step of mclust's `model` from the kernels' statistics (`kernelToMclustStatistics`): maximum likelihood
 * (`mclustMStep`, mclust's `me<model>` M-steps), or MAP under `prior` — mclust's own for the ten models it gives a
 * prior (`MCLUST_PRIOR_MODELS`), the derived one of `mclust-prior-derived.ts` for VEE, EVE, VVE and EVV. `prior.mean`
 * is in the coordinates of `shift`. Throws `DegenerateComponentError` as those M-steps do.
 */
export function maximizeMclust(
  model: MclustModel, shape: KernelShape, k: number, d: number, stats: Float64Array, shift: Float64Array,
  regCovar: number, prior: MclustPrior | null, control: InnerControl = {},
): MclustStepResult {
  const st = kernelToMclustStatistics(shape, k, d, stats, shift, regCovar);
  const tol = control.tol ?? Math.sqrt(Number.EPSILON);
  const maxIterations = control.maxIterations ?? innerIterationCap(k, d);
  const options = { tol, maxIterations, ...(control.start ? { start: control.start } : {}) };
  const r = prior === null ? mclustMStep(model, st, options)
    : MCLUST_PRIOR_MODELS.includes(model) ? mclustMStep(model, st, { ...options, prior, routine: 'me' })
      : mclustDerivedMapMStep(model, st, prior, options);
  if (r.inner !== null && r.inner.iterations >= maxIterations && !(r.inner.error <= tol)) {
    control.onCapped?.(model, r.inner.iterations);
  }
  return { weights: r.weights, means: r.means, covariances: r.covariances, decomposition: r.decomposition };
}
