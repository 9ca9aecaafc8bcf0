/**
 * The passes of `GaussianMixture.fitStream` over a source that is read again for every pass: a first pass that counts
 * the rows and gathers what the starts need, the passes that gather the sample of each random start of data over
 * `INIT_SAMPLE_ROWS` rows, and one pass per EM iteration that sums the statistics of each block of `BLOCK_ROWS` rows
 * in block order — the sums `fit` makes in memory, so that both give the same model. Only a block of rows (and the
 * rows the starts see, at most `INIT_SAMPLE_ROWS`) is held at a time.
 */
import type { Backend, BoundData } from '../backend/kernel.js';
import { statsLength } from '../backend/kernel.js';
import { addColumnSums, centredFloat32, meansOfSums } from '../dtype.js';
import { BLOCK_ROWS, addInto, type EmSteps, type StatsRequest } from '../em/driver.js';
import { hcApplies } from '../families/gaussian-hc.js';
import {
  HC_FALLBACK, HC_FALLBACK_RUNS, addGivenMeansStats, givenNeedsRows, givenStart, hcSampleIndices, hcStartSteps,
  initialParamsSteps, randomStartSteps, type HcOptions, type InitMethod, type ResolvedGivenInit, type StartKernels,
} from '../families/gaussian-starts.js';
import { INIT_SAMPLE_ROWS, floydSample, hasDistinctRows } from '../kmeans.js';
import type { InitData } from '../matrix.js';
import type { MStepProgress } from '../em/progress.js';
import type { Rng } from '../rng.js';
import { DegenerateComponentError, InputError } from '../errors.js';
import { kernelShape, type CovarianceType, type GaussianParams } from '../families/gaussian.js';
import type { MStepRule } from '../families/gaussian-prior.js';
import type { Matrix } from '../matrix.js';
import { MissingBound } from '../missing/bound.js';
import { meanFillRow, sampledCandidates } from '../missing/init-data.js';
import { checkNoEmptyColumn, isAllMissing } from '../missing/patterns.js';
import { macrotask, raceAbort, runSliced, throwIfAborted } from '../parallel/abort.js';
import { StartOrder, candidateRng } from '../parallel/starts.js';
import { blockChecksum } from './checksum.js';
import { fileIdentity, identityChange, type FileIdentity } from './file-identity.js';
import { rowBlocks, sourceLabel, type ReadOptions, type RowBlock, type StreamSource } from './source.js';

/** Progress of `fitStream`, reported after every block of rows of every pass, and in long M-steps. */
export interface StreamProgressInfo {
  /**
   * `'scan'`: the first pass (counting rows); `'init'`: a pass for a start; `'em'`: an EM iteration; `'m-step'`: the
   * M-step after the pass of an EM iteration, when it is long (as `fit`'s `ProgressInfo`), with `mStep`.
   */
  readonly phase: 'scan' | 'init' | 'em' | 'm-step';
  /** Passes over the source so far, this one included (1-based). */
  readonly pass: number;
  /** Restart index, 0-based (0 outside EM). */
  readonly init: number;
  /** Candidate start within the restart, 0-based (0 outside EM). */
  readonly candidate: number;
  /** The EM iteration of this pass, 1-based (0 outside EM). */
  readonly iteration: number;
  /** Rows of this pass read so far. */
  readonly rowsSeen: number;
  /** Rows of the source (null during the first pass). */
  readonly rowsTotal: number | null;
  /** Rows per second in this pass so far. */
  readonly rowsPerSecond: number;
  /** Per-sample mean log-likelihood of the previous iteration of this run (`-Infinity` before the first). */
  readonly logLikelihood: number;
  /** The M-step's progress, in phase `'m-step'` only. */
  readonly mStep?: MStepProgress;
}

/** What a pass is for, in progress reports. */
type PassInfo = Pick<StreamProgressInfo, 'phase' | 'init' | 'candidate' | 'iteration' | 'logLikelihood'>;

const NO_RUN = { init: 0, candidate: 0, iteration: 0, logLikelihood: -Infinity } as const;

/**
 * Passes over one source, each checked against the first: the same number of rows of the same width, the same values
 * in every block (`blockChecksum`, compared block by block with the first pass's), and for a file the same file, of
 * the same size and modification time (`fileIdentity`, at the start and the end of every pass), so that a source that
 * changes during the fit is an `InputError` rather than a model of neither data set.
 */
