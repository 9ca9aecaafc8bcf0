/**
 * What every hidden Markov model shares: the Markov chain (start distribution π and transition matrix A), Baum–Welch
 * over many sequences on the generic EM loop (`src/em/generic.ts`), decoding, scoring, and the options of hmmlearn's
 * `BaseHMM` in camelCase. The emission family (Gaussian, categorical) is supplied by the subclass.
 *
 * A K-state HMM with emission densities b_k(x) gives a sequence x_1…x_T the likelihood
 *   `p(x) = Σ_z π_{z_1} b_{z_1}(x_1) Π_{t>1} A_{z_{t−1} z_t} b_{z_t}(x_t)`.
 * Each Baum–Welch iteration (Rabiner 1989, §III.C; Bishop 2006, §13.2.1) runs forward–backward on every sequence to
 * get the state posteriors `γ_t(k) = p(z_t = k | x)` and the summed transition posteriors
 * `Σ_t ξ_t(i, j) = Σ_t p(z_{t−1} = i, z_t = j | x)`, then sets
 *   `π_k ∝ max(α^π_k − 1 + Σ_seq γ_1(k), 0)`, `A_ij ∝ max(α^A_ij − 1 + Σ_seq Σ_t ξ_t(i, j), 0)`
 * (the MAP estimates under Dirichlet priors α, as hmmlearn; α = 1 is maximum likelihood) and the emission parameters
 * from the γ-weighted statistics. Transitions are counted within sequences only, never across a boundary.
 */
import type { Backend, HmmKernels } from '../backend/kernel.js';
import { resolveBackend, BACKEND_NAMES, type BackendName } from '../backend/index.js';
import { initWasm, wasmAvailable } from '../backend/wasm/index.js';
import type { IterationInfo } from '../em/driver.js';
import {
  runEm, runEmAsync, type EStepResult, type GenericEmModel, type GenericEmOptions, type GenericEmResult,
} from '../em/generic.js';
import { Rng } from '../rng.js';
import { DegenerateComponentError, InputError, NotFittedError, describe } from '../errors.js';
import type { Matrix } from '../matrix.js';
import {
  callbackOption, checkKeys, enumOption, flattenNested, integerOption, numberOption, sampleArguments, seedOption,
} from '../options.js';
import { runToEnd, throwIfAborted, throwIfAbortedFirst, type Resumable } from '../parallel/abort.js';
import { signalOption } from '../parallel/options.js';
import { snapshotData, snapshotOptions } from '../parallel/snapshot.js';
import { impossibleSequence } from './impossible.js';
import type { Sequences } from './sequences.js';

/** Parameters of an HMM with emission parameters `E`. */
export interface HmmParams<E> {
  /** π, K. */
  readonly startProb: Float64Array;
  /** A, K×K row-major (rows sum to 1). */
  readonly transMat: Float64Array;
  readonly emission: E;
  /** States that received no posterior mass in the M-step that produced these parameters (they kept theirs). */
  readonly emptyStates: Int32Array;
}

/** Statistics of one Baum–Welch E-step over all sequences. */
export interface HmmStats {
  /** Σ_seq γ_1(k), K. */
  readonly start: Float64Array;
  /** Σ_seq Σ_t ξ_t(i, j), K×K. */
  readonly trans: Float64Array;
  /** Σ_seq Σ_t γ_t(k), K (the expected number of visits of each state). */
  readonly occupancy: Float64Array;
  /** The emission family's statistics. */
  readonly emission: Float64Array;
}

/** An emission family bound to the observations of one fit or prediction. */
export interface EmissionSession<E> {
  /** Length of the emission statistics under the parameters last set. */
  readonly statsLength: number;
  /** Makes `e` the parameters of the following calls. */
  setParams(e: E): void;
  /** Writes `log b_k(x_t)` for the observations `[start, start + T)` into `out` (T×K). */
  logLikelihoods(start: number, T: number, out: Float64Array): void;
  /** Adds the statistics of observations `[start, start + T)` weighted by `gamma` (T×K) into `stats`. */
  accumulate(start: number, T: number, gamma: Float64Array, stats: Float64Array): void;
  /** Releases backend memory. */
  dispose(): void;
}

/** Which parameters to learn or initialize: hmmlearn's letters ('s' start, 't' transitions, and the family's). */
export type ParamLetters = ReadonlySet<string>;

