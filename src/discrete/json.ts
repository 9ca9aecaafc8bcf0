/**
 * Reading the model file of a discrete mixture:
 * ```json
 * { "format": "wasm-em/bernoulli-mixture", "version": 1, "nFeatures": 3, "nComponents": 2, "alpha": 1e-10,
 *   "weights": [0.4, 0.6], "probabilities": [[0.9, 0.1, 0.5], [0.2, 0.8, 0.5]],
 *   "converged": true, "nIter": 12, "lowerBound": -1.83 }
 * ```
 * `wasm-em/poisson-mixture` has `rates` (k×d, > 0) instead of `probabilities` (k×d, in (0, 1));
 * `wasm-em/categorical-mixture` has `nCategories` (d integers ≥ 1) and `categoryProbabilities` (k × d × m_j, each
 * vector positive and summing to 1). Every field is checked; the first bad one is an `InputError` naming it.
 */
import { InputError, describe } from '../errors.js';
import type { DiscreteParams } from '../families/discrete.js';
import { MAX_CATEGORIES } from '../families/categorical.js';
import { jsonFeatures, jsonFitFacts, jsonObject, jsonWeights } from '../model-json.js';
import { flattenNested, numberOption } from '../options.js';
import { DISCRETE_MODEL_VERSION, type DiscreteSpec } from './mixture.js';

/** A parsed model file: parameters, fit facts and the pseudo-count. */
export interface ParsedDiscreteModel {
  readonly params: DiscreteParams;
  readonly state: { converged: boolean; nIter: number; lowerBound: number };
  readonly alpha: number;
}

/** Parses and validates the model file of `spec`'s class (an object or its JSON text). */
export function parseDiscreteJSON(json: unknown, spec: DiscreteSpec): ParsedDiscreteModel {
  const categorical = spec.family.kind === 'categorical';
  const o = jsonObject(json, ['format', 'version', 'nFeatures', 'nComponents', 'alpha', 'weights', spec.paramKey,
    'converged', 'nIter', 'lowerBound', ...(categorical ? ['nCategories'] : [])]);
  if (o.format !== spec.format) throw new InputError('json.format', `"${spec.format}"`, describe(o.format));
  if (o.version !== DISCRETE_MODEL_VERSION) throw new InputError('json.version', String(DISCRETE_MODEL_VERSION), describe(o.version));
  const weights = jsonWeights(o);
  const k = weights.length;
  const d = jsonFeatures(o);
  let nCategories: Int32Array | null = null;
  if (categorical) {
    if (o.nCategories === undefined) throw new InputError('json.nCategories', `${d} integers ≥ 1`, 'undefined');
    nCategories = Int32Array.from(flattenNested(o.nCategories, [d], 'json.nCategories',
      { ok: (v) => Number.isInteger(v) && v >= 1 && v <= MAX_CATEGORIES, expected: `an integer in [1, ${MAX_CATEGORIES}]` }));
  }
  const mean = spec.parseMean(o[spec.paramKey], `json.${spec.paramKey}`, k, d, nCategories);
  const alpha = numberOption(o.alpha, 'json.alpha', 1e-10, 0, true);
  return { params: { k, d, nCategories, weights, mean }, state: jsonFitFacts(o), alpha };
}
