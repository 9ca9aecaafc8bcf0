/**
 * The kernel interface shared by every backend (DESIGN.md, "Backends").
 *
 * A backend computes, for a block of rows, the fused E-step and the sufficient statistics of a Gaussian mixture. Two
 * kernel shapes cover the four covariance types:
 * - `'full'`: one upper-triangular precision Cholesky factor `U_c` per component (`precision = U_c U_cᵀ`), or one shared
 *   factor for `'tied'` (`precStride = 0`);
 * - `'diag'`: one vector of precision square roots `1/σ_cj` per component (`'spherical'` repeats one value d times).
 *
 * The weighted log-density of row `x` under component `c` is
 *   `log w_c + log N(x | μ_c, Σ_c) = logConst_c − ½‖(x − μ_c)ᵀ U_c‖²`,
 *   `logConst_c = log w_c − (d/2) log 2π + log det U_c`
 * (scikit-learn `_estimate_log_gaussian_prob`, computed about `μ_c` instead of as `xU − μU` so that data far from the
 * origin keeps its precision).
 *
 * Statistics layout (`statsLength`): for each component `c` a block `[N_c, S1_c, S2_c]` with
 *   `N_c = Σ_i w_i r_ic`, `S1_c = Σ_i w_i r_ic (x_i − μ_c)` (d values),
 *   `S2_c = Σ_i w_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ` — full: the upper triangle packed row by row (d(d+1)/2 values, entry
 *   (a, b) with a ≤ b at `a·d − a(a−1)/2 + (b − a)`); diag: the diagonal (d values);
 * then `[Σ_i w_i log p(x_i), Σ_i w_i]` at the end. The statistics are accumulated about the current means (the shift
 * `c = μ_c` of DESIGN.md), so the M-step never subtracts two large raw moments. They are additive over any split of the
 * rows.
 *
 * A third shape, `'linear'`, serves the discrete families (Bernoulli, categorical, Poisson), whose log-density is
 * linear in a sufficient statistic t(x) of the row (the row itself, or its one-hot encoding, bound as the data):
 *   `log w_c + log p(x | c) = logConst_c + Σ_j t_j(x) θ_cj + h(x)`,
 * with `logConst` = b (k values), `prec` = θ (k×d, `precStride` d) and `means` unused (pass a zero-length array).
 * The kernels leave out h(x), which does not depend on the parameters (0 for Bernoulli and categorical, −Σ log x_j!
 * for Poisson): the family adds it where it reports likelihoods. Statistics per component `[N_c, S1_c]` with
 * `S1_c = Σ_i w_i r_ic t(x_i)` (d raw sums: t holds bounded counts or indicators, no shift is needed), then
 * `[Σ_i w_i (log p(x_i) − h(x_i)), Σ_i w_i]`. float64 data only (`assembly/discrete.ts`, `src/backend/js/linear.ts`).
 */

/** The kernel shapes. `'tied'` runs on `'full'`, `'spherical'` on `'diag'`; `'linear'` serves the discrete families. */
export type KernelShape = 'full' | 'diag' | 'linear';

/** Parameters as the kernels read them (all row-major, float64). */
export interface KernelParams {
  readonly shape: KernelShape;
  /** Number of components k. */
  readonly k: number;
  /** Number of features d. */
  readonly d: number;
  /** `log w_c − (d/2) log 2π + log det U_c` (linear: b_c), length k. */
  readonly logConst: Float64Array;
  /** Means μ, k×d (linear: unused, zero-length). */
  readonly means: Float64Array;
  /**
   * full: precision Cholesky factors, k×d×d (upper triangular, the lower part is ignored) or d×d when shared;
   * diag: precision square roots `1/σ_cj`, k×d; linear: the natural parameters θ, k×d.
   */
  readonly prec: Float64Array;
  /** Elements between two components' factors in `prec`: d·d (full), 0 (tied, shared), d (diag, linear). */
  readonly precStride: number;
}

/** Number of S2 entries per component for a kernel shape. */
export function secondMomentLength(shape: KernelShape, d: number): number {
  return shape === 'full' ? (d * (d + 1)) / 2 : shape === 'linear' ? 0 : d;
}

/** Length of one component's statistics block `[N_c, S1_c, S2_c]`. */
export function componentStatsLength(shape: KernelShape, d: number): number {
  return 1 + d + secondMomentLength(shape, d);
}

/** Total length of a statistics array: k component blocks, then log-likelihood and weight sum. */
export function statsLength(shape: KernelShape, d: number, k: number): number {
  return k * componentStatsLength(shape, d) + 2;
}

