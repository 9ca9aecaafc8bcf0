/**
 * Model-based agglomerative hierarchical clustering, the deterministic start of `init: 'hc'`: mclust 6's `hc()`
 * (Banfield & Raftery 1993; Fraley 1998, "Algorithms for model-based Gaussian hierarchical clustering", SIAM J. Sci.
 * Comput. 20(1)). Every row starts as its own cluster; each step merges the two clusters whose union changes the
 * classification criterion least:
 * - `'VVV'` (mclust's default for d > 1): a cluster C of n_C rows with scatter W_C (Σ (x − x̄_C)(x − x̄_C)ᵀ) and
 *   t_C = tr W_C contributes T(C) = n_C · log(det(W_C / n_C) + β (t_C + α) / n_C) when n_C > d and W_C is non-singular,
 *   else n_C · log(β (t_C + α) / n_C), with α = tr W / (n·d) of the whole data (floored at ε) and β = 1; a merge
 *   costs T(A ∪ B) − T(A) − T(B) (two single rows are always scored by the trace form, as mclust does).
 * - `'EII'`: Ward's criterion, the increase of the within-cluster sum of squares n_A n_B / (n_A + n_B) ‖x̄_A − x̄_B‖².
 *
 * Ties go to mclust's choice: clusters sit in slots, a merge of slots i < j keeps the union in slot i and moves the
 * last slot into slot j, and among equal costs the pair (i, j) latest in the order (1,2), (1,3), (2,3), (1,4), … wins.
 * So on data without near-ties the merge sequence is mclust's exactly (`test/hc.test.ts`, fixtures made by
 * `test/fixtures/mclust-hc/make-hc-fixtures.R`).
 *
 * Before merging, the rows are transformed as mclust's `hcUse` option says: `'SVD'` (mclust 6's default) standardizes
 * each feature (mean 0, standard deviation 1 with divisor n − 1, constant features dropped) and then rotates and
 * scales the rows to Z = X V diag(s)^{-1/2} with X = U diag(s) Vᵀ; `'STD'` only standardizes; `'VARS'` keeps the data
 * as given. The merges cost O(n²) memory and about O(n²·d) time (O(d³) more for each candidate union with more than d
 * rows), so a fit runs them on at most `hcSampleSize(n, d)` rows — `HC_SAMPLE_ROWS` (as mclust's
 * `mclust.options("subset")`), fewer for wide data (`HC_SAMPLE_CELLS`): a uniform sample of larger data, drawn from
 * the fit's seed.
 */
