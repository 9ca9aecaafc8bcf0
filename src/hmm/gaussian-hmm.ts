/**
 * `GaussianHMM`: hmmlearn's `GaussianHMM` in camelCase — a hidden Markov model whose states emit Gaussian vectors,
 * fitted by Baum–Welch (`src/hmm/base.ts`) on the mixture kernels: the emission log-densities are the kernels'
 * `logProb` with unit weights, and the γ-weighted statistics their `accumulateWeighted`, fed to the mixture M-step of
 * `src/families/gaussian.ts` (Bishop 2006, eqs. 13.20–13.21; Rabiner 1989, eqs. 53).
 */
import type { Backend, BoundData } from '../backend/kernel.js';
import { statsLength } from '../backend/kernel.js';
import { INIT_SAMPLE_ROWS, kmeansSteps, sampleRows } from '../kmeans.js';
import type { Rng } from '../rng.js';
import type { Resumable } from '../parallel/abort.js';
import { DegenerateComponentError, InputError, describe } from '../errors.js';
import {
  COVARIANCE_MODELS, COVARIANCE_TYPES, checkCovariances, covarianceLayout, covarianceLength, covarianceMatrixOf, covarianceShape,
  gaussianParams, kernelShape, maximize, nest, toKernelParams, type CovarianceType, type Covariances, type GaussianParams,
} from '../families/gaussian.js';
import { checkFeatureRange } from '../estimator/validation.js';
import { columnMeans } from '../dtype.js';
import { choleskyLower } from '../linalg.js';
import { rowsOf, type Matrix } from '../matrix.js';
import { checkKeys, enumOption, flattenNested, integerOption, numberOption } from '../options.js';
import {
  COMMON_KEYS, HiddenMarkovModel, nonEmptyStats, resolveCommon, type EmissionSession, type HmmOptions, type HmmSampleOptions,
  type LetterSpec,
} from './base.js';
import { gaussianHmmFromJSON, gaussianHmmToJSON, type GaussianHMMJSON } from './json.js';
import {
  checkDistinctRows, checkFeatures, checkRowsAreObservations, toGaussianSequences, type GaussianSequenceOptions, type GaussianSequences, type GaussianSequencesInput,
} from './sequences.js';

/** Constructor options of `GaussianHMM` (hmmlearn's names in camelCase; defaults in brackets). */
export interface GaussianHMMOptions extends HmmOptions {
  /**
   * `'full'` (K×d×d), `'diag'` (K×d), `'spherical'` (K) or `'tied'` (one d×d) ['diag', as hmmlearn], or any of
   * mclust's fourteen models (`'VEV'`, `'EEI'`, …; see `GaussianMixtureOptions.covarianceType`), whose M-step then
   * constrains the states' covariances alike.
   */
  covarianceType?: CovarianceType;
  /** Added to the covariance diagonals at initialization and in every M-step (hmmlearn `min_covar`) [1e-3]. */
  minCovar?: number;
  /** Alias of `minCovar` (the mixtures' name). */
  regCovar?: number;
  /** Starting means, K×d; used when 'm' is not in `init`. */
  means?: ArrayLike<ArrayLike<number>>;
  /** Starting covariances in hmmlearn's shape for the type; used when 'c' is not in `init`. */
  covariances?: unknown;
  /**
   * Parameters to update: hmmlearn's letters `'stmc'` (start, transitions, means, covariances), or an array of
   * `'start'`, `'transitions'`, `'emissions'` (means and covariances), `'means'`, `'covariances'` [all].
   */
  learn?: string | readonly string[];
  /**
   * Parameters to initialize (same forms as `learn`) [every parameter not given]: start and transitions uniform
   * (hmmlearn), means by k-means (k-means++ seeds and Lloyd's algorithm on all observations, or a sample of 100 000),
   * every state's covariance from the data's covariance plus `minCovar` (the type's share of it: its diagonal, or
   * the mean of its diagonal).
   */
  init?: string | readonly string[];
}

/** What `GaussianHMM.sample` returns. */
export interface GaussianHMMSample {
  /** n×d observations. */
  readonly X: Matrix;
  /** The state of every observation. */
  readonly states: Int32Array;
}

const SPEC: LetterSpec = {
  letters: 'stmc',
  words: { start: 's', transitions: 't', emissions: 'mc', means: 'm', covariances: 'c' },
};
const KEYS = [...COMMON_KEYS, 'covarianceType', 'minCovar', 'regCovar', 'means', 'covariances'];

interface GaussianResolved {
  readonly type: CovarianceType;
  readonly minCovar: number;
  readonly means: Float64Array | null;
  readonly covariances: Float64Array | null;
  /** d, when the given means or covariances fix it. */
  readonly d: number | null;
}

