/**
 * Dense d×d linear algebra for the M-steps of mclust's decomposed covariance models (`mclust-models.ts`): the
 * symmetric eigendecomposition that mclust takes from LAPACK's `dsyev`/`dgesvd`, the orthogonal polar factor
 * `P Rᵀ` of an SVD `F = P B Rᵀ` (the orientation update of Browne & McNicholas 2014), and an inverse through Cholesky
 * (`dpotrf`/`dpotri`). All matrices are row-major `Float64Array`s; none of these routines allocates more than O(d²).
 * Jacobi methods are used for their accuracy on small matrices: eigenvalues of a positive definite matrix come out with
 * small relative error, which the volume `|W|^{1/d}` and the shape need.
 */

import { DegenerateComponentError } from '../errors.js';
import { JACOBI_MAX_SWEEPS, jacobiRotation, rotateColumns, symmetricEigen } from '../linalg.js';

export { symmetricEigen };

/** mclust's singularity threshold for shapes and volumes (√ε, its `rteps` and `sqrt(eps)` checks). */
export const MCLUST_RTEPS = Math.sqrt(Number.EPSILON);

/** mclust's FLMAX (the largest double), the "previous target" or error before the first inner iteration. */
export const MCLUST_FLMAX = 1.7976931348623157e308;

/**
 * Throws `DegenerateComponentError` when a volume or a shape entry is at or below `MCLUST_RTEPS`, where mclust's
 * M-steps return NA.
 */
export function checkRteps(scale: Float64Array, shape: Float64Array): void {
  for (let c = 0; c < scale.length; c++) {
    if (!(scale[c] > MCLUST_RTEPS)) throw new DegenerateComponentError(c, 'its volume is at or below √ε (mclust returns NA)');
  }
  for (let j = 0; j < shape.length; j++) {
    if (!(shape[j] > MCLUST_RTEPS)) throw new DegenerateComponentError(-1, 'a shape entry is at or below √ε (mclust returns NA)');
  }
}


/**
 * The orthogonal polar factor `Q = P Rᵀ` of the d×d matrix `F` (`F = P B Rᵀ` its SVD), written into `out`: the
 * orthogonal matrix nearest to F, unique when F is nonsingular. Computed by the scaled Newton iteration
 * `X ← ½(γX + γ⁻¹X⁻ᵀ)` (Higham 1986, "Computing the polar decomposition — with applications", SIAM J. Sci. Stat.
 * Comput. 7, 1160–1174; Frobenius-norm scaling γ while the steps are large), which converges quadratically in about
 * ten LU inversions; when F is ill-conditioned (a pivot below 1e-10 of the largest) or the result is not orthogonal
 * to 1e-12, by one-sided Jacobi (`polarFactorJacobi`), which also handles F of rank < d.
 */
export function polarFactor(F: Float64Array, d: number, out: Float64Array): void {
  if (!polarFactorNewton(F, d, out)) polarFactorJacobi(F, d, out);
}

/** The Newton iteration of `polarFactor`; false (out unspecified) when it does not apply. */
function polarFactorNewton(F: Float64Array, d: number, out: Float64Array): boolean {
  const X = Float64Array.from(F);
  const Y = new Float64Array(d * d);
  const lu = new Float64Array(d * d);
  const perm = new Int32Array(d);
  let converged = false;
  for (let it = 0; it < 40 && !converged; it++) {
    if (!invert(X, d, Y, lu, perm)) return false;
    let nx = 0;
    let ny = 0;
    for (let p = 0; p < d * d; p++) {
      nx += X[p] * X[p];
      ny += Y[p] * Y[p];
    }
    const gamma = Math.sqrt(Math.sqrt(ny / nx));
    let change = 0;
    let norm = 0;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        const next = 0.5 * (gamma * X[a * d + b] + Y[b * d + a] / gamma);
        change += (next - X[a * d + b]) ** 2;
        norm += next * next;
        out[a * d + b] = next;
      }
    }
    X.set(out);
    converged = change <= 1e-28 * norm;
  }
  if (!converged) return false;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let r = 0; r < d; r++) s += X[r * d + a] * X[r * d + b];
      if (!(Math.abs(s - (a === b ? 1 : 0)) <= 1e-12)) return false;
    }
  }
  out.set(X);
  return true;
}

/**
 * `Y = X⁻¹` by LU with partial pivoting (`lu`, `perm` scratch); false when a pivot is below 1e-10 of the largest
 * (X too ill-conditioned for the Newton iteration to keep its accuracy).
 */
