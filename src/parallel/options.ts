/** Validation of `fitAsync`'s own options. */
import { InputError, describe } from '../errors.js';

/** The `workers` option: an integer ≥ 1 or `'auto'` [auto]. */
export function workersOption(value: unknown): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InputError('options.workers', "an integer ≥ 1 or 'auto'", describe(value));
  }
  return value;
}

/** The `signal` option: an `AbortSignal` or undefined. */
export function signalOption(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const s = value as AbortSignal | null;
  const isSignal = s !== null && typeof s === 'object' && typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function';
  if (!isSignal) {
    throw new InputError('options.signal', 'an AbortSignal', describe(value));
  }
  return s;
}
