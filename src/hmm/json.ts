/**
 * Model files of the hidden Markov models: plain JSON with hmmlearn's attribute shapes, fully validated on load.
 *
 * ```json
 * { "format": "wasm-em/gaussian-hmm", "version": 1, "nStates": 2, "nFeatures": 1, "covarianceType": "diag",
 *   "startProb": [..K], "transMat": [[..K] ×K], "means": [[..d] ×K], "covariances": hmmlearn's shape for the type,
 *   "learn": "stmc", "emptyStates": [], "converged": true, "nIter": 12, "logLikelihood": -1234.5 }
 * { "format": "wasm-em/categorical-hmm", "version": 1, "nStates": 2, "nSymbols": 3, "startProb": [..K],
 *   "transMat": [[..K] ×K], "emissionProb": [[..M] ×K], "learn": "ste", "emptyStates": [], "converged": true,
 *   "nIter": 7, "logLikelihood": -80.1 }
 * { "format": "wasm-em/poisson-hmm", "version": 1, "nStates": 2, "nFeatures": 1, "lambdas": [[..d] ×K], "alpha": 1e-10,
 *   "startProb": [..K], "transMat": [[..K] ×K], "learn": "stl", "emptyStates": [], "converged": true, "nIter": 9,
 *   "logLikelihood": -512.3 }
 * ```
 */
import { InputError, describe } from '../errors.js';
import {
  COVARIANCE_TYPES, checkCovariances, covarianceShape, gaussianParams, type CovarianceType, type GaussianParams,
} from '../families/gaussian.js';
import { MAX_CATEGORIES } from '../families/categorical.js';
import type { DiscreteParams } from '../families/discrete.js';
import { checkKeys, enumOption, flattenNested, integerOption } from '../options.js';
import { probabilityRows, type CommonOptions, type HmmParams } from './base.js';

/** Format tag of a Gaussian HMM file. */
export const GAUSSIAN_HMM_FORMAT = 'wasm-em/gaussian-hmm';
/** Format tag of a Poisson HMM file. */
export const POISSON_HMM_FORMAT = 'wasm-em/poisson-hmm';
/** Format tag of a categorical HMM file. */
export const CATEGORICAL_HMM_FORMAT = 'wasm-em/categorical-hmm';
/** Version of both HMM file formats. */
export const HMM_MODEL_VERSION = 1;

/** Fields common to both HMM files. */
export interface HmmJSONCommon {
  version: typeof HMM_MODEL_VERSION;
  nStates: number;
  /** π, K. */
  startProb: number[];
  /** A, K×K. */
  transMat: number[][];
  /** The learned parameters, as hmmlearn's letters (for `nParameters`). */
  learn: string;
  /** States that received no posterior mass in the last iteration. */
  emptyStates: number[];
  converged: boolean;
  nIter: number;
  /** The monitored log-likelihood of the last E-step; null when unknown. */
  logLikelihood: number | null;
}

/** A Gaussian HMM as JSON. */
export interface GaussianHMMJSON extends HmmJSONCommon {
  format: typeof GAUSSIAN_HMM_FORMAT;
  nFeatures: number;
  covarianceType: CovarianceType;
  /** K×d. */
  means: number[][];
  /** full K×d×d, tied d×d, diag K×d, spherical K. */
  covariances: number[] | number[][] | number[][][];
}

/** A categorical HMM as JSON. */
export interface CategoricalHMMJSON extends HmmJSONCommon {
  format: typeof CATEGORICAL_HMM_FORMAT;
  nSymbols: number;
  /** K×M, rows sum to 1. */
  emissionProb: number[][];
}

/** A Poisson HMM as JSON. */
export interface PoissonHMMJSON extends HmmJSONCommon {
  format: typeof POISSON_HMM_FORMAT;
  nFeatures: number;
  /** K×d rates, each > 0. */
  lambdas: number[][];
  /** Pseudo-count of the rate M-step. */
  alpha: number;
}

/** Fit facts stored beside the parameters. */
export interface HmmFacts {
  converged: boolean;
  nIter: number;
  logLikelihood: number;
  history: number[];
}

/** A flat array nested to `shape` as plain arrays. */
export function nested(flat: ArrayLike<number>, shape: readonly number[]): unknown {
  const build = (offset: number, depth: number): unknown => {
    if (depth === shape.length - 1) return Array.from({ length: shape[depth] }, (_, i) => flat[offset + i]);
    const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[depth] }, (_, i) => build(offset + i * stride, depth + 1));
  };
  return build(0, 0);
}

