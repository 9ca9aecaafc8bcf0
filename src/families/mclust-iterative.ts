/**
 * The iterative maximum-likelihood M-steps of mclust's models VEI, VEV, VEE, EVE and VVE (`mclust-models.ts`),
 * step for step as mclust 6's Fortran routines (`msvei`, `msvev` in `src/mclust.f`; `msvee`, `mseve`, `msvve` in
 * `src/mclust2.f`) and with the same stopping rules, so that the same start gives the same iterates. Each alternates
 * between the parts of `Σ_c = λ_c D_c A_c D_cᵀ`, every part the maximizer given the others, which never decreases
 * the likelihood (Celeux & Govaert 1995, §3; Browne & McNicholas 2014 for the orientation).
 */
import { DegenerateComponentError } from '../errors.js';
import {
  checkRteps, composeRotated, fillDiagonal, geometricMean, matMul, MCLUST_FLMAX, MCLUST_RTEPS, polarFactor, spdInverse,
  symmetricEigen,
} from './mclust-linalg.js';
import type { MclustDecomposition, MclustInnerInfo, MclustRoutine, MclustStatistics } from './mclust-models.js';

/** What an iterative M-step returns to `mclustMStep`. */
export interface IterativeResult {
  readonly covariances: Float64Array;
  readonly decomposition: MclustDecomposition;
  readonly inner: MclustInnerInfo;
}


/**
 * VEI, `Σ_c = λ_c A` with A diagonal (Celeux & Govaert 1995 §3.2; mclust `msvei`; `mevei` in EM): from the start
 * (A, λ) [ones], repeat `λ_c = Σ_j w_cj / a_j / (d N_c)`, `a_j = Σ_c w_cj / λ_c` normalized to `|A| = 1`, with
 * `w_cj` the diagonal of W_c, while the largest relative change `|old − new| / (1 + new)` of any λ_c or a_j exceeds
 * `tol` and at most `maxIterations + 1` times (mclust's `inner .le. maxi`).
 */
export function mstepVEI(stats: MclustStatistics, tol: number, maxIterations: number, start?: MclustDecomposition): IterativeResult {
  const { k, d, n, scatter: W } = stats;
  const r = veiIterations(k, d, (c, j) => W[c * d * d + j * d + j], (c) => d * n[c], start, tol, maxIterations, true);
  const cov = new Float64Array(k * d * d);
  fillDiagonal(cov, k, d, (c, j) => r.scale[c] * r.shape[j]);
  return { covariances: cov, decomposition: { scale: r.scale, shape: r.shape, orientation: null }, inner: r.inner };
}

/**
 * VEI's alternation, for its maximum-likelihood and MAP M-steps: from the start's (A, λ) [ones], repeat
 * `λ_c = Σ_j w_cj / a_j / den_c`, `a_j = Σ_c w_cj / λ_c` normalized to `|A| = 1`, while the largest relative change
 * of λ and A exceeds `tol` and at most `maxIterations` iterations ran (mclust's `msvei` and `msveip` test the count
 * after the iteration, so one more may run); `atLeastOnce` runs one even when `maxIterations` is 0 (as `msvei`).
 * `w(c, j)` is the diagonal of the (augmented) scatter, `den(c)` the volume's divisor. Then mclust's √ε checks.
 */
export function veiIterations(
  k: number, d: number, w: (c: number, j: number) => number, den: (c: number) => number,
  start: MclustDecomposition | undefined, tol: number, maxIterations: number, atLeastOnce: boolean,
): { scale: Float64Array; shape: Float64Array; inner: MclustInnerInfo } {
  const shape = start?.shape && start.shape.length === d ? Float64Array.from(start.shape) : new Float64Array(d).fill(1);
  const scale = start?.scale && start.scale.length === k ? Float64Array.from(start.scale) : new Float64Array(k).fill(1);
  let inner = 0;
  let err = MCLUST_FLMAX;
  const previousScale = new Float64Array(k);
  const previousShape = new Float64Array(d);
  if (atLeastOnce || maxIterations > 0) {
    do {
      for (let j = 0; j < d; j++) if (!(shape[j] > 0)) throw new DegenerateComponentError(-1, 'a shape entry is not positive');
      inner++;
      previousScale.set(scale);
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += w(c, j) / shape[j];
        scale[c] = s / den(c);
        if (!(scale[c] > 0) || !Number.isFinite(scale[c])) throw new DegenerateComponentError(c, 'its volume is not positive');
      }
      previousShape.set(shape);
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += w(c, j) / scale[c];
        shape[j] = s;
      }
      const g = geometricMean(shape, 0, d, -1);
      for (let j = 0; j < d; j++) shape[j] /= g;
      err = 0;
      for (let c = 0; c < k; c++) err = Math.max(err, Math.abs(previousScale[c] - scale[c]) / (1 + scale[c]));
      for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(previousShape[j] - shape[j]) / (1 + shape[j]));
    } while (err > tol && inner <= maxIterations);
  }
  checkRteps(scale, shape);
  return { scale, shape, inner: { iterations: inner, error: err } };
}

