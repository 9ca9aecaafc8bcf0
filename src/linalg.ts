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
