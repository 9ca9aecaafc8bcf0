/**
 * `CategoricalHMM`: hmmlearn's `CategoricalHMM` in camelCase — a hidden Markov model whose states emit one of M
 * symbols, fitted by Baum–Welch (`src/hmm/base.ts`). The emission log-likelihoods are a table lookup
 * `log B_{k, x_t}`, and the M-step counts each symbol weighted by the state posteriors (Rabiner 1989, eq. 40c):
 *   `B_km ∝ max(α^B_km − 1 + Σ_t γ_t(k) [x_t = m], 0)`.
 */
import type { Backend, BoundData } from '../backend/kernel.js';
import type { Rng } from '../rng.js';
import type { Resumable } from '../parallel/abort.js';
import { InputError } from '../errors.js';
import { MAX_CATEGORIES } from '../families/categorical.js';
import { checkKeys, integerOption } from '../options.js';
import { rowsOf } from '../matrix.js';
import {
  COMMON_KEYS, HiddenMarkovModel, dirichletRows, logDirichlet, priorOption, probabilityRows, resolveCommon,
  type EmissionSession, type HmmOptions, type HmmSampleOptions, type LetterSpec,
} from './base.js';
import { categoricalHmmFromJSON, categoricalHmmToJSON, type CategoricalHMMJSON } from './json.js';
import { toSymbolSequences, type SequenceOptions, type SymbolSequences, type SymbolSequencesInput } from './sequences.js';

/** Emission parameters of a categorical HMM. */
export interface CategoricalEmission {
  /** B, K×M row-major: `B_km = p(x_t = m | z_t = k)`. */
  readonly emissionProb: Float64Array;
  /** Number of symbols M. */
  readonly nSymbols: number;
}

/** Constructor options of `CategoricalHMM` (hmmlearn's names in camelCase; defaults in brackets). */
export interface CategoricalHMMOptions extends HmmOptions {
  /** Number of symbols M (hmmlearn `n_features`) [the largest symbol of the first fit + 1]. */
  nSymbols?: number;
  /** Starting emission probabilities, K×M with rows summing to 1; used when 'e' is not in `init`. */
  emissionProb?: ArrayLike<ArrayLike<number>>;
  /** Dirichlet prior of each row of the emission probabilities: one α or K×M values, each > 0 [1]. */
  emissionProbPrior?: number | ArrayLike<ArrayLike<number>>;
  /** Parameters to update: hmmlearn's letters `'ste'`, or an array of `'start'`, `'transitions'`, `'emissions'` [all]. */
  learn?: string | readonly string[];
  /**
   * Parameters to initialize (same forms) [every parameter not given]: start and transitions uniform (hmmlearn);
   * emission probabilities random — each entry uniform in (0, 1), each row then divided by its sum (hmmlearn's
   * `rand` + `normalize`), drawn from the seeded generator.
   */
  init?: string | readonly string[];
}

/** What `CategoricalHMM.sample` returns. */
export interface CategoricalHMMSample {
  /** n symbols. */
  readonly X: Int32Array;
  /** The state of every observation. */
  readonly states: Int32Array;
}

const SPEC: LetterSpec = { letters: 'ste', words: { start: 's', transitions: 't', emissions: 'e' } };
const KEYS = [...COMMON_KEYS, 'nSymbols', 'emissionProb', 'emissionProbPrior'];

/** The log table `log B` looked up per observation; statistics are the γ-weighted symbol counts (K×M). */
class CategoricalEmissions implements EmissionSession<CategoricalEmission> {
  private logB = new Float64Array(0);
  private M = 0;

  /**
   * An empty binding held for the session's lifetime. The emissions here need no backend memory, but a backend with
   * nothing bound creates its WebAssembly memory and kernel instance for each forward–backward call and drops them
   * after it: with this the sequences of a fit or prediction share one (wasm: 50 sequences of 200 symbols, 1 500
   * iterations, 6.7 s → the js backend's 1.2 s, 2 cores under load).
   */
  private readonly hold: BoundData;

