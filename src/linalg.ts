/** Small dense linear algebra for the M-step (d×d matrices, row-major). */

/**
 * The smallest pivot the M-step's Cholesky factors accept, relative to its diagonal entry and per dimension:
 * 2⁻⁴⁵ ≈ 2.8e-14. A pivot `s_j = A_jj (1 − R²_j)` of a covariance estimated from sums carries rounding of a few
 * ε·A_jj, so below d·2⁻⁴⁵·A_jj its sign is noise: one summation order (one backend) would find it positive and the
 * other negative. Treating every such estimate as singular makes both backends decide alike (a condition number of
 * about 1e13 and more).
 */
export const CHOLESKY_RELATIVE_PIVOT = 2 ** -45;

/**
 * Cholesky factor L (lower triangular, `A = L Lᵀ`) of the symmetric d×d matrix at `A[off…]`, written into `L`
 * (d×d, upper part zeroed). Returns false when A is not positive definite: a pivot not finite or at or below
 * `relativeFloor` times its diagonal entry (0: any positive pivot; the M-step passes d·`CHOLESKY_RELATIVE_PIVOT`).
 */
export function choleskyLower(A: ArrayLike<number>, off: number, d: number, L: Float64Array, relativeFloor = 0): boolean {
  L.fill(0, 0, d * d);
  for (let j = 0; j < d; j++) {
    const diagonal = A[off + j * d + j];
    let s = diagonal;
    for (let m = 0; m < j; m++) s -= L[j * d + m] * L[j * d + m];
    if (!(s > relativeFloor * diagonal) || !Number.isFinite(s)) return false;
    const ljj = Math.sqrt(s);
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = A[off + i * d + j];
      for (let m = 0; m < j; m++) t -= L[i * d + m] * L[j * d + m];
      L[i * d + j] = t / ljj;
    }
  }
  return true;
}

/**
 * The precision Cholesky factor of scikit-learn (`precisions_cholesky_`): `U = L⁻ᵀ`, upper triangular, so that
 * `Σ⁻¹ = U Uᵀ`. Written into `out` at `outOff` (d×d). Returns `log det U = −Σ_j log L_jj`.
 */
export function precisionCholeskyFromLower(L: Float64Array, d: number, out: Float64Array, outOff: number): number {
  // Solve L M = I column by column (M = L⁻¹, lower triangular); U[a][b] = M[b][a].
  let logDet = 0;
  for (let b = 0; b < d * d; b++) out[outOff + b] = 0;
  for (let col = 0; col < d; col++) {
    for (let i = col; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let m = col; m < i; m++) s -= L[i * d + m] * out[outOff + col * d + m];
      // M[i][col] stored transposed as U[col][i]
      out[outOff + col * d + i] = s / L[i * d + i];
    }
    logDet -= Math.log(L[col * d + col]);
  }
  return logDet;
}

/** Largest number of Jacobi sweeps; a symmetric d×d matrix converges in well under 30 for any d used here. */
export const JACOBI_MAX_SWEEPS = 60;

/**
 * Eigendecomposition `A = V diag(λ) Vᵀ` of the symmetric d×d matrix at `A[off…]` by cyclic Jacobi rotations
 * (Golub & Van Loan, "Matrix Computations", 4th ed., §8.5). Eigenvalues in decreasing order (as mclust reads
 * `dgesvd`'s singular values); `vectors` (d×d) holds the unit eigenvectors as columns, `vectors[i·d + j]` the i-th
 * entry of the j-th vector. The sign of each vector is arbitrary.
 */
export function symmetricEigen(
  A: ArrayLike<number>, off: number, d: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = new Float64Array(d * d);
  for (let p = 0; p < d * d; p++) a[p] = A[off + p];
  const v = new Float64Array(d * d);
  for (let j = 0; j < d; j++) v[j * d + j] = 1;
  for (let sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    let off2 = 0;
    let diag2 = 0;
    for (let p = 0; p < d; p++) {
      diag2 += a[p * d + p] * a[p * d + p];
      for (let q = p + 1; q < d; q++) off2 += a[p * d + q] * a[p * d + q];
    }
    if (off2 <= 1e-34 * diag2 || off2 === 0) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const app = a[p * d + p];
        const aqq = a[q * d + q];
        const { c, s } = jacobiRotation((aqq - app) / (2 * apq));
        rotateColumns(a, d, p, q, c, s);
        for (let r = 0; r < d; r++) {
          const apr = a[p * d + r];
          const aqr = a[q * d + r];
          a[p * d + r] = c * apr - s * aqr;
          a[q * d + r] = s * apr + c * aqr;
        }
        a[p * d + q] = 0;
        a[q * d + p] = 0;
        rotateColumns(v, d, p, q, c, s);
      }
    }
  }
  const order = Array.from({ length: d }, (_, j) => j).sort((x, y) => a[y * d + y] - a[x * d + x]);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  order.forEach((src, j) => {
    values[j] = a[src * d + src];
    for (let r = 0; r < d; r++) vectors[r * d + j] = v[r * d + src];
  });
  return { values, vectors };
}

/**
 * The Jacobi rotation that zeroes an off-diagonal pair, from `ζ = (a_qq − a_pp) / (2 a_pq)` (or, one-sided,
 * `(β − α) / (2γ)`): `t = sign(ζ) / (|ζ| + √(1 + ζ²))`, `c = 1 / √(1 + t²)`, `s = t·c` (Golub & Van Loan 2013, §8.5.2).
 */
export function jacobiRotation(zeta: number): { c: number; s: number } {
  const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(zeta * zeta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  return { c, s: t * c };
}

/** Columns p and q of the d×d row-major `m` ← `(c·m_p − s·m_q, s·m_p + c·m_q)`. */
export function rotateColumns(m: Float64Array, d: number, p: number, q: number, c: number, s: number): void {
  for (let r = 0; r < d; r++) {
    const mp = m[r * d + p];
    const mq = m[r * d + q];
    m[r * d + p] = c * mp - s * mq;
    m[r * d + q] = s * mp + c * mq;
  }
}
