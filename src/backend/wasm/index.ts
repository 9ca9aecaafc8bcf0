/**
 * The WebAssembly SIMD backend: the AssemblyScript kernels of `assembly/` behind the `Backend` interface.
 *
 * Memory: each backend instance (one `wasmBackend()` call) owns one `WebAssembly.Memory` with one kernel instance and
 * a bump arena (`memory.ts`), created at the first `bind`. Every bound data set takes its regions from that arena: its
 * rows (and weights), copied in once by `bind` — or, for data over `maxResidentBytes`, a window of `WASM_WINDOW_ROWS`
 * rows that the caller's rows pass through on every kernel call — and one work region (parameters, statistics, log-density output,
 * kernel scratch) rewritten by `setParams`. The memory grows only inside `bind`/`setParams`, never during a kernel
 * call. When the last bound data of a backend is disposed, the memory and the instance are dropped (to the garbage
 * collector); the next `bind` starts a fresh one. Results are always copied out: no view of WASM memory leaves here.
 */
import type { Backend, BindOptions, BoundData, HmmKernels, KernelParams, KernelShape } from '../kernel.js';
import { kernelRow, type KernelRow, type WasmLayout } from '../kernels.js';
import { WasmHmm } from './hmm.js';
import { checkWeightedArgs, statsLength } from '../kernel.js';
import { WasmUnavailableError } from '../../errors.js';
import { Arena, align16 } from './memory.js';
import {
  WASM_BLOCK_ROWS, initWasm, instantiateKernels, loadWasmSync, preferRelaxedSimd, wasmAvailable, wasmRelaxedSimd,
  wasmSimdSupported,
  type KernelExports,
} from './load.js';

export {
  WASM_BLOCK_ROWS, initWasm, loadWasmSync, preferRelaxedSimd, wasmAvailable, wasmRelaxedSimd, wasmSimdSupported,
};
export { WasmUnavailableError };

/** Number of 2×4 second-moment tiles of the full kernel for d features: Σ over a = 0, 2, 4, … < d of ⌈(d − a)/4⌉. */
export function s2Tiles(d: number): number {
  let t = 0;
  for (let a = 0; a < d; a += 2) t += Math.ceil((d - a) / 4);
  return t;
}

/**
 * Bytes of kernel scratch for a kernel shape, d features and k components:
 * `8·B·(3d + k + 9) + 4·B + 16·k·(1 + d + 8·s2Tiles(d)) + 8·B·k·(d + 1) + 4k` for `'full'` and
 * `8·B·(d + k + 1) + 2·B + 16·k·(1 + 2d)` for `'diag'` (`'linear'`: `wasmScratchBytesLinear`),
 * B = `blockRows` rows per block (the module's `BLOCK_ROWS`, 64). The scratch holds "planes" of B doubles: the
 * transposed block (d planes), for full also x − μ and r·(x − μ) (d + 4 planes each, the last 4 zero padding for the
 * second-moment tiles), the k log-density / responsibility planes and one plane of row weights; the offsets of the
 * active row pairs (B/2 u32, and for full B/2 more: those of a stage's pairs); then per component the two-lane
 * accumulators of N, S1 and S2 (diag: d values; full: the 2×4 tiles), reduced once per kernel call; for full, per
 * component a stage of B rows (d + 1 planes: x and r of the rows with a nonzero responsibility, gathered across
 * blocks) and its row count. The same scratch serves both kernels of a shape.
 */
export function wasmScratchBytes(shape: KernelShape, d: number, k: number, blockRows: number = WASM_BLOCK_ROWS): number {
  if (shape === 'linear') return wasmScratchBytesLinear(d, k, blockRows);
  return shape === 'full'
    ? 8 * blockRows * (3 * d + k + 9) + 4 * blockRows + 16 * k * (1 + d + 8 * s2Tiles(d))
      + 8 * blockRows * k * (d + 1) + 4 * k
    : 8 * blockRows * (d + k + 1) + 2 * blockRows + 16 * k * (1 + 2 * d);
}