/** Options shared by every HMM (hmmlearn's names in camelCase; defaults in brackets). */
export interface HmmOptions {
  /** Number of hidden states K (hmmlearn `n_components`) [1]. */
  nStates?: number;
  /** Initial start distribution π (K, sums to 1); used as the start when 's' is not in `init`. */
  startProb?: ArrayLike<number>;
  /** Initial transition matrix A (K×K, rows sum to 1); used as the start when 't' is not in `init`. */
  transMat?: ArrayLike<ArrayLike<number>>;
  /** Dirichlet prior of π: one α for all states or K values, each > 0 [1: maximum likelihood]. */
  startProbPrior?: number | ArrayLike<number>;
  /** Dirichlet prior of each row of A: one α or K×K values, each > 0 [1]. */
  transMatPrior?: number | ArrayLike<ArrayLike<number>>;
  /** EM iterations per restart (hmmlearn `n_iter`) [10]. */
  maxIter?: number;
  /** Alias of `maxIter` (hmmlearn's name). */
  nIter?: number;
  /** Stop when the total log-likelihood (summed over sequences) changes by less than this [1e-2, as hmmlearn]. */
  tol?: number;
  /** Restarts from different random starts; the one with the highest final log-likelihood is kept [1]. */
  nInit?: number;
  /** Seed of the random generator (xoshiro128**); the same seed gives the same model on both backends. */
  seed?: number;
  /** `'wasm'`, `'js'` or `'auto'` ['auto']. */
  backend?: BackendName;
}

/**
 * hmmlearn's positional `lengths`: an array in place of the options object is `{ lengths }`, so that
 * `fit(X, [10, 10])`, `score(X, lengths)`, `predict(X, lengths)`… read as in hmmlearn.
 */
function asOptions<T>(options: T | ArrayLike<number> | undefined): T | undefined {
  const lengths = Array.isArray(options) || (ArrayBuffer.isView(options) && !(options instanceof DataView));
  return lengths ? ({ lengths: options } as T) : (options as T | undefined);
}

/** Options of `sample`. */
export interface HmmSampleOptions {
  /** Seed of the draws [the model's `seed`]. */
  seed?: number;
  /** The first state of the path (hmmlearn's `currstate`), in [0, nStates) [drawn from π]. */
  currentState?: number;
}

/** Options of `fit`. */
export interface HmmFitOptions {
  /** Sequence lengths when the observations are one matrix or flat array (see `SequenceOptions`). */
  lengths?: ArrayLike<number>;
  /** Called after every Baum–Welch iteration (`logLikelihood` is the total over sequences). */
  onIteration?: (info: IterationInfo) => void;
  /**
   * Called with a message when the fit does not converge, the monitored log-likelihood decreases, or some state
   * received no posterior mass in the last iteration (`emptyStates`).
   */
  onWarning?: (message: string) => void;
}

/** Options of `fitAsync`: those of `fit`, and an abort signal. */
export interface HmmFitAsyncOptions extends HmmFitOptions {
  /**
   * Aborting it rejects (with the signal's `reason` when one was given, else an `AbortError`) before the next
   * iteration and leaves the model unchanged.
   */
  signal?: AbortSignal;
}

/** What `decode` returns. */
export interface Decoded {
  /**
   * `'viterbi'`: Σ_seq log p(x, z*) of the most probable paths; `'map'`: Σ_seq log p(x) (hmmlearn returns
   * another quantity there, the sum of the largest posteriors).
   */
  readonly logProb: number;
  /** The decoded state of every observation, sequences concatenated (length N). */
  readonly states: Int32Array;
}

/** Resolved common options. */
export interface CommonOptions {
  readonly nStates: number;
  readonly startProb: Float64Array | null;
  readonly transMat: Float64Array | null;
  readonly startProbPrior: Float64Array;
  readonly transMatPrior: Float64Array;
  readonly learn: ParamLetters;
  readonly init: ParamLetters;
  readonly maxIter: number;
  readonly tol: number;
  readonly nInit: number;
  readonly seed: number | undefined;
  readonly backend: BackendName;
}

/** Option keys shared by every HMM. */
export const COMMON_KEYS = ['nStates', 'startProb', 'transMat', 'startProbPrior', 'transMatPrior', 'learn', 'init',
  'maxIter', 'nIter', 'tol', 'nInit', 'seed', 'backend'];

/** The letters a family accepts and the words that stand for them. */
export interface LetterSpec {
  /** e.g. `'stmc'`. */
  readonly letters: string;
  /** e.g. `{ start: 's', transitions: 't', emissions: 'mc', means: 'm', covariances: 'c' }`. */
  readonly words: Readonly<Record<string, string>>;
}

/**
 * A set of parameter letters from hmmlearn's string (`'stmc'`) or an array of words/letters
 * (`['start', 'emissions']`).
 */
export function paramLetters(value: unknown, name: string, spec: LetterSpec, fallback: string): ParamLetters {
  if (value === undefined) return new Set(fallback);
  const out = new Set<string>();
  const expected = `a string of the letters '${spec.letters}' or an array of ${Object.keys(spec.words).map((w) => `'${w}'`).join(', ')}`;
  if (typeof value === 'string') {
    for (const ch of value) {
      if (!spec.letters.includes(ch)) throw new InputError(name, expected, describe(value));
      out.add(ch);
    }
    return out;
  }
  if (!Array.isArray(value)) throw new InputError(name, expected, describe(value));
  value.forEach((w, i) => {
    const letters = typeof w === 'string' ? (spec.words[w] ?? (w.length === 1 && spec.letters.includes(w) ? w : undefined)) : undefined;
    if (letters === undefined) throw new InputError(`${name}[${i}]`, `one of ${Object.keys(spec.words).map((x) => `'${x}'`).join(', ')}`, describe(w));
    for (const ch of letters) out.add(ch);
  });
  return out;
}