export class SourcePasses {
  /** Rows and columns of the first pass (−1 until it has ended). */
  n = -1;
  d = -1;
  private passes = 0;
  /** The checksums of the first pass's blocks, two 32-bit words per block. */
  private readonly checksums: number[] = [];
  /** The file's identity at the start of the first pass (null for a source function, or before the first pass). */
  private identity: FileIdentity | null = null;

  constructor(
    readonly source: StreamSource, private readonly read: ReadOptions,
    private readonly onProgress: ((info: StreamProgressInfo) => void) | undefined,
  ) {}

  /** The source's name in messages. */
  get label(): string {
    return sourceLabel(this.source);
  }

  /** The fit's abort signal. */
  get signal(): AbortSignal | undefined {
    return this.read.signal;
  }

  /** When the passes last returned to the event loop. */
  private lastYield = performance.now();
  /** Rows per second of the last pass, repeated in the M-step's reports. */
  private lastRate = 0;

  /**
   * The reports of the M-step that follows an EM pass (phase `'m-step'`, the pass's numbers), or undefined without a
   * progress callback.
   */
  mStepReporter(): ((at: StatsRequest, mStep: MStepProgress) => void) | undefined {
    const onProgress = this.onProgress;
    if (onProgress === undefined) return undefined;
    return (at, mStep) => onProgress({
      phase: 'm-step', pass: this.passes, init: at.init, candidate: at.candidate, iteration: at.iter,
      rowsSeen: this.n, rowsTotal: this.n, rowsPerSecond: this.lastRate, logLikelihood: at.logLikelihood, mStep,
    });
  }

  /**
   * Reads the source once, calling `fn` on each block in order. Returns to the event loop (a macrotask) at most every
   * `YIELD_MS` between blocks, so that a source read from memory (whose blocks come as microtasks) still lets timers
   * and UI events run, and an abort they fire stops the pass at the next block.
   */
  async each(info: PassInfo, fn: (block: RowBlock) => void): Promise<void> {
    const { signal } = this.read;
    throwIfAborted(signal);
    const pass = ++this.passes;
    await this.checkFile(pass, 'start');
    const t0 = performance.now();
    let seen = 0;
    let cols = -1;
    for await (const block of rowBlocks(this.source, this.read)) {
      if (this.n >= 0 && (block.cols !== this.d || block.first + block.rows > this.n)) throw this.changed(pass, block);
      this.checkBlock(pass, block);
      cols = block.cols;
      fn(block);
      seen += block.rows;
      if (this.onProgress !== undefined) {
        const seconds = (performance.now() - t0) / 1000;
        this.lastRate = seconds > 0 ? seen / seconds : 0;
        this.onProgress({ ...info, pass, rowsSeen: seen, rowsTotal: this.n >= 0 ? this.n : null,
          rowsPerSecond: this.lastRate });
      }
      if (performance.now() - this.lastYield >= YIELD_MS) {
        await macrotask();
        this.lastYield = performance.now();
      }
      throwIfAborted(signal);
    }
    if (this.n < 0) {
      this.n = seen;
      this.d = cols;
    } else if (seen !== this.n) {
      throw new InputError(this.label, `${this.n} rows on every pass (as on the first)`, `${seen} rows on pass ${pass}`,
        REOPEN_HINT);
    }
    await this.checkFile(pass, 'end');
  }

  /** Records the checksum of a block of the first pass, or compares a later pass's with it. */
  private checkBlock(pass: number, block: RowBlock): void {
    const [a, b] = blockChecksum(block.data);
    const index = block.first / BLOCK_ROWS;
    if (pass === 1) {
      this.checksums.push(a, b);
      return;
    }
    // A shorter last block than the first pass's: the pass has fewer rows, which its end reports as such.
    if (block.first + block.rows < Math.min(this.n, block.first + BLOCK_ROWS)) return;
    const a1 = this.checksums[2 * index];
    const b1 = this.checksums[2 * index + 1];
    if (a === a1 && b === b1) return;
    const hex = (x: number, y: number): string => x.toString(16).padStart(8, '0') + y.toString(16).padStart(8, '0');
    throw new InputError(`${this.label} rows ${block.first} to ${block.first + block.rows - 1}`,
      'the same values on every pass (the data changed during the fit)',
      `other values on pass ${pass} than on pass 1 (checksum ${hex(a, b)}, was ${hex(a1, b1)})`, REOPEN_HINT);
  }

