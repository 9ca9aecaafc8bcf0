/**
 * `PoissonHMM`: hmmlearn's `PoissonHMM` in camelCase — a hidden Markov model whose states emit d independent counts,
 * `p(x_t | z_t = k) = Π_j λ_kj^x_tj e^(−λ_kj) / x_tj!`, fitted by Baum–Welch (`src/hmm/base.ts`) on the `'linear'`
 * kernels of the Poisson family (`src/families/poisson.ts`, unit weights): the kernels give `Σ_j x_tj log λ_kj − λ_kj`
 * and the γ-weighted statistics `[Σ_t γ_t(k), Σ_t γ_t(k) x_t]`; `h(x_t) = −Σ_j log x_tj!` is added here. M-step:
 * `λ_kj = (Σ_t γ_t(k) x_tj + α) / (Σ_t γ_t(k) + α)` (the Poisson mixture's, α a small pseudo-count keeping λ > 0).
 */
import type { Backend, BoundData } from '../backend/kernel.js';
import { INIT_SAMPLE_ROWS, kmeansSteps, sampleRows } from '../kmeans.js';
import type { Rng } from '../rng.js';
import type { Resumable } from '../parallel/abort.js';
import { DegenerateComponentError, InputError } from '../errors.js';
import { discreteStatsLength, maximizeDiscrete, type DiscreteParams } from '../families/discrete.js';
import { poissonFamily } from '../families/poisson.js';
import { rowsOf } from '../matrix.js';
import type { Matrix } from '../matrix.js';
import { checkKeys, flattenNested, integerOption, numberOption } from '../options.js';
import {
  COMMON_KEYS, HiddenMarkovModel, nonEmptyStats, resolveCommon, type EmissionSession, type HmmOptions, type HmmSampleOptions,
  type LetterSpec,
} from './base.js';
import { poissonHmmFromJSON, poissonHmmToJSON, type PoissonHMMJSON } from './json.js';
import {
  checkDistinctRows, checkFeatures, checkRowsAreObservations, toGaussianSequences, type GaussianSequenceOptions, type GaussianSequences, type GaussianSequencesInput,
} from './sequences.js';

/** Constructor options of `PoissonHMM` (hmmlearn's names in camelCase; defaults in brackets). */
export interface PoissonHMMOptions extends HmmOptions {
  /** Starting rates λ, K×d, each > 0; used when 'l' is not in `init`. */
  lambdas?: ArrayLike<ArrayLike<number>>;
  /** Pseudo-count of the rate M-step (> 0) [1e-10, as the Poisson mixture]. */
  alpha?: number;
  /** Parameters to update: hmmlearn's letters `'stl'`, or an array of `'start'`, `'transitions'`, `'emissions'` [all]. */
  learn?: string | readonly string[];
  /**
   * Parameters to initialize (same forms) [every parameter not given]: start and transitions uniform, rates by
   * k-means on all observations (plus α, so that no rate is 0).
   */
  init?: string | readonly string[];
}

/** What `PoissonHMM.sample` returns. */
export interface PoissonHMMSample {
  /** n×d counts. */
  readonly X: Matrix;
  /** The state of every observation. */
  readonly states: Int32Array;
}

const SPEC: LetterSpec = { letters: 'stl', words: { start: 's', transitions: 't', emissions: 'l', lambdas: 'l' } };
const KEYS = [...COMMON_KEYS, 'lambdas', 'alpha'];

/** Counts bound to the `'linear'` kernels, with `h(x_t)` added to every state's log-density. */
class PoissonEmissions implements EmissionSession<DiscreteParams> {
  readonly statsLength: number;
  private readonly bound: BoundData;
  private readonly h: Float64Array;

  constructor(data: GaussianSequences, backend: Backend, private readonly K: number) {
    this.statsLength = discreteStatsLength(data.d, K);
    this.bound = backend.bind(data.data, data.n, data.d, null);
    this.h = poissonFamily.rowConstant({ data: data.data, rows: data.n, cols: data.d })!;
  }

  setParams(e: DiscreteParams): void {
    this.bound.setParams(poissonFamily.kernelParams(e));
  }

  logLikelihoods(start: number, T: number, out: Float64Array): void {
    this.bound.logProb(start, T, out);
    for (let t = 0; t < T; t++) for (let k = 0; k < this.K; k++) out[t * this.K + k] += this.h[start + t];
  }

  accumulate(start: number, T: number, gamma: Float64Array, stats: Float64Array): void {
    this.bound.accumulateWeighted(start, T, gamma, stats);
  }

  dispose(): void {
    this.bound.dispose();
  }
}

/**
 * A hidden Markov model with Poisson count emissions, fitted by Baum–Welch on many sequences of T_i×d counts.
 *
 * ```ts
 * const hmm = new PoissonHMM({ nStates: 2, seed: 1, maxIter: 100 }).fit([[[0], [2], [9], [11]], [[1], [0]]]);
 * hmm.lambdas; hmm.transMat; hmm.predict([[0], [10]]);
 * ```
 */
export class PoissonHMM extends HiddenMarkovModel<DiscreteParams, GaussianSequences, GaussianSequencesInput, GaussianSequenceOptions> {
  private readonly givenLambdas: Float64Array | null;
  private readonly givenD: number | null;
  private readonly alpha: number;
  protected readonly modelName = 'PoissonHMM';
  protected readonly dataKeys = ['lengths', 'nFeatures'] as const;