/**
 * Bytes of scratch of the `'linear'` kernels (`assembly/discrete.ts`), d columns of t(x) and k components:
 * `8·B·(d + k + 1) + 2·B + 16·k·(1 + d)` — d planes of the transposed block, k log-density / responsibility planes, one
 * plane of row weights, the B/2 offsets of active row pairs, then per component the two-lane accumulators of N and S1.
 */
export function wasmScratchBytesLinear(d: number, k: number, blockRows: number = WASM_BLOCK_ROWS): number {
  return 8 * blockRows * (d + k + 1) + 2 * blockRows + 16 * k * (1 + d);
}

/**
 * Bytes of scratch of the float32 kernels (`assembly/gaussian-full-f32.ts`, `gaussian-diag-f32.ts`): f32 planes of the
 * block, f64 planes of log-densities and weights, f32 copies of the means and precision factors, the offsets of the
 * active row quads, and for full per component a stage of B rows (d + 1 f32 planes) and its row count, and the
 * quad offsets of a stage:
 * 4·B·(3d + k + 8) + 8·B·(k + 1) + align16(4kd) + align16(4kd²) + 2·B + 4·B·k·(d + 1) + 4k for `'full'`,
 * 4·B·(d + k) + 8·B·(k + 1) + align16(4kd) + 4kd + B for `'diag'`.
 */
export function wasmScratchBytesF32(shape: KernelShape, d: number, k: number, blockRows: number = WASM_BLOCK_ROWS): number {
  const f64Planes = 8 * blockRows * (k + 1) + align16(4 * k * d);
  if (shape !== 'full') return 4 * blockRows * (d + k) + f64Planes + 4 * k * d + blockRows;
  return 4 * blockRows * (3 * d + k + 8) + f64Planes + align16(4 * k * d * d) + 2 * blockRows
    + 4 * blockRows * k * (d + 1) + 4 * k;
}

/** Rows per `logprob` kernel call: the output buffer holds about 512 KiB, at least one block. */
function logProbChunkRows(k: number): number {
  return Math.max(WASM_BLOCK_ROWS, Math.floor(65536 / k / WASM_BLOCK_ROWS) * WASM_BLOCK_ROWS);
}

/** Offsets (bytes) of a bound data's parameters, statistics, output and scratch in the work region, and its size. */
function workLayout(shape: KernelShape, d: number, k: number, precLength: number, f32: boolean) {
  const sLength = statsLength(shape, d, k);
  const chunkRows = logProbChunkRows(k);
  const logConst = 0;
  const means = logConst + align16(k * 8);
  const prec = means + align16((shape === 'linear' ? 0 : k * d) * 8);
  const stats = prec + align16(precLength * 8);
  const out = stats + align16(sLength * 8);
  const scratch = out + align16(chunkRows * k * 8);
  const bytes = scratch + (f32 ? wasmScratchBytesF32(shape, d, k) : wasmScratchBytes(shape, d, k));
  return { sLength, chunkRows, logConst, means, prec, stats, out, scratch, bytes };
}

/** The size of a problem for `wasmProblemBytes`: n rows of d values, k components, a kernel shape. */
export interface ProblemSize {
  readonly shape: KernelShape;
  readonly n: number;
  readonly d: number;
  readonly k: number;
  /** One precision factor shared by the components (tied) [false]. */
  readonly shared?: boolean;
  /** float32 rows [false]. */
  readonly f32?: boolean;
  /** Rows carry weights [false]. */
  readonly weighted?: boolean;
}

/**
 * WebAssembly memory that binding the rows and setting the parameters of `size` takes (bytes, before the module's own
 * static data): the rows (resident up to `WASM_RESIDENT_BYTES`, else a window of `WASM_WINDOW_ROWS`), their weights
 * and the work region of `setParams` — what `bind` and `setParams` allocate, computed before anything is.
 */