  /** Checks that a file source is the file of the first pass, unchanged (a source function has nothing to check). */
  private async checkFile(pass: number, when: 'start' | 'end'): Promise<void> {
    if (typeof this.source !== 'string') return;
    const now = await raceAbort(fileIdentity(this.source), this.read.signal);
    if (now === null) return; // no such file (yet): the read reports it
    if (this.identity === null) {
      this.identity = now;
      return;
    }
    const what = identityChange(this.identity, now);
    if (what === null) return;
    throw new InputError(this.label, 'a file left unchanged during the fit (the data changed during the fit)',
      `its ${what} at the ${when} of pass ${pass}`, 'Fit a copy of the file, or wait until it is fully written');
  }

  private changed(pass: number, block: RowBlock): InputError {
    if (block.cols !== this.d) {
      return new InputError(`${this.label} row ${block.first}`, `${this.d} columns (as on the first pass)`,
        `${block.cols} columns on pass ${pass}`, REOPEN_HINT);
    }
    return new InputError(this.label, `${this.n} rows on every pass (as on the first)`, `more on pass ${pass}`, REOPEN_HINT);
  }
}

const REOPEN_HINT = 'The source must yield the same rows each time it is opened';

/** Longest time in milliseconds that the passes of a streamed fit run without returning to the event loop. */
const YIELD_MS = 16;

/** What the first pass finds out. */
export interface SourceFacts {
  readonly n: number;
  readonly d: number;
  /** Whether some entry is missing (NaN). */
  readonly incomplete: boolean;
  /** Sums and counts of the observed entries of each column, in row order (`addColumnSums`). */
  readonly sums: Float64Array;
  readonly counts: Float64Array;
  /** Smallest and largest observed entry of each column (+Infinity and −Infinity for a column with none). */
  readonly mins: Float64Array;
  readonly maxs: Float64Array;
  readonly rowsAllMissing: number;
  /** All the rows when there are at most `INIT_SAMPLE_ROWS` of them, else null. */
  readonly held: Matrix | null;
}

/**
 * The first pass: rows, columns, missing entries, column sums; the rows themselves while there are at most
 * `INIT_SAMPLE_ROWS`; `countDistinct` sees every block (the check of k distinct rows). Throws `InputError` for a
 * column with no observed entry.
 */
export async function scanSource(passes: SourcePasses, countDistinct: (block: Matrix) => void): Promise<SourceFacts> {
  let d = -1;
  let sums = new Float64Array(0);
  let counts = new Float64Array(0);
  let mins = new Float64Array(0);
  let maxs = new Float64Array(0);
  let incomplete = false;
  let rowsAllMissing = 0;
  let held: RowBlock[] | null = [];
  let n = 0;
  await passes.each({ phase: 'scan', ...NO_RUN }, (block) => {
    if (d < 0) {
      d = block.cols;
      sums = new Float64Array(d);
      counts = new Float64Array(d);
      mins = new Float64Array(d).fill(Infinity);
      maxs = new Float64Array(d).fill(-Infinity);
    }
    addColumnSums(block, sums, counts);
    addColumnExtremes(block, mins, maxs);
    for (let i = 0; i < block.rows; i++) {
      if (isAllMissing(block.data, i, d)) rowsAllMissing++;
    }
    if (!incomplete) incomplete = block.data.some((v) => v !== v);
    countDistinct(block);
    n += block.rows;
    if (held !== null && n <= INIT_SAMPLE_ROWS) held.push(block);
    else held = null;
  });
  // A column's count as its one "row": NaN where no entry is observed, for the check's message.
  if (incomplete) checkNoEmptyColumn(Float64Array.from(counts, (c) => (c > 0 ? c : NaN)), 1, d, passes.label);
  return { n, d, incomplete, sums, counts, mins, maxs, rowsAllMissing, held: held === null ? null : concat(held, n, d) };
}

/** Lowers `mins` and raises `maxs` to the observed entries of each column of `block` (NaN, missing, is skipped). */
function addColumnExtremes(block: Matrix, mins: Float64Array, maxs: Float64Array): void {
  const { data, rows, cols } = block;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      if (v < mins[j]) mins[j] = v;
      if (v > maxs[j]) maxs[j] = v;
    }
  }
}