import { InputError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { runToEnd, type Resumable } from '../parallel/abort.js';
import { symmetricEigen } from '../linalg.js';

/** The merge criteria of `hc`: mclust's `'VVV'` (unconstrained covariances) and `'EII'` (Ward's). */
export type HcModel = 'VVV' | 'EII';

/** The merge criteria, the default first. */
export const HC_MODELS: readonly HcModel[] = ['VVV', 'EII'];

/** The transformations of the rows before merging (mclust's `hcUse`). */
export type HcUse = 'SVD' | 'STD' | 'VARS';

/** The transformations, the default first. */
export const HC_USES: readonly HcUse[] = ['SVD', 'STD', 'VARS'];

/** Rows the hierarchical start merges at most; a larger data set is represented by a uniform sample of this many. */
export const HC_SAMPLE_ROWS = 2000;

/**
 * Values (rows × features) the hierarchical start merges at most: wide data is represented by a sample of fewer rows.
 * Measured on unstructured data (uniform noise, the merges' worst case: its clusters grow evenly past d rows), the
 * merges took 60 s on 500 × 200 and 8.6 s on 1000 × 50, but 0.02–0.6 s on 60 × 300, 180 × 100, 360 × 50, 900 × 20
 * and 2000 × 8 (about 18 000 values each).
 */
export const HC_SAMPLE_CELLS = 20_000;


/**
 * The number of rows the hierarchical start merges for n rows of d features: min(n, `HC_SAMPLE_ROWS`,
 * ⌊`HC_SAMPLE_CELLS` / d⌋), at least 1.
 * @example
 * hcSampleSize(272, 2); // 272 (all of Old Faithful)
 * hcSampleSize(1797, 64); // 312
 */
export function hcSampleSize(n: number, d: number): number {
  return Math.min(n, HC_SAMPLE_ROWS, Math.max(1, Math.floor(HC_SAMPLE_CELLS / Math.max(1, d))));
}

/**
 * Whether k components of n rows of d features get the hierarchical start: when all rows are merged, or when their
 * sample could hold k clusters of d + 1 rows (m ≥ k·(d + 1)) — a smaller sample of wide data cuts into clusters too
 * small for a covariance (1000 × 250, two groups: a sample of 80 rows gave a cluster of one row). Otherwise the start
 * is a k-means one (`HC_FALLBACK` of `src/families/gaussian-starts.ts`).
 * @example
 * hcApplies(272, 2, 3); // true (all rows)
 * hcApplies(1797, 64, 10); // false (312 rows < 650)
 * hcApplies(100_000, 8, 5); // true (2000 rows ≥ 45)
 */
export function hcApplies(n: number, d: number, k: number): boolean {
  const m = hcSampleSize(n, d);
  return m === n || m >= k * (d + 1);
}

/** Work (multiply–adds) between two yields of the resumable merges (see `src/kmeans.ts`). */
const WORK_PER_YIELD = 1 << 16;

/**
 * The rows as mclust's `hc(use = …)` sees them (see the module comment): n × q, q ≤ d (constant features dropped by
 * 'SVD' and 'STD'; 'SVD' keeps min(n, q) directions). Column signs and the order of directions of equal singular
 * values may differ from R's; the merge criteria do not depend on them.
 *
 * @example
 * ```ts
 * const Z = hcTransform({ data: Float64Array.of(1, 2, 3, 5, 4, 4), rows: 3, cols: 2 }, 'SVD');
 * ```
 */
export function hcTransform(X: Matrix, use: HcUse): Matrix {
  if (use === 'VARS') return X;
  const { rows: n, cols: d } = X;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += (X.data[i * d + j] - mean[j]) ** 2;
  const keep: number[] = [];
  for (let j = 0; j < d; j++) {
    sd[j] = Math.sqrt(sd[j] / (n - 1));
    // R's scale() divides by the standard deviation; a constant feature becomes NaN and mclust drops it.
    if (sd[j] > 0 && Number.isFinite(sd[j])) keep.push(j);
  }
  const q = keep.length;
  const S = new Float64Array(n * q);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < q; c++) {
      const j = keep[c];
      S[i * q + c] = (X.data[i * d + j] - mean[j]) / sd[j];
    }
  }
  if (use === 'STD') return { data: S, rows: n, cols: q };
  const gram = new Float64Array(q * q);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < q; a++) {
      const sa = S[i * q + a];
      for (let b = a; b < q; b++) gram[a * q + b] += sa * S[i * q + b];
    }
  }
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) gram[a * q + b] = gram[b * q + a];
  // Eigenvalues in decreasing order.
  const { values, vectors } = symmetricEigen(gram, 0, q);
  const r = Math.min(n, q);
  const Z = new Float64Array(n * r);
  for (let c = 0; c < r; c++) {
    const e = c;
    const lambda = values[e];
    // Z = U diag(s)^{1/2}: the projection X v (norm s = √λ) divided by √s. A null direction stays 0.
    if (!(lambda > 0)) continue;
    const scale = lambda ** -0.25;
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let a = 0; a < q; a++) t += S[i * q + a] * vectors[a * q + e];
      Z[i * r + c] = t * scale;
    }
  }
  return { data: Z, rows: n, cols: r };
}

/**
 * The merge sequence of agglomerative clustering under `model` (see the module comment), from n single rows to one
 * cluster: an (n − 1) × 2 array of pairs (a, b), a < b, each cluster named by the smallest row index it holds (mclust's
 * `hcPairs`, 0-based). Throws `InputError` for fewer than 2 rows or non-finite entries.
 *
 * @example
 * ```ts
 * const merges = hcMerges({ data: Float64Array.of(0, 0, 0, 1, 5, 5, 5, 6), rows: 4, cols: 2 }, 'EII');
 * // Int32Array [2, 3, 0, 1, 0, 2]: rows 2 and 3, then 0 and 1, then both pairs
 * ```
 */
export function hcMerges(Z: Matrix, model: HcModel): Int32Array {
  return runToEnd(hcMergesSteps(Z, model));
}