export function wasmProblemBytes(size: ProblemSize): number {
  const { shape, n, d, k } = size;
  const f32 = size.f32 === true;
  const bytes = f32 ? 4 : 8;
  const rows = n * d * bytes > WASM_RESIDENT_BYTES && n > WASM_WINDOW_ROWS ? WASM_WINDOW_ROWS : n;
  const precLength = shape === 'full' ? (size.shared === true ? d * d : k * d * d) : k * d;
  return align16(rows * d * bytes) + (size.weighted === true ? align16(rows * 8) : 0)
    + workLayout(shape, d, k, precLength, f32).bytes;
}

interface Engine {
  readonly arena: Arena;
  readonly kernels: KernelExports;
  /**
   * The one work region (parameters, statistics, output, scratch) of all bound data of this engine, and the bound data
   * whose parameters it holds: a bound data copies its parameters in again before a kernel call when another one used
   * the region since, so many bound data (one per missingness pattern) cost one region, not one each.
   */
  readonly work: { ptr: number; bytes: number; owner: WasmBoundData | null };
}

/** Byte offsets of the parameters, statistics, output and scratch inside a bound data's work region. */
interface Layout extends WasmLayout {
  readonly shape: KernelShape;
  /** The kernels of the shape and the rows' dtype (`src/backend/kernels.ts`). */
  readonly row: KernelRow;
  readonly statsLength: number;
  readonly chunkRows: number;
}