function commonToJSON<E>(p: HmmParams<E>, common: CommonOptions, facts: HmmFacts, letters: string): Omit<HmmJSONCommon, 'version'> {
  const K = common.nStates;
  return {
    nStates: K,
    startProb: Array.from(p.startProb),
    transMat: nested(p.transMat, [K, K]) as number[][],
    learn: [...letters].filter((ch) => common.learn.has(ch)).join(''),
    emptyStates: Array.from(p.emptyStates),
    converged: facts.converged,
    nIter: facts.nIter,
    logLikelihood: Number.isFinite(facts.logLikelihood) ? facts.logLikelihood : null,
  };
}

/** Serializes a fitted Gaussian HMM. */
export function gaussianHmmToJSON(p: HmmParams<GaussianParams>, common: CommonOptions, facts: HmmFacts): GaussianHMMJSON {
  const e = p.emission;
  return {
    format: GAUSSIAN_HMM_FORMAT,
    version: HMM_MODEL_VERSION,
    ...commonToJSON(p, common, facts, 'stmc'),
    nFeatures: e.d,
    covarianceType: e.covarianceType,
    means: nested(e.means, [e.k, e.d]) as number[][],
    covariances: nested(e.covariances, covarianceShape(e.covarianceType, e.k, e.d)) as GaussianHMMJSON['covariances'],
  };
}

/** Serializes a fitted categorical HMM. */
export function categoricalHmmToJSON(
  p: HmmParams<{ emissionProb: Float64Array; nSymbols: number }>, common: CommonOptions, facts: HmmFacts,
): CategoricalHMMJSON {
  const e = p.emission;
  return {
    format: CATEGORICAL_HMM_FORMAT,
    version: HMM_MODEL_VERSION,
    ...commonToJSON(p, common, facts, 'ste'),
    nSymbols: e.nSymbols,
    emissionProb: nested(e.emissionProb, [common.nStates, e.nSymbols]) as number[][],
  };
}

/** Serializes a fitted Poisson HMM. */
export function poissonHmmToJSON(
  p: HmmParams<DiscreteParams>, common: CommonOptions, facts: HmmFacts, alpha: number,
): PoissonHMMJSON {
  const e = p.emission;
  return {
    format: POISSON_HMM_FORMAT,
    version: HMM_MODEL_VERSION,
    ...commonToJSON(p, common, facts, 'stl'),
    nFeatures: e.d,
    lambdas: nested(e.mean, [e.k, e.d]) as number[][],
    alpha,
  };
}

const COMMON_JSON_KEYS = ['format', 'version', 'nStates', 'startProb', 'transMat', 'learn', 'emptyStates', 'converged',
  'nIter', 'logLikelihood'];

/** Parses JSON text or takes an object; checks keys, format and version; reads the common fields. */
function readCommon(json: unknown, format: string, keys: readonly string[], letters: string): {
  o: Record<string, unknown>; K: number; startProb: Float64Array; transMat: Float64Array; learn: string;
  emptyStates: Int32Array; facts: HmmFacts;
} {
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new InputError('json', 'a model as JSON text', `text that does not parse (${(e as Error).message})`);
    }
  }
  const o = checkKeys(value, [...COMMON_JSON_KEYS, ...keys], 'json');
  if (o.format !== format) throw new InputError('json.format', `"${format}"`, describe(o.format));
  if (o.version !== HMM_MODEL_VERSION) throw new InputError('json.version', String(HMM_MODEL_VERSION), describe(o.version));
  if (!Array.isArray(o.startProb) || o.startProb.length === 0) {
    throw new InputError('json.startProb', 'a non-empty array of K start probabilities', describe(o.startProb));
  }
  const K = o.startProb.length;
  if (o.nStates !== K) throw new InputError('json.nStates', `${K} (the length of startProb)`, describe(o.nStates));
  const startProb = probabilityRows(o.startProb, 1, K, 'json.startProb', true);
  const transMat = probabilityRows(o.transMat, K, K, 'json.transMat', false);
  if (typeof o.learn !== 'string' || [...o.learn].some((ch) => !letters.includes(ch)) || new Set(o.learn).size !== o.learn.length) {
    throw new InputError('json.learn', `distinct letters among '${letters}'`, describe(o.learn));
  }
  const empty = flattenNested(o.emptyStates, [Array.isArray(o.emptyStates) ? o.emptyStates.length : 0], 'json.emptyStates',
    { ok: (v) => Number.isInteger(v) && v >= 0 && v < K, expected: `a state index in [0, ${K})` });
  if (typeof o.converged !== 'boolean') throw new InputError('json.converged', 'true or false', describe(o.converged));
  if (o.nIter === undefined) throw new InputError('json.nIter', 'an integer ≥ 0', 'undefined');
  const nIter = integerOption(o.nIter, 'json.nIter', 0, 0);
  if (o.logLikelihood !== null && (typeof o.logLikelihood !== 'number' || !Number.isFinite(o.logLikelihood))) {
    throw new InputError('json.logLikelihood', 'a finite number or null', describe(o.logLikelihood));
  }
  return {
    o, K, startProb, transMat, learn: o.learn, emptyStates: Int32Array.from(empty),
    facts: { converged: o.converged, nIter, logLikelihood: (o.logLikelihood as number | null) ?? -Infinity, history: [] },
  };
}