/**
 * VEV, `Σ_c = λ_c D_c A D_cᵀ` (Celeux & Govaert 1995 §3.3; mclust `msvev`, `mevev`): with `W_c = D_c Ω_c D_cᵀ`
 * (eigenvalues `ω_cj` decreasing), repeat `λ_c = Σ_j ω_cj / a_j / (d N_c)`, `a_j = Σ_c ω_cj / λ_c` normalized to
 * `|A| = 1`, while the largest relative change is at least `tol` and fewer than `maxIterations` iterations ran. Start:
 * the given (A, λ), else mclust's `msvev` start `a = Σ_c ω_c / g`, `λ_c = g / (N_c N)` with `g = |Σ_c Ω_c|^{1/d}`
 * (`routine` 'mstep'; mclust's EM, 'me', starts its first M-step at `λ_c = g / N`).
 */
export function mstepVEV(
  stats: MclustStatistics, total: number, tol: number, maxIterations: number, start?: MclustDecomposition,
  routine: MclustRoutine = 'mstep',
): IterativeResult {
  const { k, d, n, scatter: W } = stats;
  const { omega, orientation, shape, scale } = vevStart(k, d, (c) => symmetricEigen(W, c * d * d, d), start,
    (c, g) => (routine === 'me' ? g / total : g / (n[c] * total)));
  const inner = vevIterations(k, d, omega, shape, scale, (c, t) => t / n[c] / d, tol, maxIterations);
  checkRteps(scale, shape);
  const cov = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) composeRotated(cov, c, orientation, c * d * d, d, (j) => scale[c] * shape[j]);
  return { covariances: cov, decomposition: { scale, shape, orientation }, inner };
}

/**
 * What VEV's alternation starts from: each (augmented) scatter's eigenvalues ω (k×d) and vectors (k×d×d, `eigenOf`),
 * and the start's shape A and volumes λ, else `a = Σ_c ω_c / g` with `g = |Σ_c Ω_c|^{1/d}` and `λ_c = volume(c, g)`
 * (each of mclust's routines has its own).
 */
export function vevStart(
  k: number, d: number, eigenOf: (c: number) => { values: Float64Array; vectors: Float64Array },
  start: MclustDecomposition | undefined, volume: (c: number, g: number) => number,
): { omega: Float64Array; orientation: Float64Array; shape: Float64Array; scale: Float64Array } {
  const omega = new Float64Array(k * d);
  const orientation = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) {
    const e = eigenOf(c);
    omega.set(e.values, c * d);
    orientation.set(e.vectors, c * d * d);
  }
  if (start?.shape && start.shape.length === d && start.scale && start.scale.length === k) {
    return { omega, orientation, shape: Float64Array.from(start.shape), scale: Float64Array.from(start.scale) };
  }
  const shape = new Float64Array(d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) shape[j] += omega[c * d + j];
  const g = geometricMean(shape, 0, d, -1);
  const scale = Float64Array.from({ length: k }, (_, c) => volume(c, g));
  for (let j = 0; j < d; j++) shape[j] /= g;
  return { omega, orientation, shape, scale };
}

/**
 * `d_jᵀ W_c d_j`: the variance of scatter c (at `W[c·d·d…]`) along column j of the orientation D (d×d).
 */