  constructor(private readonly data: SymbolSequences, private readonly K: number, backend: Backend) {
    this.hold = backend.bind(new Float64Array(0), 0, 1, null);
  }

  get statsLength(): number {
    return this.K * this.M;
  }

  setParams(e: CategoricalEmission): void {
    this.logB = e.emissionProb.map(Math.log);
    this.M = e.nSymbols;
  }

  logLikelihoods(start: number, T: number, out: Float64Array): void {
    const { K, M } = this;
    for (let t = 0; t < T; t++) {
      const x = this.data.symbols[start + t];
      for (let k = 0; k < K; k++) out[t * K + k] = this.logB[k * M + x];
    }
  }

  accumulate(start: number, T: number, gamma: Float64Array, stats: Float64Array): void {
    const { K, M } = this;
    for (let t = 0; t < T; t++) {
      const x = this.data.symbols[start + t];
      for (let k = 0; k < K; k++) stats[k * M + x] += gamma[t * K + k];
    }
  }

  dispose(): void {
    this.logB = new Float64Array(0);
    this.hold.dispose();
  }
}

/**
 * A hidden Markov model with categorical emissions, `p(x_t = m | z_t = k) = B_km`, fitted by Baum–Welch on many
 * sequences of integer symbols 0…M−1.
 *
 * ```ts
 * const hmm = new CategoricalHMM({ nStates: 2, seed: 1, maxIter: 100 }).fit([[0, 1, 1, 0], [2, 2, 1]]);
 * hmm.emissionProb; hmm.predict([0, 0, 1]); hmm.predictProba([0, 0, 1]);
 * ```
 */
export class CategoricalHMM extends HiddenMarkovModel<CategoricalEmission, SymbolSequences, SymbolSequencesInput, SequenceOptions> {
  private readonly givenSymbols: number | null;
  private readonly givenEmission: Float64Array | null;
  private readonly emissionPriorOption: unknown;
  private emissionPrior: Float64Array | null = null;
  protected readonly modelName = 'CategoricalHMM';
  protected readonly dataKeys = ['lengths'] as const;

  constructor(options: CategoricalHMMOptions = {}) {
    const o = checkKeys(options, KEYS, 'options');
    const K = integerOption(o.nStates, 'options.nStates', 1, 1);
    let M = o.nSymbols === undefined ? null : integerOption(o.nSymbols, 'options.nSymbols', 1, 1, MAX_CATEGORIES);
    let emission: Float64Array | null = null;
    if (o.emissionProb !== undefined) {
      const first = (o.emissionProb as ArrayLike<ArrayLike<number>>)?.[0];
      const cols = M ?? (first !== null && typeof first === 'object' && typeof first.length === 'number' ? first.length : 0);
      if (cols < 1) throw new InputError('options.emissionProb', 'K rows of M probabilities', 'no rows of probabilities');
      emission = probabilityRows(o.emissionProb, K, cols, 'options.emissionProb', false);
      M = cols;
    }
    super(resolveCommon(o, SPEC, emission !== null ? 'e' : ''));
    this.givenSymbols = M;
    this.givenEmission = emission;
    this.emissionPriorOption = o.emissionProbPrior;
    if (M !== null) this.emissionPrior = priorOption(o.emissionProbPrior, [K, M], 'options.emissionProbPrior');
    else if (o.emissionProbPrior !== undefined && typeof o.emissionProbPrior !== 'number') {
      throw new InputError('options.emissionProbPrior', 'one number when nSymbols is not given (the shape K×M is unknown)',
        'an array', 'Give nSymbols too');
    } else priorOption(o.emissionProbPrior, [K, 1], 'options.emissionProbPrior');
  }

  /** Number of symbols M of the fitted model. */
  get nSymbols(): number {
    return this.fitted('nSymbols').emission.nSymbols;
  }

  /** Emission probabilities B: K rows of M (copies), `B[k][m] = p(x_t = m | z_t = k)`. */
  get emissionProb(): Float64Array[] {
    const e = this.fitted('emissionProb').emission;
    return rowsOf(e.emissionProb, this.common.nStates, e.nSymbols);
  }