function invert(X: Float64Array, d: number, Y: Float64Array, lu: Float64Array, perm: Int32Array): boolean {
  lu.set(X);
  let largest = 0;
  for (let j = 0; j < d; j++) {
    let p = j;
    for (let i = j + 1; i < d; i++) if (Math.abs(lu[i * d + j]) > Math.abs(lu[p * d + j])) p = i;
    perm[j] = p;
    if (p !== j) {
      for (let c = 0; c < d; c++) {
        const t = lu[j * d + c];
        lu[j * d + c] = lu[p * d + c];
        lu[p * d + c] = t;
      }
    }
    const pivot = lu[j * d + j];
    largest = Math.max(largest, Math.abs(pivot));
    if (!(Math.abs(pivot) > 1e-10 * largest) || !Number.isFinite(pivot)) return false;
    for (let i = j + 1; i < d; i++) {
      const f = (lu[i * d + j] /= pivot);
      if (f === 0) continue;
      for (let c = j + 1; c < d; c++) lu[i * d + c] -= f * lu[j * d + c];
    }
  }
  // Solve LU Y = P I column by column.
  Y.fill(0);
  for (let j = 0; j < d; j++) Y[j * d + j] = 1;
  for (let j = 0; j < d; j++) {
    const p = perm[j];
    if (p !== j) {
      for (let c = 0; c < d; c++) {
        const t = Y[j * d + c];
        Y[j * d + c] = Y[p * d + c];
        Y[p * d + c] = t;
      }
    }
  }
  for (let c = 0; c < d; c++) {
    for (let i = 1; i < d; i++) {
      let s = Y[i * d + c];
      for (let m = 0; m < i; m++) s -= lu[i * d + m] * Y[m * d + c];
      Y[i * d + c] = s;
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = Y[i * d + c];
      for (let m = i + 1; m < d; m++) s -= lu[i * d + m] * Y[m * d + c];
      Y[i * d + c] = s / lu[i * d + i];
    }
  }
  return true;
}

/**
 * `polarFactor` by one-sided Jacobi (Hestenes): orthogonalizes the columns of F, `F V = U B`, so `Q = U Vᵀ` needs no
 * ordering of the singular values. A column whose singular value is below `1e-14·max B` (F of rank < d) is completed
 * by Gram–Schmidt, a choice LAPACK makes its own way (there Q is not unique).
 */
export function polarFactorJacobi(F: Float64Array, d: number, out: Float64Array): void {
  // Columns count as orthogonal when |u_pᵀu_q| ≤ d·ε·‖u_p‖‖u_q‖ (Demmel & Veselić 1992): a tighter rule is below the
  // rounding of the dot product itself and would run every sweep.
  const ORTHOGONAL = d * Number.EPSILON;
  const u = Float64Array.from(F);
  const v = new Float64Array(d * d);
  for (let j = 0; j < d; j++) v[j * d + j] = 1;
  for (let sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let r = 0; r < d; r++) {
          const up = u[r * d + p];
          const uq = u[r * d + q];
          alpha += up * up;
          beta += uq * uq;
          gamma += up * uq;
        }
        if (gamma === 0 || Math.abs(gamma) <= ORTHOGONAL * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const { c, s } = jacobiRotation((beta - alpha) / (2 * gamma));
        rotateColumns(u, d, p, q, c, s);
        rotateColumns(v, d, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = new Float64Array(d);
  let maxNorm = 0;
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let r = 0; r < d; r++) s += u[r * d + j] * u[r * d + j];
    norms[j] = Math.sqrt(s);
    maxNorm = Math.max(maxNorm, norms[j]);
  }
  // U's columns, largest singular value first, made orthonormal by Gram–Schmidt (twice, against the ones before):
  // Jacobi leaves them orthogonal only to its stopping rule, and an ill-conditioned F loses that in its small columns,
  // which would make Q (and EM's orientation) drift from orthogonal. A column of F of rank < d, or one that projects
  // to nothing, is completed from the unit vectors.
  const order = Array.from({ length: d }, (_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const done: number[] = [];
  for (const j of order) {
    let ok = false;
    if (norms[j] > 1e-14 * maxNorm) {
      for (let r = 0; r < d; r++) u[r * d + j] /= norms[j];
      ok = orthonormalize(u, d, j, done);
    }
    for (let e = 0; !ok && e < d; e++) {
      for (let r = 0; r < d; r++) u[r * d + j] = r === e ? 1 : 0;
      ok = orthonormalize(u, d, j, done);
    }
    done.push(j);
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let m = 0; m < d; m++) s += u[a * d + m] * v[b * d + m];
      out[a * d + b] = s;
    }
  }
}

