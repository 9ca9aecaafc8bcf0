/** Loading any discrete mixture from its model file, by its format tag (the CLI's `predict` and `score`). */
import type { BackendName } from '../backend/index.js';
import { BERNOULLI_FORMAT, BernoulliMixture } from './bernoulli-mixture.js';
import { CATEGORICAL_FORMAT, CategoricalMixture } from './categorical-mixture.js';
import { POISSON_FORMAT, PoissonMixture } from './poisson-mixture.js';

/** The discrete mixture classes by the format tag of their model files. */
const CLASSES = {
  [BERNOULLI_FORMAT]: BernoulliMixture,
  [CATEGORICAL_FORMAT]: CategoricalMixture,
  [POISSON_FORMAT]: PoissonMixture,
} as const;

/**
 * The `BernoulliMixture`, `CategoricalMixture` or `PoissonMixture` that a model file (object or JSON text) describes,
 * chosen by its `format`; null when the format is none of theirs (e.g. a Gaussian mixture's). Throws `InputError` as
 * the class's `fromJSON` does.
 */
export function discreteMixtureFromJSON(
  json: unknown, options: { backend?: BackendName } = {},
): BernoulliMixture | CategoricalMixture | PoissonMixture | null {
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const format = value !== null && typeof value === 'object' ? (value as { format?: unknown }).format : undefined;
  if (typeof format !== 'string' || !Object.hasOwn(CLASSES, format)) return null;
  return CLASSES[format as keyof typeof CLASSES].fromJSON(value, options);
}