/** Checks the array lengths of `BoundData.accumulateWeighted` (count×k responsibilities, the statistics). */
export function checkWeightedArgs(shape: KernelShape, d: number, k: number, count: number, resp: Float64Array,
  stats: Float64Array): void {
  if (resp.length < count * k) throw new RangeError(`resp: expected ${count * k} values (count×k), got ${resp.length}`);
  const length = statsLength(shape, d, k);
  if (stats.length < length) {
    throw new RangeError(`stats: expected ${length} values for shape '${shape}', d = ${d}, k = ${k}, got ${stats.length}`);
  }
}

/** Rows loaded into a backend for the duration of a fit or a prediction. */
export interface BoundData {
  /** Number of rows. */
  readonly n: number;
  /** Number of features. */
  readonly d: number;
  /**
   * Makes `p` the parameters used by the following `accumulate`/`logProb` calls. Its arrays are read again later (the
   * wasm backend copies them into its shared work region whenever another bound data used it in between), so they
   * must stay unchanged until the next `setParams`.
   */
  setParams(p: KernelParams): void;
  /**
   * Adds the statistics (layout above) of rows `[start, start + count)` into `stats`, which has
   * `statsLength(p.shape, d, k)` entries. Rows with weight 0 contribute nothing.
   */
  accumulate(start: number, count: number, stats: Float64Array): void;
  /**
   * The statistics given the responsibilities: adds into `stats` (the layout of `accumulate` for the shape set by
   * `setParams`) the blocks `[N_c, S1_c, S2_c]` of rows `[start, start + count)` computed with the given `resp`
   * (count×k row-major, `resp[i·k + c] = r_ic`, already including any row weight, ≥ 0) instead of responsibilities
   * from the parameters: `N_c = Σ_i r_ic`, `S1_c = Σ_i r_ic (x_i − μ_c)`, `S2_c = Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ`
   * (full: packed upper triangle; diag: the diagonal; linear: `[N_c, S1_c = Σ_i r_ic t(x_i)]`). Only the means of
   * the parameters are read (the M-step of a model with its own E-step, such as a Gaussian HMM, whose r_ic = γ_t(c)).
   * The log-likelihood entry is left unchanged; the weight-sum entry adds Σ_i Σ_c r_ic. The bound row weights are not
   * applied (they are in `resp`), except that rows of weight 0 are skipped, as in `accumulate`; a pair (i, c) with
   * r_ic = 0 adds nothing. Float64 rows only (float32 and incomplete rows throw).
   */
  accumulateWeighted(start: number, count: number, resp: Float64Array, stats: Float64Array): void;
  /** Writes the weighted log-densities `log w_c + log N(x_i | c)` of rows `[start, start + count)`, count×k, into `out`. */
  logProb(start: number, count: number, out: Float64Array): void;
  /** Releases the backend memory that holds the rows. The object must not be used afterwards. */
  dispose(): void;
}

/** Options of `Backend.bind`. */
export interface BindOptions {
  /**
   * wasm: rows of at most this many bytes are copied into WASM memory once; larger data stays where it is and passes
   * through a window of `WASM_WINDOW_ROWS` rows per kernel call, so that a fit needs the data plus a bounded working
   * set, and data over the 4 GiB of wasm32 can be fitted [`WASM_RESIDENT_BYTES`, 256 MiB]. The statistics are the
   * same to the bit in both modes when `accumulate` is called on windows of whole driver blocks.
   */
  readonly maxResidentBytes?: number;
}

