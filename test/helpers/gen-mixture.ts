/**
 * Seeded synthetic Gaussian mixtures for recovery tests.
 *
 * A line-by-line port of the project's data generator `gen.mjs` (`node gen.mjs NAME N D K SEED [sep]`): it reproduces
 * gen.mjs's 64-bit xorshift stream (shifts 13, 7, 17, top 53 bits as the uniform) and draws every number in the same
 * order with the same floating-point operations, so `generateMixture(n, d, k, seed, sep)` is bit-identical to the
 * `.f64`, `.labels.u32` and `.json` files gen.mjs writes for the same arguments (checked against gen.mjs output for
 * (n, d, k, seed, sep) = (2000, 5, 4, 7, 4) and (1000, 2, 3, 1, 6)).
 *
 * Model: k components with weights `(0.5 + U)` normalised, means uniform in `±sep·√k` per coordinate, and covariance
 * `Rᵀ diag(s²) R` with scales `s ∈ [0.3, 1.5)` and `R` a random orthonormal basis (Gram–Schmidt on Gaussian vectors).
 */

/** Output of {@link generateMixture}. */
export interface GeneratedMixture {
  /** Row-major n×d data. */
  readonly X: Float64Array;
  /** True component of each row, length n. */
  readonly labels: Uint32Array;
  /** True mixing weights, length k (sum to 1). */
  readonly weights: number[];
  /** True means, k×d. */
  readonly means: number[][];
}

interface Component {
  w: number;
  mean: number[];
  scales: number[];
  R: number[][];
}

const MASK64 = 0xffffffffffffffffn;

/**
 * Draws n rows of a k-component mixture in d dimensions, bit-identical to `gen.mjs` with the same arguments.
 * @param sep separation factor of the means (gen.mjs's optional sixth argument, default 4).
 */
export function generateMixture(n: number, d: number, k: number, seed: number, sep = 4): GeneratedMixture {
  // gen.mjs: `let s = BigInt(+SEED || 1)` (a seed of 0 would freeze xorshift at 0).
  let s = BigInt(seed || 1);
  const u = (): number => {
    s ^= s << 13n;
    s &= MASK64;
    s ^= s >> 7n;
    s ^= s << 17n;
    s &= MASK64;
    return Number(s >> 11n) / 2 ** 53;
  };
  // Box–Muller, cosine branch only (one normal per two uniforms), as gen.mjs.
  const g = (): number => {
    const a = u() || 1e-300;
    const b = u();
    return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b);
  };
  const rot = (): number[][] => {
    const Q: number[][] = [];
    for (let i = 0; i < d; i++) {
      let v = Array.from({ length: d }, g);
      for (const q of Q) {
        const p = v.reduce((acc, x, j) => acc + x * q[j]!, 0);
        v = v.map((x, j) => x - p * q[j]!);
      }
      const nv = Math.hypot(...v);
      Q.push(v.map((x) => x / nv));
    }
    return Q;
  };

  const comps: Component[] = [];
  let wsum = 0;
  for (let c = 0; c < k; c++) {
    // Object-literal evaluation order is the draw order: w, mean, scales, R.
    const w = 0.5 + u();
    wsum += w;
    const mean = Array.from({ length: d }, () => (u() * 2 - 1) * sep * Math.sqrt(k));
    const scales = Array.from({ length: d }, () => 0.3 + 1.2 * u());
    const R = rot();
    comps.push({ w, mean, scales, R });
  }
  for (const c of comps) c.w /= wsum;

  const X = new Float64Array(n * d);
  const labels = new Uint32Array(n);
  const cum: number[] = [];
  let acc = 0;
  for (const c of comps) cum.push((acc += c.w));
  for (let i = 0; i < n; i++) {
    const r = u();
    let c = cum.findIndex((x) => r <= x);
    if (c < 0) c = k - 1;
    labels[i] = c;
    const C = comps[c]!;
    const z = C.scales.map((sc) => sc * g());
    for (let j = 0; j < d; j++) {
      let v = C.mean[j]!;
      for (let t = 0; t < d; t++) v += C.R[t]![j]! * z[t]!;
      X[i * d + j] = v;
    }
  }
  return { X, labels, weights: comps.map((c) => c.w), means: comps.map((c) => c.mean) };
}
