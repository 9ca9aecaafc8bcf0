/**
 * The MAP M-steps of mclust's models under its conjugate prior (`priorControl()`, `defaultPrior`; Fraley & Raftery
 * 2007, "Bayesian regularization for normal mixture estimation and model-based clustering", J. Classification 24,
 * 155–181), as mclust 6's Fortran routines `ms<model>p` (`src/mclust.f`) compute them, for the ten models that take a
 * prior there (EII, VII, EEI, VEI, EVI, VVI, EEE, EEV, VEV, VVV).
 *
 * With κ the shrinkage, μ_P the prior mean, ν the degrees of freedom and ς² or Λ the scale, and per component
 * `m_c = x̄_c − μ_P` and `κ_c = κ N_c / (N_c + κ)`, the means are `(N_c x̄_c + κ μ_P) / (N_c + κ)` and the scatter
 * is augmented to `W_c + κ_c m_c m_cᵀ` plus the prior's scale; δ = 1 when κ > 0, else 0. mclust's routines differ from
 * the textbook posterior modes in ways kept here so the results agree (each is named at its model):
 * `mseiip` (EII) adds no ς² and takes the scatter about the shrunk means; `mseeip` (EEI) and `mseevp` (EEV) leave
 * the means unshrunk, and `mseevp` sets κ to 0 altogether; `msvevp` (VEV) does not use ν. mclust's EM routines
 * (`me<model>p`) compute the M-steps of EII, EEI, EVI and EEV otherwise (`MclustRoutine`): each is noted at its model.
 */
import { InputError } from '../errors.js';
import {
  checkRteps, composeRotated, fillDiagonal, geometricMean, symmetricEigen, trace,
} from './mclust-linalg.js';
import { veiIterations, vevIterations, vevStart } from './mclust-iterative.js';
import type { MclustDecomposition, MclustInnerInfo, MclustModel, MclustRoutine, MclustStatistics } from './mclust-models.js';

/**
 * mclust's prior hyperparameters (`defaultPrior(data, G, modelName)`): shrinkage κ ≥ 0, mean μ_P (d), degrees of
 * freedom ν, scale: one number ς² for EII, VII, EEI, VEI, EVI, VVI, a d×d matrix Λ (row-major) for EEE, EEV, VEV, VVV.
 */
export interface MclustPrior {
  readonly shrinkage: number;
  readonly mean: Float64Array;
  readonly dof: number;
  readonly scale: Float64Array;
}

/** What `mclustMapMStep` returns to `mclustMStep`. */
export interface MapResult {
  readonly means: Float64Array;
  readonly covariances: Float64Array;
  readonly decomposition: MclustDecomposition;
  readonly inner: MclustInnerInfo | null;
}


/**
 * The MAP M-step of `model` (called by `mclustMStep`, which has checked that mclust gives the model a prior). Shapes
 * as `MclustMStepResult`; `start` as `MclustMStepOptions.start` (VEI, VEV).
 */