function resolveGaussian(o: Record<string, unknown>, K: number): GaussianResolved {
  const type = enumOption(o.covarianceType, 'options.covarianceType', 'diag', COVARIANCE_TYPES);
  if (o.minCovar !== undefined && o.regCovar !== undefined && o.minCovar !== o.regCovar) {
    throw new InputError('options.regCovar', `undefined or equal to options.minCovar (${describe(o.minCovar)}); it is its alias`,
      describe(o.regCovar));
  }
  const minCovar = numberOption(o.minCovar ?? o.regCovar, o.minCovar !== undefined ? 'options.minCovar' : 'options.regCovar',
    1e-3, 0);
  let d: number | null = null;
  const rowLength = (v: unknown): number | null => {
    const first = (v as ArrayLike<unknown> | null | undefined)?.[0] as ArrayLike<unknown> | undefined;
    return first !== null && typeof first === 'object' && typeof first.length === 'number' && first.length > 0
      ? first.length : null;
  };
  if (o.means !== undefined) d = rowLength(o.means) ?? 1;
  else if (o.covariances !== undefined && covarianceLayout(type) !== 'scalars') {
    d = rowLength(covarianceLayout(type) === 'matrices' ? (o.covariances as unknown[])?.[0] : o.covariances);
  }
  const means = o.means === undefined ? null : flattenNested(o.means, [K, d!], 'options.means');
  let covariances: Float64Array | null = null;
  if (o.covariances !== undefined) {
    if (d === null && covarianceLayout(type) !== 'scalars') throw new InputError('options.covariances', `covariances of shape ${covarianceShape(type, K, 0).join('×').replace('0', 'd')}`, describe(o.covariances));
    covariances = flattenNested(o.covariances, covarianceShape(type, K, d ?? 1), 'options.covariances');
    checkCovariances(covariances, type, K, d ?? 1, 'options.covariances');
  }
  return { type, minCovar, means, covariances, d };
}

/** Binds observations to the Gaussian kernels; emission parameters carry unit weights, so `logConst` has no log w. */
class GaussianEmissions implements EmissionSession<GaussianParams> {
  readonly statsLength: number;
  private readonly bound: BoundData;

  constructor(data: GaussianSequences, backend: Backend, type: CovarianceType, K: number) {
    this.statsLength = statsLength(kernelShape(type), data.d, K);
    this.bound = backend.bind(data.data, data.n, data.d, null);
  }

  setParams(e: GaussianParams): void {
    this.bound.setParams(toKernelParams(e));
  }

  logLikelihoods(start: number, T: number, out: Float64Array): void {
    this.bound.logProb(start, T, out);
  }

  accumulate(start: number, T: number, gamma: Float64Array, stats: Float64Array): void {
    this.bound.accumulateWeighted(start, T, gamma, stats);
  }

  dispose(): void {
    this.bound.dispose();
  }
}

/**
 * A hidden Markov model with Gaussian emissions, `x_t | z_t = k ~ N(μ_k, Σ_k)`, fitted by Baum–Welch on many
 * sequences.
 *
 * ```ts
 * const hmm = new GaussianHMM({ nStates: 3, covarianceType: 'full', seed: 1, maxIter: 100 }).fit(sequences);
 * hmm.transMat; hmm.means; hmm.predict(sequence); hmm.score(sequence);
 * ```
 * Observations: a list of T_i×d sequences (`number[][][]`), or one matrix with `{ lengths }`.
 */
export class GaussianHMM extends HiddenMarkovModel<GaussianParams, GaussianSequences, GaussianSequencesInput, GaussianSequenceOptions> {
  private readonly gaussian: GaussianResolved;
  protected readonly modelName = 'GaussianHMM';
  protected readonly dataKeys = ['lengths', 'nFeatures'] as const;

  constructor(options: GaussianHMMOptions = {}) {
    const o = checkKeys(options, KEYS, 'options');
    const K = integerOption(o.nStates, 'options.nStates', 1, 1);
    const gaussian = resolveGaussian(o, K);
    const given = (gaussian.means !== null ? 'm' : '') + (gaussian.covariances !== null ? 'c' : '');
    super(resolveCommon(o, SPEC, given));
    this.gaussian = gaussian;
  }

  /** The covariance type. */
  get covarianceType(): CovarianceType {
    return this.gaussian.type;
  }

  /** Number of features d of the fitted model. */
  get nFeatures(): number {
    return this.fitted('nFeatures').emission.d;
  }

  /** Means, K rows of d (copies). */
  get means(): Float64Array[] {
    const e = this.fitted('means').emission;
    return rowsOf(e.means, e.k, e.d);
  }