/**
 * Forward–backward and Viterbi over one sequence of a hidden Markov model (row-major arrays, float64); the E-step of
 * `GaussianHMM`/`CategoricalHMM`. Sources: Rabiner (1989), "A tutorial on hidden Markov models and selected
 * applications in speech recognition", Proc. IEEE 77(2): §III.A–B (forward–backward, Viterbi) and §V.A (scaling).
 *
 * Inputs, for T steps and K states: `logB` (T×K), `logB[t·K + j] = log p(x_t | z_t = j)` (−∞ allowed: a state that
 * cannot emit x_t; NaN and +∞ are not); `startProb` (K), `π_j = p(z_0 = j)`; `transMat` (K×K, rows sum to 1),
 * `A_ij = p(z_{t+1} = j | z_t = i)`. Zero entries are allowed anywhere; T ≥ 1, K ≥ 1.
 *
 * Scaled forward pass (Rabiner eqs. 91–92b), each step's emissions shifted by their largest value m_t so that they
 * cannot all underflow:
 *   pred_t(j) = π_j (t = 0) or Σ_i α̂_{t−1}(i) A_ij,   b̃_t(j) = exp(logB_tj − m_t) (0 below e⁻⁷⁰⁰),
 *   c_t = Σ_j pred_t(j) b̃_t(j),   α̂_t(j) = pred_t(j) b̃_t(j) / c_t,   log p(x_0 … x_{T−1}) = Σ_t (m_t + log c_t).
 * When c_t < 2⁻⁶⁰⁰ (the states that the past makes likely emit x_t under ~10⁻¹⁸⁰ of the best state), the step is
 * shifted by m_t = max_j (logB_tj + log pred_t(j)) instead, so that c_t ≥ e⁻⁷⁰⁰·(its best term) and α̂ keeps full
 * precision; a step that no state with pred_t(j) > 0 can emit makes the sequence impossible: the result is −∞ and that
 * step's emissions are ignored (b̃ = 1), so γ and ξ stay distributions.
 * Scaled backward pass (eqs. 93–95): β̂_{T−1}(i) = 1, v_j = b̃_{t+1}(j) β̂_{t+1}(j) / c_{t+1},
 *   β̂_t(i) = Σ_j A_ij v_j,   γ_t(i) = α̂_t(i) β̂_t(i),   ξ_t(i, j) = α̂_t(i) A_ij v_j
 * (γ_t sums to 1 and ξ_t to 1 up to rounding). β̂_t(i) and v_i are taken as 0 where α̂_t(i) = 0: in exact arithmetic
 * they then multiply only zeros, and a state that the past rules out can thus never make β̂ overflow.
 *
 * Viterbi in log space (eqs. 105a–105b with logarithms): δ_0(j) = log π_j + logB_0j,
 * δ_t(j) = max_i (δ_{t−1}(i) + log A_ij) + logB_tj; ties go to the lowest state index (in ψ and at the last step).
 *
 * The two backends agree: Viterbi bit for bit (both add and compare the same doubles in the same order; the wasm
 * backend takes log π and log A computed by TypeScript); forward–backward to about 1e−13 relative (the same
 * operations in the same order, but the kernel's exponential is its own table-driven one, within a few ulp of
 * `Math.exp`, and its logarithm AssemblyScript's).
 */
export interface HmmKernels {
  /**
   * Scaled forward–backward over one sequence of T steps and K states (equations above), from the log emission
   * densities `logB` (T×K), start probabilities `startProb` (K) and transition matrix `transMat` (K×K, rows sum to 1).
   * Writes the state posteriors γ_t(i) = p(z_t = i | x) (T×K) into `gamma`, ADDS Σ_{t<T−1} ξ_t (K×K, the expected
   * transition counts, ξ_t(i, j) = p(z_t = i, z_{t+1} = j | x)) into `xiSum`, and returns log p(x_0 … x_{T−1})
   * (−∞ for an impossible sequence). Needs O(T·K) memory, never O(T·K²). Inputs are not modified.
   */
  forwardBackward(logB: Float64Array, T: number, K: number, startProb: Float64Array, transMat: Float64Array,
    gamma: Float64Array, xiSum: Float64Array): number;
  /**
   * Most likely state path (Viterbi, in log space; equations above) into `path` (length T, states 0…K−1); returns
   * its log-probability log p(x, z*) (−∞ when every path is impossible; `path` is then the tie rule's).
   */
  viterbi(logB: Float64Array, T: number, K: number, startProb: Float64Array, transMat: Float64Array,
    path: Int32Array): number;
}

/** A compute backend: the WASM SIMD kernels or their plain-TypeScript twins. */
export interface Backend {
  /** `'wasm'` or `'js'`. */
  readonly name: 'wasm' | 'js';
  /** Forward–backward and Viterbi over one sequence of a hidden Markov model. */
  readonly hmm: HmmKernels;
  /**
   * Makes n×d row-major rows, and optional per-row weights (length n, ≥ 0), available to the kernels. Small data is
   * copied into WASM memory; the js backend and streamed wasm data read the caller's arrays, which must therefore
   * stay unchanged until `dispose()`. The dtype follows the array: a `Float32Array` is kept in float32 and runs the
   * f32 kernels (E-step in f32, log-sum-exp and statistics in f64; see `assembly/gaussian-full-f32.ts`), whose
   * statistics are taken about `fround(μ_c)`; parameters, statistics and log-densities stay `Float64Array`s.
   */
  bind(
    X: Float64Array | Float32Array,
    n: number,
    d: number,
    weights: Float64Array | null,
    options?: BindOptions,
  ): BoundData;
  /**
   * Keeps the backend's engine (the wasm backend's memory and kernel instance) alive until the returned function is
   * called, so that data bound and disposed meanwhile (a streamed fit's blocks) reuse one engine instead of creating
   * one per `bind`. The js backend has no engine: a no-op.
   */
  retain(): () => void;
}