export function axisVariance(W: Float64Array, c: number, d: number, D: Float64Array, j: number): number {
  let s = 0;
  for (let a = 0; a < d; a++) {
    let t = 0;
    for (let b = 0; b < d; b++) t += W[c * d * d + a * d + b] * D[b * d + j];
    s += D[a * d + j] * t;
  }
  return s;
}

/**
 * VEV's alternation on the eigenvalues ω (k×d) of each (augmented) scatter, in place from the start's shape A (d)
 * and volumes λ (k), for its maximum-likelihood and MAP M-steps: repeat `λ_c = volume(c, Σ_j ω_cj / a_j)`,
 * `a_j = Σ_c ω_cj / λ_c` normalized to `|A| = 1`, while the largest relative change is at least `tol` and fewer than
 * `maxIterations` ran (none when it is 0). `volume` divides as each of mclust's routines does.
 */
export function vevIterations(
  k: number, d: number, omega: Float64Array, shape: Float64Array, scale: Float64Array,
  volume: (c: number, t: number) => number, tol: number, maxIterations: number,
): MclustInnerInfo {
  let inner = 0;
  let err = MCLUST_FLMAX;
  const previousShape = new Float64Array(d);
  const previousScale = new Float64Array(k);
  if (maxIterations > 0) {
    do {
      previousShape.set(shape);
      previousScale.set(scale);
      shape.fill(0);
      for (let c = 0; c < k; c++) {
        let t = 0;
        for (let j = 0; j < d; j++) t += omega[c * d + j] / previousShape[j];
        scale[c] = volume(c, t);
        if (!(scale[c] > 0) || !Number.isFinite(scale[c])) throw new DegenerateComponentError(c, 'its volume is not positive');
        for (let j = 0; j < d; j++) shape[j] += omega[c * d + j] / scale[c];
      }
      inner++;
      const g = geometricMean(shape, 0, d, -1);
      for (let j = 0; j < d; j++) shape[j] /= g;
      err = 0;
      for (let j = 0; j < d; j++) err = Math.max(Math.abs(previousShape[j] - shape[j]) / (1 + shape[j]), err);
      for (let c = 0; c < k; c++) err = Math.max(Math.abs(scale[c] - previousScale[c]) / (1 + scale[c]), err);
    } while (err >= tol && inner < maxIterations);
  }
  return { iterations: inner, error: err };
}

/**
 * VEE, `Σ_c = λ_c C` with `|C| = 1` (Celeux & Govaert 1995 §3.3; mclust `msvee`, `mevee`): from `λ = 1` (at every
 * M-step, in EM too), repeat `C = M / |M|^{1/d}` with `M = Σ_c W_c / λ_c`, `λ_c = tr(W_c C⁻¹) / (d N_c)`, while the
 * relative change of the target `N d + d Σ_c N_c log λ_c` exceeds `tol` and fewer than `maxIterations` ran.
 */
export function mstepVEE(stats: MclustStatistics, tol: number, maxIterations: number): IterativeResult {
  const { k, d, n, scatter: W } = stats;
  let total = 0;
  for (let c = 0; c < k; c++) {
    total += n[c];
    if (spdInverse(W.subarray(c * d * d, (c + 1) * d * d), d) === null) {
      throw new DegenerateComponentError(c, 'its scatter matrix is not positive definite');
    }
  }
  const scale = new Float64Array(k).fill(1);
  const C = new Float64Array(d * d);
  let values = new Float64Array(d);
  let inner = 0;
  let err = MCLUST_FLMAX;
  let target = MCLUST_FLMAX;
  let previous = MCLUST_FLMAX / 2;
  do {
    inner++;
    C.fill(0);
    for (let c = 0; c < k; c++) for (let p = 0; p < d * d; p++) C[p] += W[c * d * d + p] / scale[c];
    const e = symmetricEigen(C, 0, d);
    const det = geometricMean(e.values, 0, d, -1);
    for (let p = 0; p < d * d; p++) C[p] /= det;
    values = e.values.map((v) => v / det);
    const inv = spdInverse(C, d);
    if (inv === null) throw new DegenerateComponentError(-1, 'the common shape-orientation matrix is not positive definite');
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let p = 0; p < d * d; p++) s += W[c * d * d + p] * inv.inverse[p];
      scale[c] = s / (d * n[c]);
    }
    target = total * d;
    for (let c = 0; c < k; c++) target += d * Math.log(scale[c]) * n[c];
    err = Math.abs(target - previous) / (1 + Math.abs(target));
    previous = target;
  } while (err > tol && inner < maxIterations);
  checkRteps(scale, values);
  const orientation = symmetricEigen(C, 0, d).vectors;
  const cov = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) for (let p = 0; p < d * d; p++) cov[c * d * d + p] = scale[c] * C[p];
  return { covariances: cov, decomposition: { scale, shape: values, orientation }, inner: { iterations: inner, error: err } };
}