const PROB = { ok: (v: number) => Number.isFinite(v) && v >= 0, expected: 'a probability (a finite number ≥ 0)' };
const ALPHA = { ok: (v: number) => Number.isFinite(v) && v > 0, expected: 'a Dirichlet concentration (a finite number > 0)' };

/** Validates rows of probabilities (each row sums to 1 within 1e-6), renormalized exactly; rows×cols flat. */
export function probabilityRows(value: unknown, rows: number, cols: number, name: string, vector: boolean): Float64Array {
  const out = flattenNested(value, vector ? [cols] : [rows, cols], name, PROB);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += out[r * cols + c];
    if (!(Math.abs(s - 1) <= 1e-6)) {
      throw new InputError(vector ? name : `${name}[${r}]`, 'probabilities summing to 1', `a sum of ${s}`);
    }
    // Renormalize only what rounding cannot explain, so that a model survives toJSON → fromJSON bit for bit.
    if (Math.abs(s - 1) > 1e-12) for (let c = 0; c < cols; c++) out[r * cols + c] /= s;
  }
  return out;
}

/** A Dirichlet prior: one number for all entries, or an array of the given shape. */
export function priorOption(value: unknown, shape: readonly number[], name: string): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (value === undefined) return new Float64Array(size).fill(1);
  if (typeof value === 'number') {
    if (!ALPHA.ok(value)) throw new InputError(name, ALPHA.expected, describe(value));
    return new Float64Array(size).fill(value);
  }
  return flattenNested(value, shape, name, ALPHA);
}

/**
 * Resolves the common options. `given` lists the letters whose starting values the options give; the default `init`
 * is every letter not given, and a letter in neither is an error (nothing to start from).
 */
export function resolveCommon(o: Record<string, unknown>, spec: LetterSpec, given: string): CommonOptions {
  const K = integerOption(o.nStates, 'options.nStates', 1, 1);
  if (o.maxIter !== undefined && o.nIter !== undefined && o.maxIter !== o.nIter) {
    throw new InputError('options.nIter', `undefined or equal to options.maxIter (${describe(o.maxIter)}); it is its alias`, describe(o.nIter));
  }
  const startProb = o.startProb === undefined ? null : probabilityRows(o.startProb, 1, K, 'options.startProb', true);
  const transMat = o.transMat === undefined ? null : probabilityRows(o.transMat, K, K, 'options.transMat', false);
  const allGiven = given + (startProb !== null ? 's' : '') + (transMat !== null ? 't' : '');
  const learn = paramLetters(o.learn, 'options.learn', spec, spec.letters);
  const init = paramLetters(o.init, 'options.init', spec, [...spec.letters].filter((ch) => !allGiven.includes(ch)).join(''));
  const name = (ch: string): string => Object.entries(spec.words).find(([, v]) => v === ch)?.[0] ?? ch;
  for (const ch of spec.letters) {
    if (init.has(ch) && allGiven.includes(ch)) {
      throw new InputError('options.init', `no parameter whose starting value is given ('${ch}', ${name(ch)}, is given)`,
        describe(o.init), `Leave '${ch}' out of init to start from the given value, or do not give it`);
    }
    if (!init.has(ch) && !allGiven.includes(ch)) {
      throw new InputError('options.init', `every parameter that has no given starting value ('${ch}', ${name(ch)})`,
        describe(o.init));
    }
  }
  return {
    nStates: K,
    startProb,
    transMat,
    startProbPrior: priorOption(o.startProbPrior, [K], 'options.startProbPrior'),
    transMatPrior: priorOption(o.transMatPrior, [K, K], 'options.transMatPrior'),
    learn,
    init,
    maxIter: integerOption(o.maxIter ?? o.nIter, o.maxIter !== undefined ? 'options.maxIter' : 'options.nIter', 10, 1),
    tol: numberOption(o.tol, 'options.tol', 1e-2, 0),
    nInit: integerOption(o.nInit, 'options.nInit', 1, 1),
    seed: seedOption(o.seed, 'options.seed'),
    backend: enumOption(o.backend, 'options.backend', 'auto', BACKEND_NAMES),
  };
}

/**
 * MAP update of probability rows from expected counts (hmmlearn): `p_rc ∝ max(α_rc − 1 + n_rc, 0)`. A row whose total
 * is not positive (no mass and no prior pull) keeps `previous`.
 */
export function dirichletRows(
  counts: Float64Array, prior: Float64Array, previous: Float64Array, rows: number, cols: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += out[r * cols + c] = Math.max(prior[r * cols + c] - 1 + counts[r * cols + c], 0);
    if (s > 0 && Number.isFinite(s)) for (let c = 0; c < cols; c++) out[r * cols + c] /= s;
    else out.set(previous.subarray(r * cols, (r + 1) * cols), r * cols);
  }
  return out;
}

