/**
 * The model file: plain JSON a scikit-learn user can load (covariances in scikit-learn's `covariances_` shapes).
 *
 * ```json
 * { "format": "wasm-em/gaussian-mixture", "version": 1, "covarianceType": "full", "nFeatures": 2, "nComponents": 2,
 *   "weights": [..k], "means": [[..d] ×k], "covariances": full k×d×d | tied d×d | diag k×d | spherical k,
 *   "converged": true, "nIter": 7, "lowerBound": -4.15 }
 * ```
 */
import { InputError, describe } from './errors.js';
import {
  COVARIANCE_TYPES, checkCovariances, covarianceShape, gaussianParams, type CovarianceType, type GaussianParams,
} from './families/gaussian.js';
import { priorFromJSON, priorToJSON, type GaussianPrior, type GaussianPriorJSON } from './families/gaussian-prior.js';
import { checkKeys, enumOption, flattenNested, integerOption } from './options.js';

/** The format tag of a Gaussian mixture model file. */
export const MODEL_FORMAT = 'wasm-em/gaussian-mixture';

/** The model file's version. */
export const MODEL_VERSION = 1;

/** Nested covariance arrays in scikit-learn's shapes. */
export type NestedCovariances = number[] | number[][] | number[][][];

/** A Gaussian mixture model as JSON. */
export interface GaussianMixtureJSON {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  covarianceType: CovarianceType;
  nFeatures: number;
  nComponents: number;
  /** k mixture weights. */
  weights: number[];
  /** k×d means. */
  means: number[][];
  /** full k×d×d, tied d×d, diag k×d, spherical k. */
  covariances: NestedCovariances;
  converged: boolean;
  nIter: number;
  /**
   * Per-sample mean log-likelihood of the last E-step (with a prior, the per-sample mean log posterior); null when
   * unknown.
   */
  lowerBound: number | null;
  /** The resolved hyperparameters of the fit's conjugate prior (absent without one; files before it have none). */
  prior?: GaussianPriorJSON;
}

/** Fit facts stored beside the parameters. */
export interface FitFacts {
  converged: boolean;
  nIter: number;
  lowerBound: number;
}

function nestFlat(flat: Float64Array, shape: readonly number[]): NestedCovariances {
  const build = (offset: number, depth: number): unknown => {
    if (depth === shape.length - 1) return Array.from(flat.subarray(offset, offset + shape[depth]));
    const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[depth] }, (_, i) => build(offset + i * stride, depth + 1));
  };
  return build(0, 0) as NestedCovariances;
}

/** Serializes fitted parameters (and the fit's prior, when it had one). */
export function modelToJSON(p: GaussianParams, facts: FitFacts, prior: GaussianPrior | null = null): GaussianMixtureJSON {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    covarianceType: p.covarianceType,
    nFeatures: p.d,
    nComponents: p.k,
    weights: Array.from(p.weights),
    means: nestFlat(p.means, [p.k, p.d]) as number[][],
    covariances: nestFlat(p.covariances, covarianceShape(p.covarianceType, p.k, p.d)),
    converged: facts.converged,
    nIter: facts.nIter,
    lowerBound: Number.isFinite(facts.lowerBound) ? facts.lowerBound : null,
    ...(prior === null ? {} : { prior: priorToJSON(prior, p.covarianceType) }),
  };
}

const JSON_KEYS = ['format', 'version', 'covarianceType', 'nFeatures', 'nComponents', 'weights', 'means', 'covariances',
  'converged', 'nIter', 'lowerBound', 'prior'];

/** The object of a model file given as an object or as its JSON text, with only the `allowed` keys. */
export function jsonObject(json: unknown, allowed: readonly string[]): Record<string, unknown> {
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new InputError('json', 'a model as JSON text', `text that does not parse (${(e as Error).message})`);
    }
  }
  return checkKeys(value, allowed, 'json');
}

/**
 * The mixture weights of a model file (`json.weights`, checked against `json.nComponents`): k finite numbers ≥ 0
 * summing to 1 within 1e-6.
 */
export function jsonWeights(o: Record<string, unknown>): Float64Array {
  if (!Array.isArray(o.weights) || o.weights.length === 0) {
    throw new InputError('json.weights', 'a non-empty array of k weights', describe(o.weights));
  }
  const k = o.weights.length;
  if (o.nComponents !== undefined && o.nComponents !== k) {
    throw new InputError('json.nComponents', `${k} (the number of weights)`, describe(o.nComponents));
  }
  const weights = flattenNested(o.weights, [k], 'json.weights',
    { ok: (v) => Number.isFinite(v) && v >= 0, expected: 'a finite number ≥ 0' });
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(Math.abs(total - 1) <= 1e-6)) throw new InputError('json.weights', 'weights summing to 1', `a sum of ${total}`);
  // Renormalize only what rounding cannot explain, so a model survives toJSON → fromJSON bit for bit.
  if (Math.abs(total - 1) > 1e-12) for (let c = 0; c < k; c++) weights[c] /= total;
  return weights;
}

/** `json.nFeatures`, a positive integer. */
export function jsonFeatures(o: Record<string, unknown>): number {
  if (o.nFeatures === undefined) throw new InputError('json.nFeatures', 'a positive integer', 'undefined');
  return integerOption(o.nFeatures, 'json.nFeatures', 1, 1);
}

/** The fit facts of a model file (`converged`, `nIter`, `lowerBound`, each optional). */
export function jsonFitFacts(o: Record<string, unknown>): FitFacts {
  if (o.converged !== undefined && typeof o.converged !== 'boolean') {
    throw new InputError('json.converged', 'true or false', describe(o.converged));
  }
  const nIter = integerOption(o.nIter, 'json.nIter', 0, 0);
  if (o.lowerBound !== undefined && o.lowerBound !== null && (typeof o.lowerBound !== 'number' || !Number.isFinite(o.lowerBound))) {
    throw new InputError('json.lowerBound', 'a finite number or null', describe(o.lowerBound));
  }
  return {
    converged: (o.converged as boolean | undefined) ?? false,
    nIter,
    lowerBound: typeof o.lowerBound === 'number' ? o.lowerBound : -Infinity,
  };
}

/** Parses and validates a model file (an object or its JSON text). Throws `InputError` naming the first bad field. */
export function modelFromJSON(json: unknown): { params: GaussianParams; state: FitFacts; prior: GaussianPrior | null } {
  const o = jsonObject(json, JSON_KEYS);
  if (o.format !== MODEL_FORMAT) throw new InputError('json.format', `"${MODEL_FORMAT}"`, describe(o.format));
  if (o.version !== MODEL_VERSION) throw new InputError('json.version', String(MODEL_VERSION), describe(o.version));
  const type = enumOption(o.covarianceType, 'json.covarianceType', 'full', COVARIANCE_TYPES);
  if (o.covarianceType === undefined) throw new InputError('json.covarianceType', 'a covariance type', 'undefined');
  const weights = jsonWeights(o);
  const k = weights.length;
  const d = jsonFeatures(o);
  const means = flattenNested(o.means, [k, d], 'json.means');
  const covariances = flattenNested(o.covariances, covarianceShape(type, k, d), 'json.covariances');
  checkCovariances(covariances, type, k, d, 'json.covariances');
  const state = jsonFitFacts(o);
  const params = gaussianParams(type, k, d, weights, means, covariances);
  const prior = o.prior === undefined ? null : priorFromJSON(o.prior, type, k, d);
  return { params, state, prior };
}
