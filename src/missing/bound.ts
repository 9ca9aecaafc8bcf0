/**
 * Incomplete rows bound to a backend as one `BoundData`, in their own order. Within each block of `BLOCK_ROWS` rows
 * (the EM driver's blocks) the rows are grouped by missingness pattern; each group's observed entries are packed and
 * bound to the backend on their own, so the WASM kernels (or their TS twins) run the E-step of every group under its
 * pattern's marginal parameters — computed once per pattern per `setParams`, whatever the number of blocks it appears
 * in — and `accumulate` expands the observed statistics to the full ones (`marginal.ts`). Rows with every entry
 * missing contribute nothing. Because the grouping stops at block boundaries, a worker holding whole blocks
 * (`fitAsync`) computes the same block statistics as `fit` does. Packed entries over `MISSING_RESIDENT_BYTES` are
 * bound group by group for each call instead of once, so backend (WASM) memory stays bounded.
 */
import type { Backend, BoundData, KernelParams } from '../backend/kernel.js';
import { statsLength } from '../backend/kernel.js';
import { BLOCK_ROWS } from '../em/driver.js';
import { expandStats, marginalParams, prepareMarginals, type MarginalBase, type PatternParams } from './marginal.js';
import { groupByPattern, packObserved, type Pattern } from './patterns.js';

/** One pattern's rows within one block: their packed observed entries, bound to the backend unless streamed. */
interface Group {
  readonly pattern: Pattern;
  /** Key of the pattern (its observed columns), shared by its groups in every block. */
  readonly key: string;
  readonly packed: Float64Array | Float32Array;
  readonly weights: Float64Array | null;
  /** The packed rows bound once (resident), or null when they are bound anew for each call (streamed). */
  readonly bound: BoundData | null;
}

/** Packed observed entries up to this many bytes stay bound in backend memory; more are bound call by call. */
export const MISSING_RESIDENT_BYTES = 256 * 2 ** 20;

/**
 * The n rows of a data set with missing entries (NaN), bound block by block and pattern by pattern to a backend.
 * `setParams` takes the full-dimensional parameters; `accumulate` returns the full statistics (conditional
 * expectations filled in) and the observed-data log-likelihood of any range of rows; `logProb` the weighted log
 * marginal densities of the observed entries (`log w_c` for a row with none).
 */
export class MissingBound implements BoundData {
  readonly n: number;
  readonly d: number;
  /** The groups of each block, in order of their first row (rows in `pattern.rows` are block-relative). */
  private readonly blocks: Group[][] = [];
  /** Block-relative rows with every entry missing, per block. */
  private readonly empty: Int32Array[] = [];
  private params: KernelParams | null = null;
  private base: MarginalBase | null = null;
  private readonly marginals = new Map<string, PatternParams>();
  /** The parameters last set on each group's bound data (so that it is set again only when they change). */
  private readonly setOn = new WeakMap<BoundData, PatternParams>();
  private scratch = new Float64Array(0);