function concat(blocks: RowBlock[], n: number, d: number): Matrix {
  const data = new Float64Array(n * d);
  for (const b of blocks) data.set(b.data, b.first * d);
  return { data, rows: n, cols: d };
}

/**
 * The rows the starts of an incomplete source see: those with an observed entry, sampled as `meanFilledInitData`
 * samples them (with `rng`, the same draws), mean-filled; one pass.
 */
export async function meanFilledSample(passes: SourcePasses, facts: SourceFacts, rng: Rng): Promise<InitData> {
  const { d } = facts;
  const means = meansOfSums(facts.sums.slice(), facts.counts);
  const count = facts.n - facts.rowsAllMissing;
  const chosen = sampledCandidates(count, rng);
  const m = chosen === null ? count : chosen.length;
  const X = new Float64Array(m * d);
  let candidate = 0;
  let r = 0;
  await passes.each({ phase: 'init', ...NO_RUN }, (block) => {
    for (let i = 0; i < block.rows && r < m; i++) {
      if (isAllMissing(block.data, i, d)) continue;
      if (chosen === null || chosen[r] === candidate) meanFillRow(block.data, i, d, means, X, r++);
      candidate++;
    }
  });
  return { X: { data: X, rows: m, cols: d }, weights: null };
}

/** The rows of the source at the increasing `indices`, in that order; one pass. */
export async function gatherRows(passes: SourcePasses, indices: Int32Array, d: number): Promise<Matrix> {
  const X = new Float64Array(indices.length * d);
  let r = 0;
  await passes.each({ phase: 'init', ...NO_RUN }, (block) => {
    const end = block.first + block.rows;
    for (; r < indices.length && indices[r] < end; r++) {
      const i = indices[r] - block.first;
      X.set(block.data.subarray(i * d, (i + 1) * d), r * d);
    }
  });
  return { data: X, rows: indices.length, cols: d };
}

/** How the starts of a streamed fit are made. */
export interface StreamStartPlan {
  readonly k: number;
  readonly type: CovarianceType;
  /** The start's M-step: regCovar, and the prior when the fit has one. */
  readonly regCovar: number | MStepRule;
  readonly method: InitMethod;
  readonly given: ResolvedGivenInit | null;
  /** The merges of `method: 'hc'`. */
  readonly hc: HcOptions;
  /** The warm start's parameters, or null. */
  readonly warm: GaussianParams | null;
  /** The seed's main stream (candidate 0 of every restart) and the seed (the other candidates, `candidateRng`). */
  readonly rng: Rng;
  readonly seed: number;
  readonly restarts: number;
  readonly candidates: number;
  /** The rows every start sees (at most `INIT_SAMPLE_ROWS`), or null when each random start samples the source. */
  readonly initData: InitData | null;
  /** The fit's backend and block size, on whose kernels a start from given means assigns the rows (as `fit`'s). */
  readonly kernels: StartKernels;
}

/**
 * Computes, before EM, every start `fit` would compute during it, in the order it would (restart by restart,
 * candidate by candidate: the random streams are drawn in that order and by nothing else), with the passes they need;
 * returns `makeStart(candidate)`, which hands them out as the restarts ask for them (`StartOrder`). A start that fails with a
 * `DegenerateComponentError` rethrows it when handed out, where `fit` would have thrown it.
 */