/** The scratch of a js twin that reads none (the weighted linear sums). */
const EMPTY = new Float64Array(0);

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name}: expected an integer ≥ ${min}, got ${value}`);
}

/**
 * Rows copied into WASM memory per kernel call when the data is streamed (a multiple of the kernel block and equal to
 * the EM driver's block, so that each `accumulate` call of a fit is one kernel call in both modes).
 */
export const WASM_WINDOW_ROWS = 4096;

/** Data up to this many bytes is copied into WASM memory once; larger data is streamed through a window [256 MiB]. */
export const WASM_RESIDENT_BYTES = 256 * 2 ** 20;

class WasmBoundData implements BoundData {
  private disposed = false;
  /** The rows (resident) or the window they pass through (streamed), and their weights (0: none). */
  private readonly xPtr: number;
  private readonly wPtr: number;
  /** Streamed mode: the caller's rows and weights, read window by window; null when resident. */
  private readonly source: Float64Array | Float32Array | null;
  private readonly sourceWeights: Float64Array | null;
  /** The rows are float32 (the f32 kernels run) rather than float64. */
  private readonly f32: boolean;
  /** Parameters set by `setParams` and their layout relative to the work region, with its size in bytes. */
  private params: KernelParams | null = null;
  private relative: Layout | null = null;
  private bytes = 0;
  private layout: Layout | null = null;

  constructor(
    private readonly owner: WasmBackend,
    private readonly engine: Engine,
    X: Float64Array | Float32Array,
    readonly n: number,
    readonly d: number,
    weights: Float64Array | null,
    maxResidentBytes: number,
  ) {
    const { arena } = engine;
    this.f32 = X instanceof Float32Array;
    const bytes = this.f32 ? 4 : 8;
    const type = this.f32 ? 'float32' : 'float64';
    const streamed = n * d * bytes > maxResidentBytes && n > WASM_WINDOW_ROWS;
    const rows = streamed ? WASM_WINDOW_ROWS : n;
    this.source = streamed ? X : null;
    this.sourceWeights = streamed ? weights : null;
    this.xPtr = arena.alloc(rows * d * bytes, streamed ? `a window of ${rows}×${d} ${type} rows` : `the data (${n}×${d} ${type})`);
    try {
      this.wPtr = weights === null ? 0 : arena.alloc(rows * 8, `the weights (${rows} float64)`);
    } catch (e) {
      arena.free(this.xPtr);
      throw e;
    }
    if (!streamed) {
      this.copyRows(X, 0, n, weights);
    }
  }

  /** Copies rows `[row, row + m)` of `X` (and their weights) to the start of the data (and weight) area. */
  private copyRows(X: Float64Array | Float32Array, row: number, m: number, weights: Float64Array | null): void {
    const { arena } = this.engine;
    const { d } = this;
    const rows = X.subarray(row * d, (row + m) * d);
    if (this.f32) new Float32Array(arena.memory.buffer, this.xPtr, m * d).set(rows);
    else arena.f64().set(rows, this.xPtr / 8);
    if (weights !== null) arena.f64().set(weights.subarray(row, row + m), this.wPtr / 8);
  }

  /** Whether the rows stream through a window instead of living in WASM memory. */
  get streamed(): boolean {
    return this.source !== null;
  }

  /**
   * Calls `kernel(x, w, first, m)` on rows `[start, start + count)`: once on the resident rows, or window by window
   * after copying each window's rows (and weights) in, with `first` the window-relative start and `offset` the rows
   * done before.
   */
  private eachWindow(start: number, count: number, kernel: (first: number, m: number, offset: number) => void): void {
    const source = this.source;
    if (source === null) {
      kernel(start, count, 0);
      return;
    }
    for (let done = 0; done < count; done += WASM_WINDOW_ROWS) {
      const m = Math.min(WASM_WINDOW_ROWS, count - done);
      this.copyRows(source, start + done, m, this.sourceWeights);
      kernel(0, m, done);
    }
  }

  setParams(p: KernelParams): void {
    this.checkLive();
    const { d } = this;
    const { shape, k, precStride } = p;
    if (shape !== 'full' && shape !== 'diag' && shape !== 'linear') {
      throw new RangeError(`params.shape: expected 'full', 'diag' or 'linear', got ${String(shape)}`);
    }
    const row = kernelRow(shape, this.f32);
    if (p.d !== d) throw new RangeError(`params.d: expected ${d} (the bound data's features), got ${p.d}`);
    requireInteger('params.k', k, 1);
    if (shape === 'full') requireInteger('params.precStride', precStride, 0);
    const precLength = shape === 'full' ? (k - 1) * precStride + d * d : k * d;
    if (p.logConst.length < k) throw new RangeError(`params.logConst: expected ${k} values, got ${p.logConst.length}`);
    if (shape !== 'linear' && p.means.length < k * d) throw new RangeError(`params.means: expected ${k * d} values, got ${p.means.length}`);
    if (p.prec.length < precLength) throw new RangeError(`params.prec: expected ${precLength} values, got ${p.prec.length}`);

    const { sLength, chunkRows, logConst, means, prec, stats, out, scratch, bytes } =
      workLayout(shape, d, k, precLength, this.f32);

    this.params = p;
    this.bytes = bytes;
    this.relative = {
      shape, row, k, precStride: shape === 'full' ? precStride : d, statsLength: sLength, chunkRows,
      logConst, means, prec, stats, out, scratch,
    };
    this.layout = null;
    this.claim();
  }

  /** Makes the engine's work region hold this bound data's parameters (growing it if needed); returns the layout. */
  private claim(): Layout {
    const work = this.engine.work;
    if (work.owner === this && this.layout !== null) return this.layout;
    const R = this.relative!;
    const p = this.params!;
    const { arena } = this.engine;
    if (this.bytes > work.bytes) {
      if (work.ptr >= 0) arena.free(work.ptr);
      work.ptr = -1;
      work.bytes = 0;
      work.owner = null;
      work.ptr = arena.alloc(this.bytes, `the parameters and scratch (k = ${R.k}, d = ${this.d})`);
      work.bytes = this.bytes;
    }
    const base = work.ptr;
    const precLength = R.shape === 'full' ? (R.k - 1) * (p.precStride) + this.d * this.d : R.k * this.d;
    const heap = arena.f64();
    heap.set(p.logConst.subarray(0, R.k), (base + R.logConst) / 8);
    heap.set(p.means.subarray(0, R.k * this.d), (base + R.means) / 8);
    heap.set(p.prec.subarray(0, precLength), (base + R.prec) / 8);
    this.layout = {
      ...R, logConst: base + R.logConst, means: base + R.means, prec: base + R.prec, stats: base + R.stats,
      out: base + R.out, scratch: base + R.scratch,
    };
    work.owner = this;
    return this.layout;
  }

  accumulate(start: number, count: number, stats: Float64Array): void {
    const L = this.current();
    this.checkRows(start, count);
    if (stats.length < L.statsLength) {
      throw new RangeError(`stats: expected ${L.statsLength} values for shape '${L.shape}', d = ${this.d}, ` +
        `k = ${L.k}, got ${stats.length}`);
    }
    const { arena, kernels } = this.engine;
    const s = L.stats / 8;
    arena.f64().fill(0, s, s + L.statsLength);
    const hasWeights = this.wPtr === 0 ? 0 : 1;
    this.eachWindow(start, count, (first, m) => {
      L.row.wasm.accumulate(kernels, { x: this.xPtr, w: this.wPtr, hasWeights, first, m, d: this.d, L });
    });
    const heap = arena.f64();
    for (let i = 0; i < L.statsLength; i++) stats[i] += heap[s + i]!;
  }

  accumulateWeighted(start: number, count: number, resp: Float64Array, stats: Float64Array): void {
    const L = this.current();
    this.checkRows(start, count);
    if (this.f32) throw new RangeError('accumulateWeighted: float32 rows are not supported; bind a Float64Array');
    checkWeightedArgs(L.shape, this.d, L.k, count, resp, stats);
    const { arena, kernels } = this.engine;
    const { d } = this;
    const { k } = L;
    const weighted = L.row.wasm.accumulateWeighted;
    if (weighted === undefined) {
      // No kernel of its own (raw sums r·t(x)): the twin reads the rows where they are.
      const X = this.source ?? new Float64Array(arena.memory.buffer, this.xPtr, this.n * d);
      const w = this.wPtr === 0 ? null : this.sourceWeights ?? new Float64Array(arena.memory.buffer, this.wPtr, this.n);
      L.row.js.accumulateWeighted!({ X, weights: w, start, count, d, p: this.params!, q: null, lp: EMPTY, diff: EMPTY },
        resp, stats);
      return;
    }
    const s = L.stats / 8;
    const o = L.out / 8;
    arena.f64().fill(0, s, s + L.statsLength);
    const hasWeights = this.wPtr === 0 ? 0 : 1;
    this.eachWindow(start, count, (first, rows, offset) => {
      // The responsibilities pass through the log-density output buffer, chunkRows rows per kernel call.
      for (let done = 0; done < rows; done += L.chunkRows) {
        const m = Math.min(L.chunkRows, rows - done);
        arena.f64().set(resp.subarray((offset + done) * k, (offset + done + m) * k), o);
        weighted(kernels, { x: this.xPtr, w: this.wPtr, hasWeights, first: first + done, m, d, L });
      }
    });
    const heap = arena.f64();
    for (let i = 0; i < L.statsLength; i++) stats[i] += heap[s + i]!;
  }

  logProb(start: number, count: number, out: Float64Array): void {
    const L = this.current();
    this.checkRows(start, count);
    const { k } = L;
    if (out.length < count * k) throw new RangeError(`out: expected ${count * k} values (count×k), got ${out.length}`);
    const { arena, kernels } = this.engine;
    const o = L.out / 8;
    this.eachWindow(start, count, (first, rows, offset) => {
      for (let done = 0; done < rows; done += L.chunkRows) {
        const m = Math.min(L.chunkRows, rows - done);
        L.row.wasm.logProb(kernels, { x: this.xPtr, w: this.wPtr, hasWeights: 0, first: first + done, m, d: this.d, L });
        out.set(arena.f64().subarray(o, o + m * k), (offset + done) * k);
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.layout = null;
    const { arena, work } = this.engine;
    if (work.owner === this) work.owner = null;
    if (this.wPtr !== 0) arena.free(this.wPtr);
    arena.free(this.xPtr);
    this.owner.release(this.engine);
  }

  private checkLive(): void {
    if (this.disposed) throw new Error('this bound data was disposed; bind the rows again');
  }

  private current(): Layout {
    this.checkLive();
    if (this.relative === null) throw new Error('setParams() must be called before accumulate() or logProb()');
    return this.claim();
  }

  private checkRows(start: number, count: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.n) {
      throw new RangeError(`rows [${start}, ${start} + ${count}) are outside the ${this.n} bound rows`);
    }
  }
}

/** The engines of every wasm backend of this thread that hold a memory now (an engine leaves when it is dropped). */
const liveEngines = new Set<Engine>();

/**
 * Bytes of WebAssembly memory held now by the wasm backends of this thread: the sum of `memory.buffer.byteLength`
 * over the engines in use (0 when no fit, prediction or decoding is running: an engine is dropped once nothing is
 * bound to it). Workers of `fitAsync` pools have their own memories, gone with them. For leak checks and soak tests.
 */
export function wasmMemoryBytes(): number {
  let bytes = 0;
  for (const engine of liveEngines) bytes += engine.arena.memory.buffer.byteLength;
  return bytes;
}

/** The wasm backend. Use `wasmBackend()`. */
class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  /** Forward–backward and Viterbi (`assembly/hmm.ts`), in this backend's memory. */
  readonly hmm: HmmKernels = new WasmHmm(() => this.acquire(), (engine) => this.release(engine as Engine));
  private engine: Engine | null = null;
  private live = 0;

  bind(
    X: Float64Array | Float32Array,
    n: number,
    d: number,
    weights: Float64Array | null,
    options: BindOptions = {},
  ): BoundData {
    const maxResidentBytes = options.maxResidentBytes ?? WASM_RESIDENT_BYTES;
    requireInteger('n', n, 0);
    requireInteger('d', d, 1);
    if (X.length < n * d) throw new RangeError(`X: expected ${n * d} values (n×d = ${n}×${d}), got ${X.length}`);
    if (weights !== null && weights.length < n) {
      throw new RangeError(`weights: expected ${n} values, got ${weights.length}`);
    }
    const engine = this.acquire();
    try {
      return new WasmBoundData(this, engine, X, n, d, weights, maxResidentBytes);
    } catch (e) {
      this.release(engine);
      throw e;
    }
  }

  retain(): () => void {
    const engine = this.acquire();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(engine);
    };
  }

  /** The memory, arena and kernel instance, created on first use after the previous ones were released. */
  private acquire(): Engine {
    if (this.engine === null) {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const kernels = instantiateKernels(memory);
      this.engine = { arena: new Arena(memory, kernels.heap_base()), kernels, work: { ptr: -1, bytes: 0, owner: null } };
      liveEngines.add(this.engine);
    }
    this.live++;
    return this.engine;
  }

  /** Called by a bound data's `dispose`; drops the memory when nothing uses it any more. */
  release(engine: Engine): void {
    if (engine !== this.engine) return;
    this.live--;
    if (this.live === 0) {
      liveEngines.delete(engine);
      this.engine = null;
    }
  }
}

/**
 * A new wasm backend (with its own memory). Throws `WasmUnavailableError` when WebAssembly or SIMD is missing or the
 * module fails to load; on a browser's main thread, `await initWasm()` first.
 */
export function wasmBackend(): Backend {
  loadWasmSync();
  return new WasmBackend();
}