  /**
   * Binds the n×d row-major `X` (NaN marks a missing entry; float32 or float64) and its `weights` (or null). When the
   * packed observed entries take more than `maxResidentBytes`, each group is bound only for the duration of a call,
   * so backend memory holds one group at a time.
   */
  constructor(private readonly backend: Backend, X: Float64Array | Float32Array, n: number, d: number,
    weights: Float64Array | null, maxResidentBytes: number = MISSING_RESIDENT_BYTES) {
    this.n = n;
    this.d = d;
    const packedGroups: Omit<Group, 'bound'>[][] = [];
    let bytes = 0;
    for (let start = 0; start < n; start += BLOCK_ROWS) {
      const rows = Math.min(BLOCK_ROWS, n - start);
      const block = X.subarray(start * d, (start + rows) * d) as Float64Array | Float32Array;
      const groups = groupByPattern(block, rows, d);
      this.empty.push(groups.allMissing);
      packedGroups.push(groups.patterns.map((pattern) => {
        const packed = packObserved(block, d, pattern);
        bytes += packed.byteLength;
        const w = weights === null ? null : Float64Array.from(pattern.rows, (r) => weights[start + r]);
        return { pattern, key: Array.from(pattern.observed).join(','), packed, weights: w };
      }));
    }
    const resident = bytes <= maxResidentBytes;
    try {
      for (const list of packedGroups) {
        const bound: Group[] = [];
        this.blocks.push(bound);
        for (const g of list) {
          const { packed, pattern, weights: w } = g;
          bound.push({ ...g, bound: resident ? backend.bind(packed, pattern.rows.length, pattern.observed.length, w) : null });
        }
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  setParams(p: KernelParams): void {
    this.params = p;
    this.base = prepareMarginals(p);
    this.marginals.clear();
  }

  accumulate(start: number, count: number, stats: Float64Array): void {
    const p = this.current();
    this.forGroups(start, count, (group, from, rows) => {
      const pp = this.marginal(group);
      const obs = this.buffer(statsLength(p.shape, group.pattern.observed.length, p.k));
      this.withBound(group, pp, (bound) => bound.accumulate(from, rows, obs));
      expandStats(p, group.pattern, pp, obs, stats);
    });
  }

  /** Not available for incomplete rows: their statistics depend on the parameters through the conditional means. */
  accumulateWeighted(): void {
    throw new RangeError('accumulateWeighted: rows with missing entries (NaN) are not supported');
  }

  logProb(start: number, count: number, out: Float64Array): void {
    const p = this.current();
    const { k } = p;
    if (out.length < count * k) throw new RangeError(`out: expected ${count * k} values (count×k), got ${out.length}`);
    // Rows with no observed entry: the prior, log w_c.
    const logWeights = this.base!.logWeights;
    for (let b = Math.floor(start / BLOCK_ROWS); b * BLOCK_ROWS < start + count; b++) {
      for (const r of this.empty[b]!) {
        const row = b * BLOCK_ROWS + r;
        if (row >= start && row < start + count) out.set(logWeights, (row - start) * k);
      }
    }
    this.forGroups(start, count, (group, from, rows, blockStart) => {
      const pp = this.marginal(group);
      const lp = this.buffer(rows * k);
      this.withBound(group, pp, (bound) => bound.logProb(from, rows, lp));
      for (let t = 0; t < rows; t++) {
        const row = blockStart + group.pattern.rows[from + t]!;
        out.set(lp.subarray(t * k, (t + 1) * k), (row - start) * k);
      }
    });
  }

  dispose(): void {
    for (const list of this.blocks) for (const g of list) g.bound?.dispose();
    this.blocks.length = 0;
  }

  /** Runs `fn` on the group's bound data with its marginal parameters: the resident one, or one bound for the call. */
  private withBound(group: Group, pp: PatternParams, fn: (bound: BoundData) => void): void {
    if (group.bound !== null) {
      fn(group.bound);
      return;
    }
    const { pattern, packed, weights } = group;
    const bound = this.backend.bind(packed, pattern.rows.length, pattern.observed.length, weights);
    try {
      bound.setParams(pp.params);
      fn(bound);
    } finally {
      bound.dispose();
    }
  }

  private current(): KernelParams {
    if (this.params === null) throw new Error('setParams() must be called before accumulate() or logProb()');
    return this.params;
  }

  /** The marginal parameters of the group's pattern under the current parameters, set on its resident bound data. */
  private marginal(group: Group): PatternParams {
    let pp = this.marginals.get(group.key);
    if (pp === undefined) {
      pp = marginalParams(this.params!, group.pattern, this.base!);
      this.marginals.set(group.key, pp);
    }
    if (group.bound !== null && this.setOn.get(group.bound) !== pp) {
      group.bound.setParams(pp.params);
      this.setOn.set(group.bound, pp);
    }
    return pp;
  }

  private buffer(length: number): Float64Array {
    if (this.scratch.length < length) this.scratch = new Float64Array(length);
    const b = this.scratch.subarray(0, length);
    b.fill(0);
    return b;
  }

  /**
   * Calls `fn(group, first, rows, blockStart)` for the rows of `[start, start + count)` in each group: a group's rows
   * are increasing, so those in the range are its entries `[first, first + rows)`.
   */
  private forGroups(start: number, count: number,
    fn: (group: Group, first: number, rows: number, blockStart: number) => void): void {
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= this.n)) {
      throw new RangeError(`rows [${start}, ${start + count}) are outside [0, ${this.n})`);
    }
    const end = start + count;
    for (let b = Math.floor(start / BLOCK_ROWS); b * BLOCK_ROWS < end; b++) {
      const blockStart = b * BLOCK_ROWS;
      const lo = start - blockStart;
      const hi = end - blockStart;
      for (const group of this.blocks[b]!) {
        const rows = group.pattern.rows;
        const first = lowerBound(rows, lo);
        const last = lowerBound(rows, hi);
        if (last > first) fn(group, first, last - first, blockStart);
      }
    }
  }
}

/** The first index i of the increasing `values` with `values[i] ≥ x` (`values.length` if none). */
function lowerBound(values: Int32Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