/** `hcMerges` as a resumable computation (it yields every `WORK_PER_YIELD` units of work). */
export function* hcMergesSteps(Z: Matrix, model: HcModel): Resumable<Int32Array> {
  const { rows: n, cols: p } = Z;
  if (n < 2) throw new InputError('X', 'at least 2 rows for hierarchical clustering', `${n} row${n === 1 ? '' : 's'}`);
  for (let t = 0; t < n * p; t++) {
    if (!Number.isFinite(Z.data[t])) throw new InputError('X', 'finite entries for hierarchical clustering', String(Z.data[t]));
  }
  const clusters = new HcClusters(Z, model);
  const merges = new Int32Array(2 * (n - 1));
  // cost of slots i < j at j(j−1)/2 + i; per column j the lowest cost over i < j and the last i that has it.
  const cost = new Float64Array((n * (n - 1)) / 2);
  const colMin = new Float64Array(n).fill(Infinity);
  const colArg = new Int32Array(n);
  let work = 0;
  for (let j = 1; j < n; j++) {
    const base = (j * (j - 1)) / 2;
    for (let i = 0; i < j; i++) {
      const v = clusters.mergeCost(i, j);
      cost[base + i] = v;
      if (v <= colMin[j]) {
        colMin[j] = v;
        colArg[j] = i;
      }
    }
    if ((work += j * (p + 4)) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
  }
  const at = (a: number, b: number): number => (a < b ? (b * (b - 1)) / 2 + a : (a * (a - 1)) / 2 + b);
  const rescan = (j: number): void => {
    const base = (j * (j - 1)) / 2;
    let best = Infinity;
    let arg = 0;
    for (let i = 0; i < j; i++) {
      if (cost[base + i] <= best) {
        best = cost[base + i];
        arg = i;
      }
    }
    colMin[j] = best;
    colArg[j] = arg;
  };
  for (let step = 0, lg = n; step < n - 1; step++, lg--) {
    let jopt = 1;
    for (let j = 1; j < lg; j++) if (colMin[j] <= colMin[jopt]) jopt = j;
    const iopt = colArg[jopt];
    const la = clusters.label[iopt];
    const lb = clusters.label[jopt];
    merges[2 * step] = Math.min(la, lb);
    merges[2 * step + 1] = Math.max(la, lb);
    if (lg === 2) break;
    clusters.merge(iopt, jopt, cost[at(iopt, jopt)]);
    const last = lg - 1;
    const moved = jopt !== last;
    if (moved) {
      clusters.move(last, jopt);
      for (let t = 0; t < last; t++) if (t !== jopt) cost[at(t, jopt)] = cost[at(t, last)];
    }
    const count = lg - 1;
    for (let t = 0; t < count; t++) if (t !== iopt) cost[at(iopt, t)] = clusters.mergeCost(iopt, t);
    rescan(iopt);
    if (moved) rescan(jopt);
    for (let t = iopt + 1; t < count; t++) {
      if (t === jopt) continue;
      if (colArg[t] === iopt || (moved && colArg[t] === jopt && jopt < t)) {
        rescan(t);
        continue;
      }
      offer(t, iopt);
      if (moved && jopt < t) offer(t, jopt);
    }
    if ((work += count * clusters.unionWork) >= WORK_PER_YIELD) {
      work = 0;
      yield;
    }
  }
  return merges;

  function offer(t: number, r: number): void {
    const v = cost[at(r, t)];
    if (v < colMin[t] || (v === colMin[t] && r > colArg[t])) {
      colMin[t] = v;
      colArg[t] = r;
    }
  }
}

/**
 * The partition into k clusters after the first n − k merges (mclust's `hclass`): labels 0…k−1 numbered in the order
 * of their first row (mclust's `partconv`). Throws `InputError` unless 1 ≤ k ≤ n.
 *
 * @example
 * ```ts
 * hcPartition(Int32Array.of(2, 3, 0, 1, 0, 2), 4, 2); // Int32Array [0, 0, 1, 1]
 * ```
 */
export function hcPartition(merges: Int32Array, n: number, k: number): Int32Array {
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new InputError('k', `an integer in [1, ${n}]`, String(k));
  // Union–find over the merged labels: each merge joins the larger label into the smaller.
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (let s = 0; s < n - k; s++) {
    const a = find(merges[2 * s]);
    const b = find(merges[2 * s + 1]);
    if (a < b) parent[b] = a; else parent[a] = b;
  }
  const labels = new Int32Array(n);
  const named = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let c = named.get(root);
    if (c === undefined) named.set(root, c = named.size);
    labels[i] = c;
  }
  return labels;
}