  protected parse(X: unknown, options: SequenceOptions | undefined, fitting: boolean): SymbolSequences {
    return toSymbolSequences(X, options, fitting ? this.givenSymbols ?? undefined : this.params!.emission.nSymbols);
  }

  protected bindEmissions(data: SymbolSequences, backend: Backend): EmissionSession<CategoricalEmission> {
    return new CategoricalEmissions(data, this.common.nStates, backend);
  }

  protected checkFitData(data: SymbolSequences): void {
    const M = this.givenSymbols ?? data.symbolBound;
    this.emissionPrior = priorOption(this.emissionPriorOption, [this.common.nStates, M], 'options.emissionProbPrior');
  }

  protected *initEmission(data: SymbolSequences, rng: Rng): Resumable<CategoricalEmission> {
    const K = this.common.nStates;
    const M = this.givenSymbols ?? data.symbolBound;
    if (!this.common.init.has('e')) return { emissionProb: this.givenEmission!, nSymbols: M };
    const p = new Float64Array(K * M);
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += p[k * M + m] = 1 - rng.random(); // in (0, 1]
      for (let m = 0; m < M; m++) p[k * M + m] /= s;
    }
    return { emissionProb: p, nSymbols: M };
  }

  protected maximizeEmission(stats: Float64Array, previous: CategoricalEmission, empty: Int32Array): CategoricalEmission {
    if (!this.common.learn.has('e')) return previous;
    const M = previous.nSymbols;
    const next = dirichletRows(stats, this.emissionPrior!, previous.emissionProb, this.common.nStates, M);
    for (const k of empty) next.set(previous.emissionProb.subarray(k * M, (k + 1) * M), k * M);
    return { emissionProb: next, nSymbols: M };
  }

  protected emissionLogPrior(e: CategoricalEmission): number {
    return this.common.learn.has('e') && this.emissionPrior !== null ? logDirichlet(e.emissionProb, this.emissionPrior) : 0;
  }

  /** The symbol of row i, which every state emits with probability 0. */
  protected zeroDensityDetail(data: SymbolSequences, i: number): string {
    return `symbol ${data.symbols[i]}`;
  }

  protected nEmissionParameters(e: CategoricalEmission): number {
    return this.common.learn.has('e') ? this.common.nStates * (e.nSymbols - 1) : 0;
  }

  /**
   * Draws one sequence of `count` symbols [1]: a state path from π and A, then each symbol from its state's row of B.
   * Seeded by `seed` (default: the model's); `currentState` fixes the first state.
   */
  sample(count?: number, options: HmmSampleOptions = {}): CategoricalHMMSample {
    const { p, n, rng, states } = this.startSample(count, options, () => 2);
    const { emissionProb: B, nSymbols: M } = p.emission;
    const X = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      let u = rng.random();
      let m = 0;
      const off = states[t] * M;
      while (m < M - 1 && u >= B[off + m]) u -= B[off + m++];
      X[t] = m;
    }
    return { X, states };
  }

  /** The model as plain JSON (format `'wasm-em/categorical-hmm'`, version 1). */
  toJSON(): CategoricalHMMJSON {
    return categoricalHmmToJSON(this.fitted('toJSON()'), this.common, this.facts);
  }

  /** A model from `toJSON()` output (or its JSON text). Throws `InputError` naming the first bad field. */
  static fromJSON(json: unknown, options: Pick<CategoricalHMMOptions, 'backend'> = {}): CategoricalHMM {
    checkKeys(options, ['backend'], 'options');
    const { params, learn, facts } = categoricalHmmFromJSON(json);
    const K = params.startProb.length;
    const M = params.emission.nSymbols;
    const hmm = new CategoricalHMM({
      nStates: K, nSymbols: M, startProb: params.startProb, transMat: rowsOf(params.transMat, K, K),
      emissionProb: rowsOf(params.emission.emissionProb, K, M), learn, ...options,
    });
    hmm.params = params;
    hmm.facts = facts;
    return hmm;
  }
}
