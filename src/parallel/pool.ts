/**
 * A pool of workers over the rows of one fit (DESIGN.md, "Parallelism"). The rows are cut into blocks of
 * `BLOCK_ROWS`; each worker owns a contiguous range of whole blocks, bound once into its own backend instance. Per EM
 * iteration every worker gets the kernel parameters and returns one statistics array per block; the pool adds them in
 * block order, exactly as `accumulateAll` does, so any number of workers gives the model of `fit`.
 */
import type { KernelParams } from '../backend/kernel.js';
import { statsLength } from '../backend/kernel.js';
import { relaxedSimdChoice } from '../backend/wasm/load.js';
import { BLOCK_ROWS, addInto } from '../em/driver.js';
import { WorkerError } from '../errors.js';
import { workerStarter, type WorkerHandle } from './platform.js';
import type { FromWorker, WorkerFault } from './protocol.js';

/** The rows of a fit, as `Backend.bind` takes them. */
export interface PoolData {
  /** n×d rows, row-major. */
  readonly X: Float64Array | Float32Array;
  readonly n: number;
  readonly d: number;
  /** Per-row weights (length n), or null. */
  readonly weights: Float64Array | null;
  /** Backend of every worker. */
  readonly backend: 'wasm' | 'js';
}

/** Test hooks of the pools created from now on. */
export const poolTestHooks: { fault: WorkerFault } = { fault: null };

/** Number of blocks of `BLOCK_ROWS` rows (the last one possibly shorter) in n rows. */
export function blockCount(n: number): number {
  return Math.ceil(n / BLOCK_ROWS);
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * The workers of one `fitAsync` call. Lifecycle: `new WorkerPool(data, size)`, `start()`, any number of
 * `accumulate(params)`, and `close()` in every case. After `fail(error)` (a worker failure, an abort) every pending and
 * later operation rejects with that error.
 */
export class WorkerPool {
  private readonly workers: WorkerHandle[] = [];
  private readonly nBlocks: number;
  /** What every operation rejects with once `fail` was called (an abort's reason may be any value). */
  private error: unknown = null;
  private failed = false;
  private pending: Pending<void> | null = null;
  private waiting = 0;
  private blocks: (Float64Array | undefined)[] = [];
  private onBlock: ((rows: number) => void) | null = null;
  private closed = false;

  /** A pool of `size` workers (at most one per block) over `data`; call `start`, and always `close`. */
  constructor(private readonly data: PoolData, private readonly size: number) {
    this.nBlocks = blockCount(data.n);
    if (!Number.isInteger(size) || size < 1 || size > this.nBlocks) {
      throw new RangeError(`size: expected an integer in [1, ${this.nBlocks}], got ${size}`);
    }
  }

  /** Number of workers. */
  get workerCount(): number {
    return this.size;
  }

  /** Starts the workers and sends each its rows; resolves once all have bound them. */
  async start(): Promise<void> {
    const startWorker = await workerStarter();
    if (this.failed) throw this.error;
    const ready = this.expect(this.size * 2);
    const { X, n, d, weights, backend } = this.data;
    const fault = poolTestHooks.fault;
    for (let w = 0; w < this.size; w++) {
      // Worker w owns blocks [⌊w·B/size⌋, ⌊(w+1)·B/size⌋): contiguous, whole, as even as blocks allow.
      const firstBlock = Math.floor((w * this.nBlocks) / this.size);
      const from = firstBlock * BLOCK_ROWS;
      const to = Math.min(n, Math.floor(((w + 1) * this.nBlocks) / this.size) * BLOCK_ROWS);
      let sentRows = false;
      const handle = startWorker({
        onMessage: (m) => {
          if (m.type === 'ready' && !sentRows) {
            sentRows = true;
            const rows = X.slice(from * d, to * d);
            const rowWeights = weights === null ? null : weights.slice(from, to);
            const transfer = rowWeights === null ? [rows.buffer] : [rows.buffer, rowWeights.buffer];
            const count = to - from;
            handle.post({
              type: 'bind', backend, X: rows, weights: rowWeights, n: count, d, firstBlock, relaxedSimd: relaxedSimdChoice(), fault,
            }, transfer);
          }
          this.receive(w, m);
        },
        onFailure: (detail) => this.fail(new WorkerError(w, detail)),
      });
      this.workers.push(handle);
    }
    return ready;
  }

  /**
   * The statistics of all rows under `params`: block statistics added in block order into a new array.
   * @param onBlock called with the rows of each block as its statistics arrive
   */
  async accumulate(params: KernelParams, onBlock?: (rows: number) => void): Promise<Float64Array> {
    if (this.failed) throw this.error;
    this.blocks = new Array<Float64Array | undefined>(this.nBlocks);
    this.onBlock = onBlock ?? null;
    const done = this.expect(this.nBlocks);
    for (const worker of this.workers) worker.post({ type: 'accumulate', params });
    await done;
    const out = new Float64Array(statsLength(params.shape, params.d, params.k));
    for (const block of this.blocks) addInto(out, block!);
    return out;
  }

  /** Makes the pending and every later operation reject with `error` (the first error wins). */
  fail(error: unknown): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.error = error;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  /** Terminates every worker; resolves once they are gone. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    this.pending = null;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** A promise resolved after `count` expected messages, or rejected by `fail`. */
  private expect(count: number): Promise<void> {
    if (this.failed) return Promise.reject(this.error as Error);
    if (this.closed) return Promise.reject(new Error('the pool was closed'));
    this.waiting = count;
    return new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  private receive(worker: number, m: FromWorker): void {
    // After a failure or an abort, messages already on their way are dropped: no progress is reported any more.
    if (this.failed || this.closed) return;
    switch (m.type) {
      case 'ready':
      case 'bound':
        this.arrived();
        return;
      case 'block':
        this.blocks[m.block] = m.stats;
        try {
          this.onBlock?.(m.rows);
        } catch (e) {
          this.fail(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        this.arrived();
        return;
      case 'error':
        this.fail(new WorkerError(worker, `threw: ${m.message}`));
        return;
      default: {
        const never: never = m;
        this.fail(new WorkerError(worker, `sent an unknown message ${JSON.stringify(never)}`));
      }
    }
  }

  private arrived(): void {
    if (this.pending === null) return;
    if (--this.waiting === 0) {
      const pending = this.pending;
      this.pending = null;
      pending.resolve();
    }
  }
}