/**
 * EVE, `Σ_c = λ D A_c Dᵀ` (mclust `mseve`, `meeve`; Browne & McNicholas 2014, MM 1 and MM 2 with mclust's variant of
 * MM 2). `ω_c` is the largest eigenvalue of W_c. Each iteration: `D ← Q(F₁)ᵀ` with
 * `F₁ = Σ_c A_c⁻¹ Dᵀ (W_c − ω_c I)`, then `D ← Q(F₂)` with `F₂ = Σ_c W_c D (A_c⁻¹ − max_j(1/a_cj) I)` (Q the
 * orthogonal polar factor, `P Rᵀ` of the SVD), then `A_c = diag(Dᵀ W_c D)` normalized to `|A_c| = 1`; the target
 * `Σ_c tr(Dᵀ W_c D A_c⁻¹)` stops the loop when its relative change is at most `tol` (or after `maxIterations`);
 * `λ = target / (N d)`. Start: the given D and A_c [I and I]; mclust's EM keeps them from one M-step to the next.
 */
export function mstepEVE(
  stats: MclustStatistics, total: number, tol: number, maxIterations: number, start?: MclustDecomposition,
): IterativeResult {
  const { k, d } = stats;
  const r = commonOrientation(stats, tol, maxIterations, start, false);
  const scale = r.target / (total * d);
  const cov = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) composeRotated(cov, c, r.D, 0, d, (j) => scale * r.shape[c * d + j]);
  return {
    covariances: cov, decomposition: { scale: Float64Array.of(scale), shape: r.shape, orientation: r.D },
    inner: { iterations: r.iterations, error: r.error },
  };
}

/**
 * VVE, `Σ_c = λ_c D A_c Dᵀ` (mclust `msvve`, `mevve`): the iterations of EVE (`mstepEVE`) with
 * `λ_c A_c = diag(Dᵀ W_c D) / N_c`, split by `λ_c = |diag(Dᵀ W_c D) / N_c|^{1/d}`.
 */
export function mstepVVE(stats: MclustStatistics, tol: number, maxIterations: number, start?: MclustDecomposition): IterativeResult {
  const { k, d } = stats;
  const r = commonOrientation(stats, tol, maxIterations, start, true);
  const cov = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) composeRotated(cov, c, r.D, 0, d, (j) => r.scale[c] * r.shape[c * d + j]);
  return {
    covariances: cov, decomposition: { scale: r.scale, shape: r.shape, orientation: r.D },
    inner: { iterations: r.iterations, error: r.error },
  };
}

function commonOrientation(
  stats: MclustStatistics, tol: number, maxIterations: number, start: MclustDecomposition | undefined, variableVolume: boolean,
): { D: Float64Array; shape: Float64Array; scale: Float64Array; target: number; iterations: number; error: number } {
  const { k, d, n, scatter: W } = stats;
  const omega = largestEigenvalues(W, k, d);
  const D = startOrientation(start, d);
  const shape = start?.shape && start.shape.length === k * d ? Float64Array.from(start.shape) : new Float64Array(k * d).fill(1);
  const scale = new Float64Array(k).fill(1);
  const work = orientationWork(d);
  const T = new Float64Array(d * d);
  let iterations = 0;
  let error = MCLUST_FLMAX;
  let target = MCLUST_FLMAX;
  let previous = MCLUST_FLMAX / 2;
  do {
    iterations++;
    orientationUpdate(W, k, d, D, shape, omega, work);
    // Shapes from diag(Dᵀ W_c D) and the target Σ_c tr(Dᵀ W_c D A_c⁻¹).
    target = 0;
    for (let c = 0; c < k; c++) {
      const off = c * d;
      for (let j = 0; j < d; j++) {
        const s = axisVariance(W, c, d, D, j);
        shape[off + j] = variableVolume ? s / n[c] : s;
        T[j] = s;
      }
      const g = geometricMean(shape, off, d, c);
      if (variableVolume) scale[c] = g;
      for (let j = 0; j < d; j++) shape[off + j] /= g;
      for (let j = 0; j < d; j++) {
        if (shape[off + j] < MCLUST_RTEPS) throw new DegenerateComponentError(c, 'its shape is at or below √ε (mclust returns NA)');
      }
      for (let j = 0; j < d; j++) target += T[j] / shape[off + j];
    }
    error = Math.abs(target - previous) / (1 + Math.abs(target));
    previous = target;
  } while (error > tol && iterations < maxIterations);
  return { D, shape, scale, target, iterations, error };
}