/** `Σ (α − 1) log p` over the entries with α ≠ 1 and p > 0: the log Dirichlet prior up to its constant. */
export function logDirichlet(p: Float64Array, alpha: Float64Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) if (alpha[i] !== 1 && p[i] > 0) s += (alpha[i] - 1) * Math.log(p[i]);
  return s;
}

/** States whose expected number of visits is at most 10·ε of the total (scikit-learn's empty-component rule). */
export function emptyStatesOf(occupancy: Float64Array): Int32Array {
  let total = 0;
  for (const v of occupancy) total += v;
  const out: number[] = [];
  occupancy.forEach((v, k) => {
    if (!(v > 10 * Number.EPSILON * total)) out.push(k);
  });
  return Int32Array.from(out);
}

/**
 * The per-state statistics blocks of the states not in `empty`, in order, for an M-step that runs on them only (the
 * kernels' layout: K equal blocks, then two totals, kept as zeros). `kept[i]` is the state of block i.
 */
export function nonEmptyStats(stats: Float64Array, K: number, empty: Int32Array): {
  kept: number[]; reduced: Float64Array; block: number;
} {
  const block = (stats.length - 2) / K;
  const kept = Array.from({ length: K }, (_, c) => c).filter((c) => !empty.includes(c));
  const reduced = new Float64Array(kept.length * block + 2);
  kept.forEach((c, i) => reduced.set(stats.subarray(c * block, (c + 1) * block), i * block));
  return { kept, reduced, block };
}

/** Scratch buffers for one sequence: log-emissions, posteriors (T×K) and a path. */
class Scratch {
  logB = new Float64Array(0);
  gamma = new Float64Array(0);
  path = new Int32Array(0);
  /** Log-emissions shifted row by row (Viterbi). */
  shifted = new Float64Array(0);
  constructor(private readonly K: number) {}
  ensure(T: number): void {
    if (this.logB.length < T * this.K) {
      this.logB = new Float64Array(T * this.K);
      this.gamma = new Float64Array(T * this.K);
      this.path = new Int32Array(T);
      this.shifted = new Float64Array(T * this.K);
    }
  }
}

/**
 * The base of `GaussianHMM` and `CategoricalHMM`: Baum–Welch, decoding and scoring over the subclass's emissions.
 * @typeParam E emission parameters
 * @typeParam D validated observations
 * @typeParam In observations as the caller gives them
 * @typeParam O options of the methods that take observations
 */
export abstract class HiddenMarkovModel<E, D extends Sequences, In, O extends object> {
  protected readonly common: CommonOptions;
  protected params: HmmParams<E> | null = null;
  protected facts = { converged: false, nIter: 0, logLikelihood: -Infinity, history: [] as number[] };

  protected constructor(common: CommonOptions) {
    this.common = common;
  }

  /** The class name that errors cite (`'GaussianHMM'`, …): minified bundles rename classes, so it is not read. */
  protected abstract readonly modelName: string;
  /** Option keys of the methods that take observations (besides the method's own). */
  protected abstract readonly dataKeys: readonly string[];
  /** Validates observations; `fitting` is false once a model is fitted (shapes must then match it). */
  protected abstract parse(X: unknown, options: O | undefined, fitting: boolean): D;
  /** Binds the observations to the emission family on a backend. */
  protected abstract bindEmissions(data: D, backend: Backend): EmissionSession<E>;
  /**
   * Starting emission parameters of one restart (given values, or drawn from `rng`), as a resumable computation that
   * yields within long work (k-means over many observations), so that `fitAsync` sees an abort there.
   */
  protected abstract initEmission(data: D, rng: Rng): Resumable<E>;
  /** Checks the data against the options before a fit (e.g. enough distinct observations). */
  protected abstract checkFitData(data: D): void;
  /** The emission M-step; states listed in `empty` keep their parameters from `previous`. */
  protected abstract maximizeEmission(stats: Float64Array, previous: E, empty: Int32Array): E;
  /** `Σ (α − 1) log θ` of the emission priors (0 without). */
  protected abstract emissionLogPrior(e: E): number;
  /** Free emission parameters among those learned. */
  protected abstract nEmissionParameters(e: E): number;
  /**
   * Why observation i (the global row index) has zero density under every state of `e`, for the error that names it:
   * e.g. its distance from the nearest state's mean, or its symbol.
   */
  protected abstract zeroDensityDetail(data: D, i: number, e: E): string;

  /** Number of hidden states K. */
  get nStates(): number {
    return this.common.nStates;
  }

  /** Whether the model has parameters (fitted or loaded). */
  get isFitted(): boolean {
    return this.params !== null;
  }

  /** Start distribution π (K, a copy). */
  get startProb(): Float64Array {
    return this.fitted('startProb').startProb.slice();
  }

  /** Transition matrix A: K rows of K (copies); `A[i][j] = p(z_t = j | z_{t−1} = i)`. */
  get transMat(): Float64Array[] {
    const p = this.fitted('transMat');
    const K = this.common.nStates;
    return Array.from({ length: K }, (_, i) => p.transMat.slice(i * K, (i + 1) * K));
  }