/**
 * Column j of the d×d `u` (unit length) made orthogonal to the orthonormal columns `done` by two passes of Gram–Schmidt
 * and normalized; false when less than half of its length is left (it lies in their span).
 */
function orthonormalize(u: Float64Array, d: number, j: number, done: readonly number[]): boolean {
  for (let pass = 0; pass < 2; pass++) {
    for (const m of done) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += u[r * d + m] * u[r * d + j];
      for (let r = 0; r < d; r++) u[r * d + j] -= dot * u[r * d + m];
    }
  }
  let s = 0;
  for (let r = 0; r < d; r++) s += u[r * d + j] * u[r * d + j];
  if (!(s > 0.25)) return false;
  const norm = Math.sqrt(s);
  for (let r = 0; r < d; r++) u[r * d + j] /= norm;
  return true;
}

/**
 * The inverse of the symmetric positive definite d×d matrix `A` through its Cholesky factor (LAPACK `dpotrf` then
 * `dpotri`, as mclust's `msvee` inverts C), and `log det A`. Returns null when a pivot is not positive.
 */
export function spdInverse(A: Float64Array, d: number): { inverse: Float64Array; logDet: number } | null {
  const L = new Float64Array(d * d);
  let logDet = 0;
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j];
    for (let m = 0; m < j; m++) s -= L[j * d + m] * L[j * d + m];
    if (!(s > 0) || !Number.isFinite(s)) return null;
    const ljj = Math.sqrt(s);
    L[j * d + j] = ljj;
    logDet += 2 * Math.log(ljj);
    for (let i = j + 1; i < d; i++) {
      let t = A[i * d + j];
      for (let m = 0; m < j; m++) t -= L[i * d + m] * L[j * d + m];
      L[i * d + j] = t / ljj;
    }
  }
  // M = L⁻¹ (lower), then A⁻¹ = Mᵀ M.
  const M = new Float64Array(d * d);
  for (let col = 0; col < d; col++) {
    for (let i = col; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let m = col; m < i; m++) s -= L[i * d + m] * M[m * d + col];
      M[i * d + col] = s / L[i * d + i];
    }
  }
  const inverse = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let m = b; m < d; m++) s += M[m * d + a] * M[m * d + b];
      inverse[a * d + b] = s;
      inverse[b * d + a] = s;
    }
  }
  return { inverse, logDet };
}

/** `C = A B` for d×d row-major matrices (C must not alias A or B). */
export function matMul(A: Float64Array, B: Float64Array, d: number, C: Float64Array, aOff = 0, bOff = 0): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let m = 0; m < d; m++) s += A[aOff + i * d + m] * B[bOff + m * d + j];
      C[i * d + j] = s;
    }
  }
}

/** `tr W` of the d×d block at `off`. */
export function trace(W: Float64Array, off: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += W[off + j * d + j];
  return s;
}

/**
 * `(Π v_j)^{1/d}` over `v[off…off+d)`, through logs as mclust takes it (`exp(Σ log v_j / d)`); a non-positive
 * value is a singular component (`component`, −1 for a pooled quantity).
 */
export function geometricMean(v: Float64Array, off: number, d: number, component: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    if (!(v[off + j] > 0)) throw new DegenerateComponentError(component, 'a variance or eigenvalue is not positive');
    s += Math.log(v[off + j]);
  }
  return Math.exp(s / d);
}

/** Writes diagonal covariances `cov[c][j][j] = value(c, j)` (zero off the diagonal). */
export function fillDiagonal(cov: Float64Array, k: number, d: number, value: (c: number, j: number) => number): void {
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) cov[c * d * d + j * d + j] = value(c, j);
}

/** `cov[c] = D diag(value(j)) Dᵀ` with D the d×d block of `D` at `dOff` (columns the axes). */
export function composeRotated(
  cov: Float64Array, c: number, D: Float64Array, dOff: number, d: number, value: (j: number) => number,
): void {
  const out = c * d * d;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let m = 0; m < d; m++) s += D[dOff + a * d + m] * value(m) * D[dOff + b * d + m];
      cov[out + a * d + b] = s;
      cov[out + b * d + a] = s;
    }
  }
}