  /** Covariances in hmmlearn's / scikit-learn's shapes: full K×d×d, tied d×d, diag K×d, spherical K (copies). */
  get covariances(): Covariances {
    const e = this.fitted('covariances').emission;
    return nest(e.covariances, e.covarianceType, e.k, e.d);
  }

  /** The full d×d covariance matrix of state k, whatever the covariance type (rows are copies). */
  covarianceMatrix(k: number): Float64Array[] {
    const e = this.fitted('covarianceMatrix()').emission;
    integerOption(k, 'k', 0, 0, e.k - 1);
    return rowsOf(covarianceMatrixOf(e, k), e.d, e.d);
  }

  protected parse(X: unknown, options: GaussianSequenceOptions | undefined, fitting: boolean): GaussianSequences {
    const d = fitting ? this.gaussian.d ?? undefined : this.params!.emission.d;
    const data = toGaussianSequences(X, options, undefined);
    checkFeatures(data, d, fitting ? 'the given means or covariances' : "the model's nFeatures");
    if (fitting && d === undefined) checkRowsAreObservations(X, data, options);
    return data;
  }

  protected bindEmissions(data: GaussianSequences, backend: Backend): EmissionSession<GaussianParams> {
    return new GaussianEmissions(data, backend, this.gaussian.type, this.common.nStates);
  }

  protected checkFitData(data: GaussianSequences): void {
    const all = { data: data.data, rows: data.n, cols: data.d };
    checkFeatureRange(all, columnMeans(all), null, 'float64');
    if (this.common.init.has('m')) checkDistinctRows(data, this.common.nStates, 'Use fewer states, more data, or give the means');
  }

  protected *initEmission(data: GaussianSequences, rng: Rng): Resumable<GaussianParams> {
    const K = this.common.nStates;
    const { d } = data;
    const { type, minCovar } = this.gaussian;
    const all = { X: { data: data.data, rows: data.n, cols: d }, weights: null };
    const means = this.common.init.has('m')
      ? yield* kmeansSteps(data.n > INIT_SAMPLE_ROWS ? sampleRows(all, INIT_SAMPLE_ROWS, K, rng) : all, K, rng)
      : this.gaussian.means!;
    const covariances = this.common.init.has('c') ? dataCovariances(data, type, K, minCovar) : this.gaussian.covariances!;
    return gaussianParams(type, K, d, new Float64Array(K).fill(1), means, covariances);
  }

  protected maximizeEmission(stats: Float64Array, previous: GaussianParams, empty: Int32Array): GaussianParams {
    const learnMeans = this.common.learn.has('m');
    const learnCov = this.common.learn.has('c');
    if (!learnMeans && !learnCov) return previous;
    const { type, minCovar } = this.gaussian;
    const { k: K, d } = previous;
    const { kept, reduced, block } = nonEmptyStats(stats, K, empty);
    if (kept.length === 0) return previous;
    const shift = new Float64Array(kept.length * d);
    kept.forEach((c, i) => {
      // Covariances about the fixed means when the means are not learned: drop the first moments.
      if (!learnMeans) reduced.fill(0, i * block + 1, i * block + 1 + d);
      shift.set(previous.means.subarray(c * d, (c + 1) * d), i * d);
    });
    let next: GaussianParams;
    try {
      const whole = kept.length === K && previous.decomposition !== undefined;
      next = maximize(type, kept.length, d, reduced, shift, minCovar, undefined, whole ? { start: previous.decomposition } : {});
    } catch (e) {
      if (e instanceof DegenerateComponentError && e.component >= 0) {
        throw new DegenerateComponentError(kept[e.component], 'its covariance is not positive definite or it holds no weight');
      }
      throw e;
    }
    const means = previous.means.slice();
    const covariances = previous.covariances.slice();
    const shared = covarianceLayout(type) === 'matrix';
    const per = shared ? 0 : covarianceLength(type, 1, d);
    kept.forEach((c, i) => {
      if (learnMeans) means.set(next.means.subarray(i * d, (i + 1) * d), c * d);
      if (learnCov && per > 0) covariances.set(next.covariances.subarray(i * per, (i + 1) * per), c * per);
    });
    if (learnCov && shared) covariances.set(next.covariances);
    const p = gaussianParams(type, K, d, previous.weights, means, covariances);
    return kept.length === K && next.decomposition !== undefined ? { ...p, decomposition: next.decomposition } : p;
  }

  protected emissionLogPrior(): number {
    return 0;
  }