export function mclustMapMStep(
  model: MclustModel, stats: MclustStatistics, total: number, prior: MclustPrior, tol: number, maxIterations: number,
  start: MclustDecomposition | undefined, routine: MclustRoutine,
): MapResult {
  const em = routine === 'me';
  const { k, d, n, means: xbar, scatter: W } = stats;
  const kappa = Math.max(prior.shrinkage, 0);
  const delta = kappa > 0 ? 1 : 0;
  const muP = prior.mean;
  const nu = prior.dof;
  const s2 = prior.scale[0];
  const shrunk = new Float64Array(k * d);
  const kc = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    kc[c] = (kappa * n[c]) / (n[c] + kappa);
    for (let j = 0; j < d; j++) shrunk[c * d + j] = (n[c] * xbar[c * d + j] + kappa * muP[j]) / (n[c] + kappa);
  }
  const m = (c: number, j: number): number => xbar[c * d + j] - muP[j];
  /** Diagonal of the augmented scatter `ς² + W_c + κ_c m_c m_cᵀ`. */
  const diagonal = (c: number, j: number): number => s2 + W[c * d * d + j * d + j] + kc[c] * m(c, j) * m(c, j);
  /** `Λ + W_c + weight · m_c m_cᵀ`, d×d. */
  const augmented = (c: number, weight: number): Float64Array => {
    const B = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) B[a * d + b] = prior.scale[a * d + b] + W[c * d * d + a * d + b] + weight * m(c, a) * m(c, b);
    }
    return B;
  };
  const cov = new Float64Array(k * d * d);
  const none = { scale: null, shape: null, orientation: null };
  switch (model) {
    case 'EII': {
      // mclust `mseiip`: σ² = Σ_c [κ_c ‖m_c‖² + Σ_i z_ic ‖x_i − μ_c‖²] / (ν + N d + 2 + δ k d), about the shrunk μ_c,
      // without ς²; its EM (`meeiip`): Σ_c [κ_c ‖m_c‖² + tr W_c] / (ν + (N + k) d + 2), about x̄_c.
      let s = 0;
      for (let c = 0; c < k; c++) {
        let mm = 0;
        let shift = 0;
        for (let j = 0; j < d; j++) {
          mm += m(c, j) * m(c, j);
          shift += (xbar[c * d + j] - shrunk[c * d + j]) ** 2;
        }
        s += kc[c] * mm + trace(W, c * d * d, d) + (em ? 0 : n[c] * shift);
      }
      const sigmasq = s / (em ? nu + (total + k) * d + 2 : nu + total * d + 2 + delta * k * d);
      fillDiagonal(cov, k, d, () => sigmasq);
      return { means: shrunk, covariances: cov, decomposition: { ...none, scale: Float64Array.of(sigmasq) }, inner: null };
    }
    case 'VII': {
      // mclust `msviip`: σ²_c = (ς² + tr W_c + κ_c ‖m_c‖²) / (ν + N_c d + 2 + δ d)
      const scale = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let v = s2 + trace(W, c * d * d, d);
        for (let j = 0; j < d; j++) v += kc[c] * m(c, j) * m(c, j);
        scale[c] = v / (nu + n[c] * d + 2 + delta * d);
      }
      fillDiagonal(cov, k, d, (c) => scale[c]);
      return { means: shrunk, covariances: cov, decomposition: { ...none, scale }, inner: null };
    }
    case 'EEI': {
      // mclust `mseeip`: B_j = ς² + Σ_c (W_c,jj + κ_c m_cj²), λ = |B|^{1/d} / (ν + N + 2 + δ k), A = B / |B|^{1/d};
      // the means stay x̄_c. Its EM (`meeeip`) divides by ν + N + 1 + δ.
      const shape = new Float64Array(d).fill(s2);
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) shape[j] += W[c * d * d + j * d + j] + kc[c] * m(c, j) * m(c, j);
      const g = geometricMean(shape, 0, d, -1);
      for (let j = 0; j < d; j++) shape[j] /= g;
      const scale = g / (em ? nu + total + 1 + delta : nu + total + 2 + delta * k);
      fillDiagonal(cov, k, d, (_c, j) => scale * shape[j]);
      return { means: Float64Array.from(xbar), covariances: cov, decomposition: { ...none, scale: Float64Array.of(scale), shape }, inner: null };
    }
    case 'VVI': {
      // mclust `msvvip`: σ²_cj = (ς² + W_c,jj + κ_c m_cj²) / (ν + N_c + 2 + δ)
      const scale = new Float64Array(k);
      const shape = new Float64Array(k * d);
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) shape[c * d + j] = diagonal(c, j) / (nu + n[c] + 2 + delta);
        fillDiagonal(cov.subarray(c * d * d, (c + 1) * d * d), 1, d, (_c, j) => shape[c * d + j]);
        scale[c] = geometricMean(shape, c * d, d, c);
        for (let j = 0; j < d; j++) shape[c * d + j] /= scale[c];
      }
      return { means: shrunk, covariances: cov, decomposition: { ...none, scale, shape }, inner: null };
    }
    case 'EVI': {
      // mclust `msevip`: B_c = diag(ς² + W_c + κ_c m_c m_cᵀ), A_c = B_c / |B_c|^{1/d},
      // λ = Σ_c |B_c|^{1/d} / (ν + N + 2 + δ k); its EM (`meevip`) divides by ν + N + 1 + δ.
      const shape = new Float64Array(k * d);
      let s = 0;
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) shape[c * d + j] = diagonal(c, j);
        const g = geometricMean(shape, c * d, d, c);
        s += g;
        for (let j = 0; j < d; j++) shape[c * d + j] /= g;
      }
      const scale = s / (em ? nu + total + 1 + delta : nu + total + 2 + delta * k);
      fillDiagonal(cov, k, d, (c, j) => scale * shape[c * d + j]);
      return { means: shrunk, covariances: cov, decomposition: { ...none, scale: Float64Array.of(scale), shape }, inner: null };
    }
    case 'VEI': {
      // mclust `msveip`: as VEI's ML iterations with w_cj = ς² + W_c,jj + κ_c m_cj² and
      // λ_c = Σ_j w_cj / a_j / (ν + d N_c + 2 + δ)
      const r = veiIterations(k, d, diagonal, (c) => nu + d * n[c] + 2 + delta, start, tol, maxIterations, false);
      fillDiagonal(cov, k, d, (c, j) => r.scale[c] * r.shape[j]);
      return { means: shrunk, covariances: cov, decomposition: { scale: r.scale, shape: r.shape, orientation: null }, inner: r.inner };
    }
    case 'EEE': {
      // mclust `mseeep`: Σ = (Λ + Σ_c [W_c + κ_c m_c m_cᵀ]) / (ν + N + d + 1 + δ k)
      const sigma = Float64Array.from(prior.scale);
      for (let c = 0; c < k; c++) {
        const B = augmented(c, kc[c]);
        for (let p = 0; p < d * d; p++) sigma[p] += B[p] - prior.scale[p];
      }
      const den = nu + total + d + 1 + delta * k;
      for (let p = 0; p < d * d; p++) sigma[p] /= den;
      for (let c = 0; c < k; c++) cov.set(sigma, c * d * d);
      return { means: shrunk, covariances: cov, decomposition: none, inner: null };
    }
    case 'VVV': {
      // mclust `msvvvp`: Σ_c = (Λ + W_c + κ_c m_c m_cᵀ) / (ν + N_c + d + 1 + δ)
      for (let c = 0; c < k; c++) {
        const B = augmented(c, kc[c]);
        const den = nu + n[c] + d + 1 + delta;
        for (let p = 0; p < d * d; p++) cov[c * d * d + p] = B[p] / den;
      }
      return { means: shrunk, covariances: cov, decomposition: none, inner: null };
    }
    case 'EEV': {
      // mclust `mseevp` (which sets κ to 0): Λ + W_c = D_c Ω_c D_cᵀ, A = Σ_c Ω_c / |Σ_c Ω_c|^{1/d},
      // λ = |Σ_c Ω_c|^{1/d} / (ν + d + 1 + N); the means stay x̄_c. Its EM (`meeevp`) keeps κ: the eigenvalues of
      // Λ + W_c + κ_c m_c m_cᵀ, shrunk means, λ = |Σ_c Ω_c|^{1/d} / (ν + d + 1 + δ + N).
      const shape = new Float64Array(d);
      const orientation = new Float64Array(k * d * d);
      for (let c = 0; c < k; c++) {
        const e = symmetricEigen(augmented(c, em ? kc[c] : 0), 0, d);
        for (let j = 0; j < d; j++) shape[j] += e.values[j];
        orientation.set(e.vectors, c * d * d);
      }
      const g = geometricMean(shape, 0, d, -1);
      for (let j = 0; j < d; j++) shape[j] /= g;
      const scale = g / (em ? nu + d + 1 + delta + total : nu + d + 1 + total);
      for (let c = 0; c < k; c++) composeRotated(cov, c, orientation, c * d * d, d, (j) => scale * shape[j]);
      return { means: em ? shrunk : Float64Array.from(xbar), covariances: cov, decomposition: { scale: Float64Array.of(scale), shape, orientation }, inner: null };
    }
    case 'VEV': {
      // mclust `msvevp`: VEV's ML iterations on the eigenvalues ω_c of Λ + W_c + κ_c m_c m_cᵀ (ν unused); start
      // a = Σ_c ω_c / g, λ_c = g / N_c.
      const { omega, orientation, shape, scale } = vevStart(k, d, (c) => symmetricEigen(augmented(c, kc[c]), 0, d),
        start, (c, g) => g / n[c]);
      const inner = vevIterations(k, d, omega, shape, scale, (c, t) => t / (n[c] * d), tol, maxIterations);
      checkRteps(scale, shape);
      for (let c = 0; c < k; c++) composeRotated(cov, c, orientation, c * d * d, d, (j) => scale[c] * shape[j]);
      return { means: shrunk, covariances: cov, decomposition: { scale, shape, orientation }, inner };
    }
    case 'VEE': case 'EVE': case 'VVE': case 'EVV':
      throw new InputError('prior', 'a model that mclust gives a prior', model);
    default:
      return model satisfies never;
  }
}