  /** Whether the best restart converged. */
  get converged(): boolean {
    this.fitted('converged');
    return this.facts.converged;
  }

  /** Baum–Welch iterations of the best restart. */
  get nIter(): number {
    this.fitted('nIter');
    return this.facts.nIter;
  }

  /**
   * Monitored value at the last E-step of the best restart: the total log-likelihood over all fitted sequences, plus
   * the log Dirichlet priors `Σ (α − 1) log θ` when some α ≠ 1 (the objective that Baum–Welch then increases).
   */
  get logLikelihood(): number {
    this.fitted('logLikelihood');
    return this.facts.logLikelihood;
  }

  /** The monitored value (see `logLikelihood`) at every iteration of the best restart. */
  get logLikelihoodHistory(): number[] {
    this.fitted('logLikelihoodHistory');
    return this.facts.history.slice();
  }

  /**
   * States that received no posterior mass (expected visits ≤ 10·ε of the total) in the last iteration of the fit:
   * they kept their previous emission parameters and transition row. Empty when every state was used.
   */
  get emptyStates(): number[] {
    return Array.from(this.fitted('emptyStates').emptyStates);
  }

  /**
   * Number of free parameters among those learned (hmmlearn counts only the parameters in `params`): start K − 1,
   * transitions K(K − 1), and the emission family's.
   */
  get nParameters(): number {
    const p = this.fitted('nParameters');
    const K = this.common.nStates;
    const { learn } = this.common;
    return (learn.has('s') ? K - 1 : 0) + (learn.has('t') ? K * (K - 1) : 0) + this.nEmissionParameters(p.emission);
  }

  /**
   * Fits by Baum–Welch on the calling thread. Bad input throws `InputError` before any computation. As in hmmlearn,
   * `options` may be the `lengths` array itself: `fit(X, [10, 10])` (so may every method's that reads observations).
   */
  fit(X: In, options: (HmmFitOptions & O) | ArrayLike<number> = {} as HmmFitOptions & O): this {
    const run = this.prepare(X, options, [...this.dataKeys, 'onIteration', 'onWarning']);
    let result: GenericEmResult<HmmParams<E>>;
    try {
      result = runEm(run.model, run.options);
    } finally {
      run.dispose();
    }
    return this.finish(result, run.options.onWarning);
  }

  /**
   * `fit`, returning to the event loop between iterations so that `signal` can abort it (rejects with `AbortError`;
   * the model is then unchanged).
   */
  async fitAsync(X: In, options: HmmFitAsyncOptions & O = {} as HmmFitAsyncOptions & O): Promise<this> {
    throwIfAbortedFirst(options);
    const signal = signalOption((options as HmmFitAsyncOptions).signal);
    throwIfAborted(signal);
    // Copied before the first await (see GaussianMixture.fitAsync): later changes to the caller's arrays do not count.
    const data = snapshotData(X) as In;
    const fitOptions = snapshotOptions(options);
    if (this.common.backend !== 'js' && !wasmAvailable()) await initWasm().catch(() => undefined);
    const run = this.prepare(data, fitOptions, [...this.dataKeys, 'onIteration', 'onWarning', 'signal']);
    let result: GenericEmResult<HmmParams<E>>;
    try {
      result = await runEmAsync(run.model, { ...run.options, signal });
    } finally {
      run.dispose();
    }
    return this.finish(result, run.options.onWarning);
  }