  constructor(options: PoissonHMMOptions = {}) {
    const o = checkKeys(options, KEYS, 'options');
    const K = integerOption(o.nStates, 'options.nStates', 1, 1);
    let lambdas: Float64Array | null = null;
    let d: number | null = null;
    if (o.lambdas !== undefined) {
      const first = (o.lambdas as ArrayLike<ArrayLike<number>> | null)?.[0];
      d = first !== null && typeof first === 'object' && typeof first.length === 'number' && first.length > 0 ? first.length : 1;
      lambdas = flattenNested(o.lambdas, [K, d], 'options.lambdas',
        { ok: (v) => Number.isFinite(v) && v > 0, expected: 'a rate (a finite number > 0)' });
    }
    super(resolveCommon(o, SPEC, lambdas !== null ? 'l' : ''));
    this.givenLambdas = lambdas;
    this.givenD = d;
    this.alpha = numberOption(o.alpha, 'options.alpha', 1e-10, 0, true);
  }

  /** Number of features d of the fitted model. */
  get nFeatures(): number {
    return this.fitted('nFeatures').emission.d;
  }

  /** Rates λ: K rows of d (copies). */
  get lambdas(): Float64Array[] {
    const e = this.fitted('lambdas').emission;
    return rowsOf(e.mean, e.k, e.d);
  }

  protected parse(X: unknown, options: GaussianSequenceOptions | undefined, fitting: boolean): GaussianSequences {
    const d = fitting ? this.givenD ?? undefined : this.params!.emission.d;
    const data = toGaussianSequences(X, options, undefined);
    checkFeatures(data, d, fitting ? 'the given lambdas' : "the model's nFeatures");
    if (fitting && d === undefined) checkRowsAreObservations(X, data, options);
    poissonFamily.checkData({ data: data.data, rows: data.n, cols: data.d }, 'X', null);
    return data;
  }

  protected bindEmissions(data: GaussianSequences, backend: Backend): EmissionSession<DiscreteParams> {
    return new PoissonEmissions(data, backend, this.common.nStates);
  }

  protected checkFitData(data: GaussianSequences): void {
    if (this.common.init.has('l')) checkDistinctRows(data, this.common.nStates, 'Use fewer states, more data, or give the lambdas');
  }

  protected *initEmission(data: GaussianSequences, rng: Rng): Resumable<DiscreteParams> {
    const K = this.common.nStates;
    const { d } = data;
    let mean: Float64Array;
    if (this.common.init.has('l')) {
      const all = { X: { data: data.data, rows: data.n, cols: d }, weights: null };
      const sample = data.n > INIT_SAMPLE_ROWS ? sampleRows(all, INIT_SAMPLE_ROWS, K, rng) : all;
      mean = (yield* kmeansSteps(sample, K, rng)).map((v) => v + this.alpha);
    } else {
      mean = this.givenLambdas!;
    }
    return { k: K, d, nCategories: null, weights: new Float64Array(K).fill(1), mean };
  }

  protected maximizeEmission(stats: Float64Array, previous: DiscreteParams, empty: Int32Array): DiscreteParams {
    if (!this.common.learn.has('l')) return previous;
    const { k: K, d } = previous;
    const { kept, reduced } = nonEmptyStats(stats, K, empty);
    if (kept.length === 0) return previous;
    let next: DiscreteParams;
    try {
      next = maximizeDiscrete(poissonFamily, reduced, kept.length, d, null, this.alpha);
    } catch (e) {
      if (e instanceof DegenerateComponentError && e.component >= 0) {
        throw new DegenerateComponentError(kept[e.component], 'it holds no weight');
      }
      throw e;
    }
    const mean = previous.mean.slice();
    kept.forEach((c, i) => mean.set(next.mean.subarray(i * d, (i + 1) * d), c * d));
    return { ...previous, mean };
  }

  protected emissionLogPrior(): number {
    return 0;
  }

  /** The counts of row i (of probability 0, or too small for float64, at every state's rates). */
  protected zeroDensityDetail(data: GaussianSequences, i: number): string {
    const row = Array.from(data.data.subarray(i * data.d, (i + 1) * data.d));
    return `counts ${row.length > 6 ? `${row.slice(0, 6).join(', ')}, …` : row.join(', ')}`;
  }

  protected nEmissionParameters(e: DiscreteParams): number {
    return this.common.learn.has('l') ? e.k * e.d : 0;
  }

  /**
   * Draws one sequence of `count` count vectors [1]: a state path from π and A, then Poisson counts at its state's
   * rates. Seeded by `seed` (default: the model's); `currentState` fixes the first state.
   */
  sample(count?: number, options: HmmSampleOptions = {}): PoissonHMMSample {
    const { p, n, rng, states } = this.startSample(count, options, (q) => q.emission.d + 1);
    const { d } = p.emission;
    const data = new Float64Array(n * d);
    for (let t = 0; t < n; t++) poissonFamily.sampleRow(p.emission, states[t], rng, data, t * d);
    return { X: { data, rows: n, cols: d }, states };
  }

  /** The model as plain JSON (format `'wasm-em/poisson-hmm'`, version 1). */
  toJSON(): PoissonHMMJSON {
    return poissonHmmToJSON(this.fitted('toJSON()'), this.common, this.facts, this.alpha);
  }

  /** A model from `toJSON()` output (or its JSON text). Throws `InputError` naming the first bad field. */
  static fromJSON(json: unknown, options: Pick<PoissonHMMOptions, 'backend'> = {}): PoissonHMM {
    checkKeys(options, ['backend'], 'options');
    const { params, learn, facts, alpha } = poissonHmmFromJSON(json);
    const e = params.emission;
    const hmm = new PoissonHMM({
      nStates: e.k, startProb: params.startProb, transMat: rowsOf(params.transMat, e.k, e.k),
      lambdas: rowsOf(e.mean, e.k, e.d), learn, alpha, ...options,
    });
    hmm.params = params;
    hmm.facts = facts;
    return hmm;
  }
}