  /**
   * Row i's distance from the nearest state's mean, in that state's standard deviations along the feature where it
   * is farthest (`min_k max_j |x_ij − μ_kj| / √Σ_k,jj`): unlike the Mahalanobis distance, its square cannot overflow.
   */
  protected zeroDensityDetail(data: GaussianSequences, i: number, e: GaussianParams): string {
    const { k: K, d } = e;
    let nearest = Infinity;
    for (let k = 0; k < K; k++) {
      const cov = covarianceMatrixOf(e, k);
      let far = 0;
      for (let j = 0; j < d; j++) far = Math.max(far, Math.abs(data.data[i * d + j] - e.means[k * d + j]) / Math.sqrt(cov[j * d + j]));
      nearest = Math.min(nearest, far);
    }
    // Beyond 1.8e308 (a row near ±MAX_VALUE, or a state of tiny variance) the ratio itself overflows.
    return `${Number.isFinite(nearest) ? nearest.toExponential(2) : 'over 1.8e+308'} standard deviations from the nearest state's mean`;
  }

  protected nEmissionParameters(e: GaussianParams): number {
    const { k: K, d } = e;
    const cov = COVARIANCE_MODELS[e.covarianceType].covarianceParameters(K, d);
    return (this.common.learn.has('m') ? K * d : 0) + (this.common.learn.has('c') ? cov : 0);
  }

  /**
   * Draws one sequence of `count` observations [1]: a state path from π and A, then `x_t = μ_{z_t} + L z` with
   * `Σ_{z_t} = L Lᵀ` and z standard normal. Seeded by `seed` (default: the model's); `currentState` fixes the first state.
   */
  sample(count?: number, options: HmmSampleOptions = {}): GaussianHMMSample {
    const { p, n, rng, states } = this.startSample(count, options, (q) => q.emission.d + 1);
    const e = p.emission;
    const { k: K, d } = e;
    const factors = Array.from({ length: K }, (_, k) => {
      const L = new Float64Array(d * d);
      choleskyLower(covarianceMatrixOf(e, k), 0, d, L);
      return L;
    });
    const data = new Float64Array(n * d);
    const z = new Float64Array(d);
    for (let t = 0; t < n; t++) {
      const k = states[t];
      const L = factors[k];
      for (let j = 0; j < d; j++) z[j] = rng.normal();
      for (let a = 0; a < d; a++) {
        let v = e.means[k * d + a];
        for (let b = 0; b <= a; b++) v += L[a * d + b] * z[b];
        data[t * d + a] = v;
      }
    }
    return { X: { data, rows: n, cols: d }, states };
  }

  /** The model as plain JSON (format `'wasm-em/gaussian-hmm'`, version 1). */
  toJSON(): GaussianHMMJSON {
    const p = this.fitted('toJSON()');
    return gaussianHmmToJSON(p, this.common, this.facts);
  }

  /** A model from `toJSON()` output (or its JSON text). Throws `InputError` naming the first bad field. */
  static fromJSON(json: unknown, options: Pick<GaussianHMMOptions, 'backend'> = {}): GaussianHMM {
    checkKeys(options, ['backend'], 'options');
    const { params, learn, facts } = gaussianHmmFromJSON(json);
    const e = params.emission;
    const hmm = new GaussianHMM({
      nStates: e.k, covarianceType: e.covarianceType, startProb: params.startProb,
      transMat: rowsOf(params.transMat, e.k, e.k), means: rowsOf(e.means, e.k, e.d),
      covariances: nest(e.covariances, e.covarianceType, e.k, e.d), learn, ...options,
    });
    hmm.params = params;
    hmm.facts = facts;
    return hmm;
  }
}


/**
 * Every state's starting covariance from the data (hmmlearn): the sample covariance of all observations (divisor
 * N − 1) plus `minCovar`·I, reduced to the type — full: K copies; tied: one; diag: its diagonal K times; spherical:
 * the mean of its diagonal K times.
 */
function dataCovariances(data: GaussianSequences, type: CovarianceType, K: number, minCovar: number): Float64Array {
  const { d, n } = data;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = data.data[i * d + a] - mean[a];
      for (let b = a; b < d; b++) cov[a * d + b] += xa * (data.data[i * d + b] - mean[b]);
    }
  }
  const denom = Math.max(n - 1, 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] /= denom;
    cov[a * d + a] += minCovar;
  }
  const out = new Float64Array(covarianceLength(type, K, d));
  for (let k = 0; k < K; k++) {
    switch (covarianceLayout(type)) {
      case 'matrices':
        out.set(cov, k * d * d);
        break;
      case 'matrix':
        out.set(cov);
        break;
      case 'vectors':
        for (let j = 0; j < d; j++) out[k * d + j] = cov[j * d + j];
        break;
      case 'scalars': {
        let s = 0;
        for (let j = 0; j < d; j++) s += cov[j * d + j];
        out[k] = s / d;
        break;
      }
    }
  }
  return out;
}