  private prepare(X: In, options: object, keys: readonly string[]): {
    model: GenericEmModel<HmmParams<E>, HmmStats>; options: GenericEmOptions; dispose: () => void;
  } {
    options = asOptions(options) ?? {};
    const o = checkKeys(options, keys, 'options');
    const onIteration = callbackOption<HmmFitOptions['onIteration']>(o.onIteration, 'options.onIteration');
    const onWarning = callbackOption<HmmFitOptions['onWarning']>(o.onWarning, 'options.onWarning');
    const data = this.parse(X, options as O, true);
    this.checkFitData(data);
    const backend = resolveBackend(this.common.backend);
    const { hmm } = backend;
    const K = this.common.nStates;
    const { learn } = this.common;
    const session = this.bindEmissions(data, backend);
    const scratch = new Scratch(K);
    const self = this;
    function* initSteps(rng: Rng): Resumable<HmmParams<E>> {
      const emission = yield* self.initEmission(data, rng);
      return {
        startProb: self.common.startProb ?? new Float64Array(K).fill(1 / K),
        transMat: self.common.transMat ?? new Float64Array(K * K).fill(1 / K),
        emission,
        emptyStates: new Int32Array(0),
      };
    }
    // The E-step yields after each sequence, so that fitAsync sees an abort between sequences.
    function* eStepSteps(params: HmmParams<E>): Resumable<EStepResult<HmmStats>> {
      session.setParams(params.emission);
      const stats: HmmStats = {
        start: new Float64Array(K), trans: new Float64Array(K * K), occupancy: new Float64Array(K),
        emission: new Float64Array(session.statsLength),
      };
      let ll = 0;
      for (let s = 0; s < data.lengths.length; s++) {
        const T = data.lengths[s];
        const start = data.starts[s];
        scratch.ensure(T);
        const { logB, gamma } = scratch;
        session.logLikelihoods(start, T, logB);
        const lp = hmm.forwardBackward(logB, T, K, params.startProb, params.transMat, gamma, stats.trans);
        if (!Number.isFinite(lp)) throw self.impossible(data, s, logB, params);
        ll += lp;
        for (let k = 0; k < K; k++) stats.start[k] += gamma[k];
        for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) stats.occupancy[k] += gamma[t * K + k];
        session.accumulate(start, T, gamma, stats.emission);
        yield;
      }
      return { stats, logLikelihood: ll + self.logPrior(params) };
    }
    const model: GenericEmModel<HmmParams<E>, HmmStats> = {
      init: (rng) => runToEnd(initSteps(rng)),
      initSteps,
      eStep: (params) => runToEnd(eStepSteps(params)),
      eStepSteps,
      maximize: (stats, params) => {
        const empty = emptyStatesOf(stats.occupancy);
        const trans = learn.has('t')
          ? dirichletRows(stats.trans, this.common.transMatPrior, params.transMat, K, K) : params.transMat;
        // An empty state keeps its transition row (its expected transition counts are 0).
        if (learn.has('t')) for (const k of empty) trans.set(params.transMat.subarray(k * K, (k + 1) * K), k * K);
        return {
          startProb: learn.has('s') ? dirichletRows(stats.start, this.common.startProbPrior, params.startProb, 1, K)
            : params.startProb,
          transMat: trans,
          emission: this.maximizeEmission(stats.emission, params.emission, empty),
          emptyStates: empty,
        };
      },
    };
    return {
      model,
      options: {
        nInit: this.common.nInit, maxIter: this.common.maxIter, tol: this.common.tol,
        seed: this.common.seed ?? Math.floor(Math.random() * 2 ** 32), onIteration, onWarning,
        isRecoverable: (e) => e instanceof DegenerateComponentError,
      },
      dispose: () => session.dispose(),
    };
  }

  private finish(best: GenericEmResult<HmmParams<E>>, onWarning: ((m: string) => void) | undefined): this {
    const h = best.history;
    if (!best.converged) {
      onWarning?.(`Baum–Welch did not converge in ${this.common.maxIter} iterations (last change of the log-likelihood ` +
        `${Math.abs(h[h.length - 1] - (h[h.length - 2] ?? -Infinity))} ≥ tol ${this.common.tol}). Increase maxIter or tol`);
    }
    if (best.params.emptyStates.length > 0) {
      onWarning?.(`state${best.params.emptyStates.length > 1 ? 's' : ''} ${Array.from(best.params.emptyStates).join(', ')} ` +
        'received no posterior mass in the last iteration and kept their previous parameters. Try fewer states (nStates)');
    }
    this.params = best.params;
    this.facts = { converged: best.converged, nIter: best.nIter, logLikelihood: best.lowerBound, history: h };
    this.disposed = false;
    return this;
  }

  private logPrior(p: HmmParams<E>): number {
    const { learn } = this.common;
    return (learn.has('s') ? logDirichlet(p.startProb, this.common.startProbPrior) : 0) +
      (learn.has('t') ? logDirichlet(p.transMat, this.common.transMatPrior) : 0) + this.emissionLogPrior(p.emission);
  }

  /** Validates the observations of a method on the fitted model. */
  private parseFor(X: In, given: O | ArrayLike<number> | undefined, method: string, extraKeys: readonly string[] = []): {
    p: HmmParams<E>; data: D;
  } {
    const options = asOptions(given);
    checkKeys(options, [...this.dataKeys, ...extraKeys], 'options');
    const p = this.fitted(method);
    return { p, data: this.parse(X, options, false) };
  }

  /** The error of sequence s, whose log-likelihood under `p` is not finite (see `impossibleSequence`). */
  private impossible(data: D, s: number, logB: Float64Array, p: HmmParams<E>): InputError {
    return impossibleSequence(data, s, logB, this.common.nStates, p.startProb, p.transMat,
      (i) => this.zeroDensityDetail(data, i, p.emission));
  }

  /** Runs `fn` on every sequence with its log-emissions (in `scratch.logB`) under the parameters `p`. */
  private eachSequence(
    p: HmmParams<E>, data: D,
    fn: (hmm: HmmKernels, s: number, start: number, T: number, scratch: Scratch) => void,
  ): void {
    const backend = resolveBackend(this.common.backend);
    const { hmm } = backend;
    const session = this.bindEmissions(data, backend);
    const scratch = new Scratch(this.common.nStates);
    try {
      session.setParams(p.emission);
      for (let s = 0; s < data.lengths.length; s++) {
        const T = data.lengths[s];
        scratch.ensure(T);
        session.logLikelihoods(data.starts[s], T, scratch.logB);
        fn(hmm, s, data.starts[s], T, scratch);
      }
    } finally {
      session.dispose();
    }
  }

  /**
   * Forward–backward on every sequence: `fn` sees its posteriors γ (T×K); returns Σ log p(x). A sequence of
   * probability 0 (or of a log-likelihood float64 cannot hold) throws the `InputError` that names its first bad row,
   * before `fn` sees it: every method that reads observations raises the same one.
   */
  private posteriors(
    p: HmmParams<E>, data: D, fn: (s: number, start: number, T: number, gamma: Float64Array) => void,
  ): number {
    const K = this.common.nStates;
    const xi = new Float64Array(K * K);
    let total = 0;
    this.eachSequence(p, data, (hmm, s, start, T, sc) => {
      const lp = hmm.forwardBackward(sc.logB, T, K, p.startProb, p.transMat, sc.gamma, xi);
      if (!Number.isFinite(lp)) throw this.impossible(data, s, sc.logB, p);
      total += lp;
      fn(s, start, T, sc.gamma);
    });
    return total;
  }

  /**
   * Log-likelihood `log p(x)` of one sequence, or the sum over several (forward algorithm). A sequence the model
   * gives probability 0 — a row of zero density under every state (e.g. 1e160 standard deviations from every mean), a
   * symbol no state emits, a transition of probability 0 — throws `InputError` naming that row, as every other method.
   */
  score(X: In, options?: O | ArrayLike<number>): number {
    const { p, data } = this.parseFor(X, options, 'score()');
    return this.posteriors(p, data, () => undefined);
  }

  /**
   * hmmlearn's `score_samples`: the log-likelihood (as `score`) and the posteriors (as `predictProba`) in one
   * forward–backward pass. Same errors as `score`.
   */
  scoreSamples(X: In, options?: O | ArrayLike<number>): { logProb: number; posteriors: Matrix } {
    return this.scoreSamplesFor(X, options, 'scoreSamples()');
  }

  /**
   * Posterior state probabilities `γ_t(k) = p(z_t = k | x)` of every observation (forward–backward per sequence):
   * N×K, sequences concatenated, rows sum to 1. Same errors as `score`.
   */
  predictProba(X: In, options?: O | ArrayLike<number>): Matrix {
    return this.scoreSamplesFor(X, options, 'predictProba()').posteriors;
  }

  private scoreSamplesFor(X: In, options: O | ArrayLike<number> | undefined, method: string): { logProb: number; posteriors: Matrix } {
    const { p, data } = this.parseFor(X, options, method);
    const K = this.common.nStates;
    const out = new Float64Array(data.n * K);
    const logProb = this.posteriors(p, data, (s, start, T, gamma) => out.set(gamma.subarray(0, T * K), start * K));
    return { logProb, posteriors: { data: out, rows: data.n, cols: K } };
  }

  /** The most probable state of every observation: the Viterbi path of each sequence (hmmlearn `predict`). */
  predict(X: In, options?: O | ArrayLike<number>): Int32Array {
    return this.decodeFor(X, options, 'predict()', false).states;
  }

  /**
   * Decodes every sequence: `'viterbi'` [default] the jointly most probable path (Rabiner 1989, §III.B), `'map'`
   * the most probable state at each step (argmax of `predictProba`). States concatenated over the sequences.
   * Same errors as `score`.
   */
  decode(X: In, options?: (O & { algorithm?: 'viterbi' | 'map' }) | ArrayLike<number>): Decoded {
    return this.decodeFor(X, options, 'decode()', true);
  }

  private decodeFor(
    X: In, given: (O & { algorithm?: 'viterbi' | 'map' }) | ArrayLike<number> | undefined, method: string, withAlgorithm: boolean,
  ): Decoded {
    const options = asOptions(given);
    const { p, data } = this.parseFor(X, options, method, withAlgorithm ? ['algorithm'] : []);
    const algorithm = withAlgorithm
      ? enumOption(options?.algorithm, 'options.algorithm', 'viterbi', ['viterbi', 'map'] as const) : 'viterbi';
    const K = this.common.nStates;
    const states = new Int32Array(data.n);
    if (algorithm === 'map') {
      const logProb = this.posteriors(p, data, (s, start, T, gamma) => {
        for (let t = 0; t < T; t++) {
          let best = 0;
          for (let k = 1; k < K; k++) if (gamma[t * K + k] > gamma[t * K + best]) best = k;
          states[start + t] = best;
        }
      });
      return { logProb, states };
    }
    let logProb = 0;
    this.eachSequence(p, data, (hmm, s, start, T, sc) => {
      // Each row's log-emissions shifted by their maximum: the path is unchanged (one constant per row), and rows far
      // from every state (log-densities of −1e200) no longer absorb the differences between paths. The shifts are
      // added back to the log-probability.
      const shifted = sc.shifted;
      let shift = 0;
      for (let t = 0; t < T; t++) {
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, sc.logB[t * K + k]);
        if (!(m > -Infinity)) throw this.impossible(data, s, sc.logB, p);
        shift += m;
        for (let k = 0; k < K; k++) shifted[t * K + k] = sc.logB[t * K + k] - m;
      }
      const lp = hmm.viterbi(shifted, T, K, p.startProb, p.transMat, sc.path) + shift;
      if (!Number.isFinite(lp)) throw this.impossible(data, s, sc.logB, p);
      logProb += lp;
      states.set(sc.path.subarray(0, T), start);
    });
    return { logProb, states };
  }

  /** Bayesian information criterion `−2 log p(X) + p ln N` over N observations (lower is better; hmmlearn's). */
  bic(X: In, options?: O | ArrayLike<number>): number {
    const { p, data } = this.parseFor(X, options, 'bic()');
    return -2 * this.posteriors(p, data, () => undefined) + this.nParameters * Math.log(data.n);
  }

  /** Akaike information criterion `−2 log p(X) + 2p` (lower is better). */
  aic(X: In, options?: O | ArrayLike<number>): number {
    const { p, data } = this.parseFor(X, options, 'aic()');
    return -2 * this.posteriors(p, data, () => undefined) + 2 * this.nParameters;
  }

  /**
   * What every `sample(count, { seed, currentState })` starts with: the parameters (or `NotFittedError`), the count
   * [1] and seed validated (`width` numbers per drawn row bound the count), and a state path of `count` steps from the
   * chain — its first state `currentState` when given (hmmlearn's `currstate`, e.g. the last state of an earlier
   * sample, to continue it), else drawn from π — then A.
   */
  protected startSample(count: unknown, options: HmmSampleOptions | undefined, width: (p: HmmParams<E>) => number): {
    p: HmmParams<E>; n: number; rng: Rng; states: Int32Array;
  } {
    const p = this.fitted('sample()');
    const K = this.common.nStates;
    const { currentState, ...rest } = checkKeys(options, ['seed', 'currentState'], 'options');
    const first = currentState === undefined ? -1 : integerOption(currentState, 'options.currentState', 0, 0, K - 1);
    const { n, seed } = sampleArguments(count === undefined ? 1 : count, rest, width(p), this.common.seed);
    const rng = new Rng(seed);
    const states = new Int32Array(n);
    const draw = (probs: Float64Array, off: number): number => {
      let u = rng.random();
      let k = 0;
      while (k < K - 1 && u >= probs[off + k]) u -= probs[off + k++];
      return k;
    };
    for (let t = 0; t < n; t++) {
      states[t] = t === 0 ? (first >= 0 ? first : draw(p.startProb, 0)) : draw(p.transMat, states[t - 1] * K);
    }
    return { p, n, rng, states };
  }

  /**
   * The stationary distribution of the chain: the π with `π A = π`, `Σ π = 1` (hmmlearn's
   * `get_stationary_distribution`), solved as a linear system (Gaussian elimination with partial pivoting), so that
   * periodic chains are solved too. For a chain with several closed classes the solution is not unique; this returns
   * one of them.
   */
  stationaryDistribution(): Float64Array {
    const p = this.fitted('stationaryDistribution()');
    const K = this.common.nStates;
    // Rows of (Aᵀ − I) π = 0, the last replaced by Σ π = 1.
    const M = Array.from({ length: K }, (_, i) => {
      const row = new Float64Array(K + 1);
      for (let j = 0; j < K; j++) row[j] = i === K - 1 ? 1 : p.transMat[j * K + i] - (i === j ? 1 : 0);
      row[K] = i === K - 1 ? 1 : 0;
      return row;
    });
    for (let c = 0; c < K; c++) {
      let best = c;
      for (let r = c + 1; r < K; r++) if (Math.abs(M[r][c]) > Math.abs(M[best][c])) best = r;
      [M[c], M[best]] = [M[best], M[c]];
      if (M[c][c] === 0) continue;
      for (let r = 0; r < K; r++) {
        if (r === c || M[r][c] === 0) continue;
        const f = M[r][c] / M[c][c];
        for (let j = c; j <= K; j++) M[r][j] -= f * M[c][j];
      }
    }
    const pi = new Float64Array(K);
    let total = 0;
    for (let k = 0; k < K; k++) total += pi[k] = M[k][k] === 0 ? 0 : Math.max(M[k][K] / M[k][k], 0);
    for (let k = 0; k < K; k++) pi[k] /= total;
    return pi;
  }

  /**
   * The parameters, or `NotFittedError` naming the class and `member` as called (`'predict()'`, or a getter's name).
   */
  protected fitted(member: string): HmmParams<E> {
    if (this.params === null) throw new NotFittedError(member, this.disposed, this.modelName);
    return this.params;
  }

  private disposed = false;

  /**
   * Drops the parameters and fit facts: the model is unfitted again (methods that need parameters throw
   * `NotFittedError` saying it was disposed; `fit` makes it usable again). Idempotent. A model holds no WebAssembly
   * memory between calls (each call binds its sequences and releases them before it returns), so this only lets its
   * parameters be collected while the object stays referenced; a running `fitAsync` is not stopped (abort its `signal`).
   */
  dispose(): void {
    this.params = null;
    this.facts = { converged: false, nIter: 0, logLikelihood: -Infinity, history: [] };
    this.disposed = true;
  }
}
