/**
 * Which model files the CLI reads, and what it says about the others: a file's `format` is checked before its fields,
 * so that an HMM or a foreign JSON file is named for what it is rather than by its first field the mixture loader
 * does not know.
 */
import {
  BERNOULLI_FORMAT, CATEGORICAL_FORMAT, CATEGORICAL_HMM_FORMAT, GAUSSIAN_HMM_FORMAT, MODEL_FORMAT, POISSON_FORMAT,
  POISSON_HMM_FORMAT,
} from '../index.js';
import { DataError } from './errors.js';

/** The formats `predict`, `score` and `impute` read: what `wasm-em fit` writes. */
const MIXTURE_FORMATS: readonly string[] = [MODEL_FORMAT, BERNOULLI_FORMAT, CATEGORICAL_FORMAT, POISSON_FORMAT];

/** The HMM formats, with the class that loads each in the library. */
const HMM_CLASSES: Readonly<Record<string, string>> = {
  [GAUSSIAN_HMM_FORMAT]: 'GaussianHMM',
  [CATEGORICAL_HMM_FORMAT]: 'CategoricalHMM',
  [POISSON_HMM_FORMAT]: 'PoissonHMM',
};

/**
 * Throws a `DataError` unless `json` is an object whose `format` is one of the mixture formats. An HMM model is told
 * apart: no command of the CLI takes one, and the message says how to use it from the library instead.
 */
export function checkModelFormat(json: unknown, source: string): void {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    const what = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    throw new DataError(`${source}: not a valid wasm-em model: expected a JSON object written by "wasm-em fit", got ${what}`);
  }
  const format = (json as { format?: unknown }).format;
  if (typeof format === 'string' && MIXTURE_FORMATS.includes(format)) return;
  const hmm = typeof format === 'string' ? HMM_CLASSES[format] : undefined;
  if (hmm !== undefined) {
    throw new DataError(
      `${source} is a hidden Markov model file (${format}); the CLI's commands take mixture models only (written by ` +
        `"wasm-em fit"). Use it from the library: ${hmm}.fromJSON(JSON.parse(text)), then predict, score or decode`,
    );
  }
  const given = format === undefined ? 'no "format" field' : `"format": ${JSON.stringify(format)}`;
  throw new DataError(
    `${source}: not a valid wasm-em model: it has ${given}; expected a file written by "wasm-em fit" (format ` +
      `${MIXTURE_FORMATS.join(', ')})`,
  );
}