/**
 * ω_c, the largest eigenvalue of each scatter W_c (the majorizer of the first orientation update); a scatter whose
 * smallest eigenvalue is below √ε is a `DegenerateComponentError`.
 */
export function largestEigenvalues(W: Float64Array, k: number, d: number): Float64Array {
  const omega = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const e = symmetricEigen(W, c * d * d, d);
    if (e.values[d - 1] < MCLUST_RTEPS) throw new DegenerateComponentError(c, 'its scatter matrix is (nearly) singular');
    omega[c] = e.values[0];
  }
  return omega;
}

/** The start's common orientation (d×d), or the identity. */
export function startOrientation(start: MclustDecomposition | undefined, d: number): Float64Array {
  const D = new Float64Array(d * d);
  if (start?.orientation && start.orientation.length === d * d) D.set(start.orientation);
  else for (let j = 0; j < d; j++) D[j * d + j] = 1;
  return D;
}

/** Scratch of `orientationUpdate`: three d×d matrices. */
export interface OrientationWork {
  readonly F: Float64Array;
  readonly T: Float64Array;
  readonly Q: Float64Array;
}

/** Scratch for `orientationUpdate` in d dimensions. */
export function orientationWork(d: number): OrientationWork {
  return { F: new Float64Array(d * d), T: new Float64Array(d * d), Q: new Float64Array(d * d) };
}

/**
 * One pair of Browne & McNicholas's (2014, §3) MM updates of the common orientation D (d×d, in place) for the
 * diagonal weights `a` (k×d: the shapes A_c of EVE, or Ψ_c = λ_c A_c of VVE), each lowering
 * `Σ_c tr(Dᵀ W_c D diag(a_c)⁻¹)`: `D ← Q(F₁)ᵀ`, `F₁ = Σ_c a_c⁻¹ Dᵀ W_c − ω_c a_c⁻¹ Dᵀ` (ω_c the largest eigenvalue
 * of W_c, `largestEigenvalues`), then `D ← Q(F₂)`, `F₂ = Σ_c W_c D a_c⁻¹ − max_j(1/a_cj) W_c D` (Q the orthogonal
 * polar factor).
 */
export function orientationUpdate(
  W: Float64Array, k: number, d: number, D: Float64Array, a: Float64Array, omega: Float64Array, work: OrientationWork,
): void {
  const { F, T, Q } = work;
  F.fill(0);
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < d; p++) {
      const inv = 1 / a[c * d + p];
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let m = 0; m < d; m++) s += D[m * d + p] * W[c * d * d + m * d + b];
        F[p * d + b] += inv * s - omega[c] * inv * D[b * d + p];
      }
    }
  }
  polarFactor(F, d, Q);
  for (let p = 0; p < d; p++) for (let b = 0; b < d; b++) D[p * d + b] = Q[b * d + p];
  F.fill(0);
  for (let c = 0; c < k; c++) {
    matMul(W, D, d, T, c * d * d, 0);
    let maxInv = 0;
    for (let j = 0; j < d; j++) maxInv = Math.max(maxInv, 1 / a[c * d + j]);
    for (let p = 0; p < d; p++) {
      for (let b = 0; b < d; b++) F[p * d + b] += T[p * d + b] / a[c * d + b] - maxInv * T[p * d + b];
    }
  }
  polarFactor(F, d, D);
}

/** mclust's EM checks after an M-step (`rteps`): a volume or shape at or below √ε is a singular fit. */

