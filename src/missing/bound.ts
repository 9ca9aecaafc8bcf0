/**
 * Incomplete rows bound to a backend as one `BoundData`: the rows that have at least one observed entry, grouped by
 * missingness pattern (rows of one pattern consecutive, patterns in order of their first row). Each pattern's observed
 * entries are packed and bound to the backend on their own, so the WASM kernels (or their TS twins) run the E-step of
 * every pattern under its marginal parameters, computed once per pattern per `setParams`; `accumulate` expands the
 * observed statistics to the full ones (`marginal.ts`). The EM driver sees an ordinary bound data set of
 * `n = rows with an observed entry` rows in grouped order.
 */
import type { Backend, BoundData, KernelParams } from '../backend/kernel.js';
import { statsLength } from '../backend/kernel.js';
import { expandStats, marginalParams, prepareMarginals, type MarginalBase, type PatternParams } from './marginal.js';
import { packObserved, type Pattern, type PatternGroups } from './patterns.js';

/**
 * The rows of a data set with missing entries, bound pattern by pattern to a backend, as one `BoundData` over the rows
 * that have an observed entry, in grouped order (`order[g]` is the data row at grouped position g). `setParams` takes
 * the full-dimensional parameters; `accumulate` returns the full statistics (conditional expectations filled in) and
 * the observed-data log-likelihood; `logProb` the weighted log marginal densities of the observed entries.
 */
export class MissingBound implements BoundData {
  readonly n: number;
  readonly d: number;
  /** Row of the data at each grouped position (length n). */
  readonly order: Int32Array;
  private readonly patterns: Pattern[];
  private readonly bounds: BoundData[] = [];
  /** Grouped position of each pattern's first row; one more entry, n, at the end. */
  private readonly starts: Int32Array;
  private params: KernelParams | null = null;
  /** `prepareMarginals(params)`: what every pattern's marginal parameters share. */
  private base: MarginalBase | null = null;
  private marginals: (PatternParams | null)[];
  private scratch = new Float64Array(0);

  /**
   * Binds the rows of `groups` of the n×d row-major `X` (NaN marks a missing entry; float32 or float64) and their
   * `weights` (or null) to `backend`.
   */
  constructor(backend: Backend, X: Float64Array | Float32Array, d: number, weights: Float64Array | null,
    groups: PatternGroups) {
    this.d = d;
    this.patterns = groups.patterns;
    this.marginals = this.patterns.map(() => null);
    this.starts = new Int32Array(this.patterns.length + 1);
    let n = 0;
    this.patterns.forEach((p, i) => {
      this.starts[i] = n;
      n += p.rows.length;
    });
    this.starts[this.patterns.length] = n;
    this.n = n;
    this.order = new Int32Array(n);
    try {
      for (const [i, p] of this.patterns.entries()) {
        this.order.set(p.rows, this.starts[i]);
        const w = weights === null ? null : Float64Array.from(p.rows, (r) => weights[r]);
        this.bounds.push(backend.bind(packObserved(X, d, p), p.rows.length, p.observed.length, w));
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  setParams(p: KernelParams): void {
    this.params = p;
    this.base = prepareMarginals(p);
    this.marginals.fill(null);
  }

  accumulate(start: number, count: number, stats: Float64Array): void {
    const p = this.current();
    this.forSegments(start, count, (i, from, rows) => {
      const pattern = this.patterns[i];
      const pp = this.marginal(i, p);
      const obs = this.buffer(statsLength(p.shape, pattern.observed.length, p.k));
      this.bounds[i].accumulate(from, rows, obs);
      expandStats(p, pattern, pp, obs, stats);
    });
  }

  logProb(start: number, count: number, out: Float64Array): void {
    const p = this.current();
    const { k } = p;
    this.forSegments(start, count, (i, from, rows, done) => {
      this.marginal(i, p);
      this.bounds[i].logProb(from, rows, out.subarray(done * k, (done + rows) * k));
    });
  }

  dispose(): void {
    for (const b of this.bounds) b.dispose();
    this.bounds.length = 0;
  }

  private current(): KernelParams {
    if (this.params === null) throw new Error('setParams() must be called before accumulate() or logProb()');
    return this.params;
  }

  /** The marginal parameters of pattern i under p, computed and set on its bound data on first use. */
  private marginal(i: number, p: KernelParams): PatternParams {
    let pp = this.marginals[i];
    if (pp === null) {
      pp = marginalParams(p, this.patterns[i], this.base!);
      this.bounds[i].setParams(pp.params);
      this.marginals[i] = pp;
    }
    return pp;
  }

  private buffer(length: number): Float64Array {
    if (this.scratch.length < length) this.scratch = new Float64Array(length);
    const b = this.scratch.subarray(0, length);
    b.fill(0);
    return b;
  }

  /** Calls `fn(pattern, first row within it, rows, rows done before)` for the pattern pieces of `[start, start+count)`. */
  private forSegments(start: number, count: number,
    fn: (pattern: number, from: number, rows: number, done: number) => void): void {
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= this.n)) {
      throw new RangeError(`rows [${start}, ${start + count}) are outside [0, ${this.n})`);
    }
    // The pattern holding `start`: the last i with starts[i] ≤ start (binary search).
    let lo = 0;
    let hi = this.patterns.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    let done = 0;
    for (let i = lo; done < count; i++) {
      const from = start + done - this.starts[i];
      const rows = Math.min(this.starts[i + 1] - this.starts[i] - from, count - done);
      if (rows > 0) fn(i, from, rows, done);
      done += rows;
    }
  }
}