/**
 * The clusters of the merging, by slot: size, name (smallest row), mean, trace, criterion term, and two scatters.
 * mclust 6's `hcvvv` keeps a merged cluster's exact scatter (its triangular factor) only until the next merge; what it
 * stores for later is `storedScatter`. A pair's cost is computed when the newer of the two clusters is made, from the
 * newer one's exact scatter and the older one's stored one; the merge of a pair that does not hold the newest cluster
 * takes its term from that cost and its factor from both stored scatters. Emulated here so that the merge sequence is
 * mclust's.
 */
class HcClusters {
  readonly label: Int32Array;
  /** Work of one candidate union, for the yields. */
  readonly unionWork: number;
  private readonly size: Int32Array;
  private readonly means: Float64Array;
  private readonly exact: (Float64Array | null)[];
  private readonly stored: (Float64Array | null)[];
  private readonly trace: Float64Array;
  private readonly term: Float64Array;
  private readonly p: number;
  private readonly vvv: boolean;
  private readonly alpha: number;
  private readonly delta: Float64Array;
  private readonly work: Float64Array;
  /** The slot of the cluster made by the last merge, or −1. */
  private newest = -1;

  constructor(Z: Matrix, model: HcModel) {
    const { rows: n, cols: p } = Z;
    this.p = p;
    this.vvv = model === 'VVV';
    this.label = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
    this.means = Float64Array.from(Z.data.subarray(0, n * p));
    this.exact = new Array<Float64Array | null>(n).fill(null);
    this.stored = new Array<Float64Array | null>(n).fill(null);
    this.trace = new Float64Array(n);
    // α = tr W of the whole data / (n·p) (mclust: traceW(data / √(n p))), floored at ε; β = 1.
    const mean = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += Z.data[i * p + j] / n;
    let tr = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) tr += (Z.data[i * p + j] - mean[j]) ** 2;
    this.alpha = Math.max(tr / (n * p), Number.EPSILON);
    this.term = new Float64Array(n).fill(this.vvv ? Math.log(this.alpha) : 0);
    this.delta = new Float64Array(p);
    this.work = new Float64Array(p * p);
    this.unionWork = this.vvv ? p * p + 4 : p + 4;
  }

  /** The change of the criterion if the clusters in slots a and b were merged (a the newer one when it matters). */
  mergeCost(a: number, b: number): number {
    const c = this.setDelta(a, b);
    if (!this.vvv) return c * this.deltaSquared();
    const tr = this.trace[a] + this.trace[b] + c * this.deltaSquared();
    return this.unionTerm(a, b, tr, this.exactOf(a), this.stored[b], c) - this.term[a] - this.term[b];
  }

  /** Merges slot b into slot a (a < b); `cost` is the pair's cost as computed when its newer cluster was made. */
  merge(a: number, b: number, cost: number): void {
    const { p } = this;
    const na = this.size[a];
    const nb = this.size[b];
    const nab = na + nb;
    const c = this.setDelta(a, b);
    const tr = this.trace[a] + this.trace[b] + c * this.deltaSquared();
    if (this.vvv) {
      const W = new Float64Array(p * p);
      const newest = this.newest === a || this.newest === b ? this.newest : -1;
      if (newest >= 0) {
        const other = newest === a ? b : a;
        this.unionScatter(this.exactOf(newest), this.stored[other], c, W);
        this.term[a] = this.unionTerm(a, b, tr, this.exactOf(newest), this.stored[other], c);
      } else {
        this.unionScatter(this.stored[a], this.stored[b], c, W);
        this.term[a] = cost + this.term[a] + this.term[b];
      }
      this.exact[a] = W;
      this.stored[a] = storedScatter(W, p, Math.min(nab - 1, p));
    }
    for (let j = 0; j < p; j++) this.means[a * p + j] = (na * this.means[a * p + j] + nb * this.means[b * p + j]) / nab;
    this.size[a] = nab;
    this.trace[a] = tr;
    this.label[a] = Math.min(this.label[a], this.label[b]);
    this.exact[b] = this.stored[b] = null;
    this.newest = a;
  }

  /** Moves the cluster of slot `from` into slot `to`. */
  move(from: number, to: number): void {
    const { p } = this;
    this.size[to] = this.size[from];
    this.label[to] = this.label[from];
    this.means.copyWithin(to * p, from * p, from * p + p);
    this.exact[to] = this.exact[from];
    this.stored[to] = this.stored[from];
    this.exact[from] = this.stored[from] = null;
    this.trace[to] = this.trace[from];
    this.term[to] = this.term[from];
    if (this.newest === from) this.newest = to;
  }

  /** The exact scatter of the newest cluster, the stored one of any other. */
  private exactOf(a: number): Float64Array | null {
    return a === this.newest ? this.exact[a] : this.stored[a];
  }

  /** δ = x̄_a − x̄_b into `delta`; returns c = n_a n_b / (n_a + n_b). */
  private setDelta(a: number, b: number): number {
    const { p, delta } = this;
    for (let j = 0; j < p; j++) delta[j] = this.means[a * p + j] - this.means[b * p + j];
    const na = this.size[a];
    const nb = this.size[b];
    return (na * nb) / (na + nb);
  }

  private deltaSquared(): number {
    let dd = 0;
    for (let j = 0; j < this.p; j++) dd += this.delta[j] * this.delta[j];
    return dd;
  }

  /** T(A ∪ B) of the VVV criterion with trace `tr` and scatter Wa + Wb + c δδᵀ (formed only when the term needs it). */
  private unionTerm(
    a: number, b: number, tr: number, Wa: Float64Array | null, Wb: Float64Array | null, c: number,
  ): number {
    const nab = this.size[a] + this.size[b];
    const traceForm = Math.log((tr + this.alpha) / nab);
    const singles = this.size[a] === 1 && this.size[b] === 1;
    if (singles || nab <= this.p || tr === 0) return nab * traceForm;
    this.unionScatter(Wa, Wb, c, this.work);
    const logDet = logDetCholesky(this.work, this.p) - this.p * Math.log(nab);
    if (logDet === -Infinity) return nab * traceForm;
    const t = Math.exp(traceForm);
    return nab * (logDet <= 0 ? Math.log(Math.exp(logDet) + t) : Math.log1p(Math.exp(-logDet) * t) + logDet);
  }

  /** Wa + Wb + c δδᵀ into `out` (both triangles; null is a single row's zero scatter). */
  private unionScatter(Wa: Float64Array | null, Wb: Float64Array | null, c: number, out: Float64Array): void {
    const { p, delta } = this;
    for (let r = 0; r < p; r++) {
      const cr = c * delta[r];
      for (let s = r; s < p; s++) {
        const v = (Wa === null ? 0 : Wa[r * p + s]) + (Wb === null ? 0 : Wb[r * p + s]) + cr * delta[s];
        out[r * p + s] = v;
        out[s * p + r] = v;
      }
    }
  }
}