/** Parses and validates a Gaussian HMM file. Throws `InputError` naming the first bad field. */
export function gaussianHmmFromJSON(json: unknown): { params: HmmParams<GaussianParams>; learn: string; facts: HmmFacts } {
  const { o, K, startProb, transMat, learn, emptyStates, facts } =
    readCommon(json, GAUSSIAN_HMM_FORMAT, ['nFeatures', 'covarianceType', 'means', 'covariances'], 'stmc');
  if (o.covarianceType === undefined) throw new InputError('json.covarianceType', 'a covariance type', 'undefined');
  const type = enumOption(o.covarianceType, 'json.covarianceType', 'diag', COVARIANCE_TYPES);
  if (o.nFeatures === undefined) throw new InputError('json.nFeatures', 'a positive integer', 'undefined');
  const d = integerOption(o.nFeatures, 'json.nFeatures', 1, 1);
  const means = flattenNested(o.means, [K, d], 'json.means');
  const covariances = flattenNested(o.covariances, covarianceShape(type, K, d), 'json.covariances');
  checkCovariances(covariances, type, K, d, 'json.covariances');
  const emission = gaussianParams(type, K, d, new Float64Array(K).fill(1), means, covariances);
  return { params: { startProb, transMat, emission, emptyStates }, learn, facts };
}

/** Parses and validates a categorical HMM file. Throws `InputError` naming the first bad field. */
export function categoricalHmmFromJSON(json: unknown): {
  params: HmmParams<{ emissionProb: Float64Array; nSymbols: number }>; learn: string; facts: HmmFacts;
} {
  const { o, K, startProb, transMat, learn, emptyStates, facts } =
    readCommon(json, CATEGORICAL_HMM_FORMAT, ['nSymbols', 'emissionProb'], 'ste');
  if (o.nSymbols === undefined) throw new InputError('json.nSymbols', 'a positive integer', 'undefined');
  const M = integerOption(o.nSymbols, 'json.nSymbols', 1, 1, MAX_CATEGORIES);
  const emissionProb = probabilityRows(o.emissionProb, K, M, 'json.emissionProb', false);
  return { params: { startProb, transMat, emission: { emissionProb, nSymbols: M }, emptyStates }, learn, facts };
}

/** Parses and validates a Poisson HMM file. Throws `InputError` naming the first bad field. */
export function poissonHmmFromJSON(json: unknown): {
  params: HmmParams<DiscreteParams>; learn: string; facts: HmmFacts; alpha: number;
} {
  const { o, K, startProb, transMat, learn, emptyStates, facts } =
    readCommon(json, POISSON_HMM_FORMAT, ['nFeatures', 'lambdas', 'alpha'], 'stl');
  if (o.nFeatures === undefined) throw new InputError('json.nFeatures', 'a positive integer', 'undefined');
  const d = integerOption(o.nFeatures, 'json.nFeatures', 1, 1);
  const mean = flattenNested(o.lambdas, [K, d], 'json.lambdas',
    { ok: (v) => Number.isFinite(v) && v > 0, expected: 'a rate (a finite number > 0)' });
  if (typeof o.alpha !== 'number' || !(o.alpha > 0) || !Number.isFinite(o.alpha)) {
    throw new InputError('json.alpha', 'a finite number > 0', describe(o.alpha));
  }
  const emission: DiscreteParams = { k: K, d, nCategories: null, weights: new Float64Array(K).fill(1), mean };
  return { params: { startProb, transMat, emission, emptyStates }, learn, facts, alpha: o.alpha };
}