export async function streamStarts(
  passes: SourcePasses, facts: SourceFacts, plan: StreamStartPlan,
): Promise<(candidate: number) => GaussianParams> {
  const { k, type, regCovar, given, warm, initData } = plan;
  if (warm !== null) return () => warm;
  const computed = new Map<string, GaussianParams | Error>();
  let givenParams: GaussianParams | null = null;
  const make = async (restart: number, candidate: number): Promise<GaussianParams> => {
    if (given !== null) {
      if (givenParams !== null) return givenParams;
      if (!givenNeedsRows(given)) {
        givenParams = givenStart(given, null, k, facts.d, type, regCovar);
      } else if (initData !== null) {
        givenParams = await runSliced(initialParamsSteps(given, initData, k, type, regCovar, plan.rng, 1, plan.kernels),
          passes.signal);
      } else {
        const stats = new Float64Array(statsLength(kernelShape(type), facts.d, k));
        await passes.each({ phase: 'init', ...NO_RUN },
          (block) => addGivenMeansStats(given, { X: block, weights: null }, k, type, stats, plan.kernels));
        givenParams = givenStart(given, stats, k, facts.d, type, regCovar);
      }
      return givenParams;
    }
    if (plan.method === 'hc' && restart === 0 && candidate === 0 && hcApplies(facts.n, facts.d, k)) {
      // fit's rows: all of them, or the same `hcSampleIndices` sample (gathered in one pass when not held).
      if (initData !== null) return runSliced(hcStartSteps(initData, k, type, regCovar, plan.hc, plan.seed), passes.signal);
      const indices = hcSampleIndices(facts.n, facts.d, plan.seed)!;
      const rows = { X: await gatherRows(passes, indices, facts.d), weights: null };
      return runSliced(hcStartSteps(rows, k, type, regCovar, plan.hc, plan.seed), passes.signal);
    }
    const method = plan.method === 'hc' ? HC_FALLBACK : plan.method;
    const runs = plan.method === 'hc' ? HC_FALLBACK_RUNS : 1;
    const rng = candidateRng(plan.rng, plan.seed, restart, plan.candidates, candidate);
    // The starts run in slices, so that an abort is seen during a long one (k-means++ with many components).
    if (initData !== null) return runSliced(initialParamsSteps(method, initData, k, type, regCovar, rng, runs), passes.signal);
    const sample = await gatherRows(passes, floydSample(facts.n, INIT_SAMPLE_ROWS, rng), facts.d);
    if (!hasDistinctRows(sample, k)) {
      throw new InputError('source', `a uniform sample of ${INIT_SAMPLE_ROWS} rows with at least ${k} distinct rows`,
        'fewer', 'A streamed fit starts from a sample of the rows; fit() in memory uses all of them then');
    }
    return runSliced(randomStartSteps(method, { X: sample, weights: null }, k, type, regCovar, rng, runs), passes.signal);
  };
  // Every start a restart may ask for is computed ahead (the candidates after the first are asked for only when
  // the solutions before them are degenerate; each draws from its own stream, so computing it changes nothing else).
  for (let r = 0; r < plan.restarts; r++) {
    for (let m = 0; m < plan.candidates; m++) {
      try {
        computed.set(`${r}:${m}`, await make(r, m));
      } catch (e) {
        if (!(e instanceof DegenerateComponentError)) throw e;
        computed.set(`${r}:${m}`, e);
      }
    }
  }
  const order = new StartOrder(plan.restarts, plan.candidates);
  return (candidate) => {
    const { restart } = order.next(candidate);
    const start = computed.get(`${restart}:${candidate}`)!;
    if (start instanceof Error) throw start;
    return start;
  };
}

/**
 * Answers the statistics requests of `steps` with one pass over the source each: every block bound on its own (as a
 * `MissingBound` when the source has missing entries; centred float32 rows when `centre` is given), its statistics
 * added in block order — `runSteps`'s sums. One engine of the backend serves every block of the fit
 * (`Backend.retain`). Returns the steps' result.
 */
export async function runStreamSteps<R>(
  steps: EmSteps<R>, passes: SourcePasses, backend: Backend, centre: Float64Array | null, incomplete: boolean,
): Promise<R> {
  const release = backend.retain();
  try {
    return await streamSteps(steps, passes, backend, centre, incomplete);
  } finally {
    release();
  }
}

async function streamSteps<R>(
  steps: EmSteps<R>, passes: SourcePasses, backend: Backend, centre: Float64Array | null, incomplete: boolean,
): Promise<R> {
  let step = steps.next(undefined as unknown as Float64Array);
  while (!step.done) {
    const request = step.value;
    const { params } = request;
    const stats = new Float64Array(statsLength(params.shape, params.d, params.k));
    const block = new Float64Array(stats.length);
    await passes.each({ phase: 'em', init: request.init, candidate: request.candidate, iteration: request.iter,
      logLikelihood: request.logLikelihood }, (b) => {
      const rows = centre === null ? b.data : centredFloat32(b, centre);
      const bound: BoundData = incomplete ? new MissingBound(backend, rows, b.rows, b.cols, null)
        : backend.bind(rows, b.rows, b.cols, null);
      try {
        bound.setParams(params);
        block.fill(0);
        bound.accumulate(0, b.rows, block);
        addInto(stats, block);
      } finally {
        bound.dispose();
      }
    });
    step = steps.next(stats);
  }
  return step.value;
}