/**
 * The scatter that mclust 6's `hcvvv` carries forward for a merged cluster. It stores the union's triangular factor
 * R (RᵀR = W) in m = min(n − 1, d) rows, but writes R's first row r into each of them; read back as row k =
 * (0, …, 0, r_k, …, r_d), the factor gives W'_ab = r_a r_b · min(min(a, b) + 1, m). The criterion of the merge itself
 * uses the exact factor; later unions with this cluster use W'. Kept, so that the merge sequence is mclust's.
 */
function storedScatter(W: Float64Array, p: number, m: number): Float64Array {
  const out = new Float64Array(p * p);
  const w00 = W[0];
  if (!(w00 > 0)) return W;
  const r0 = Math.sqrt(w00);
  for (let a = 0; a < p; a++) {
    const ra = W[a] / r0;
    for (let b = 0; b < p; b++) out[a * p + b] = ra * (W[b] / r0) * Math.min(Math.min(a, b) + 1, m);
  }
  return out;
}

/** log det of the symmetric matrix A (p×p, overwritten) by Cholesky; −Infinity when a pivot is not positive. */
function logDetCholesky(A: Float64Array, p: number): number {
  let logDet = 0;
  for (let j = 0; j < p; j++) {
    let pivot = A[j * p + j];
    for (let k = 0; k < j; k++) pivot -= A[j * p + k] * A[j * p + k];
    if (!(pivot > 0)) return -Infinity;
    const l = Math.sqrt(pivot);
    A[j * p + j] = l;
    logDet += Math.log(l);
    for (let i = j + 1; i < p; i++) {
      let v = A[i * p + j];
      for (let k = 0; k < j; k++) v -= A[i * p + k] * A[j * p + k];
      A[i * p + j] = v / l;
    }
  }
  return 2 * logDet;
}
