/** Validation of option objects: unknown keys and out-of-range values are `InputError`s naming the option. */
import { InputError, describe } from './errors.js';

/** Throws when `options` is not a plain object or has a key outside `allowed`. */
export function checkKeys(options: unknown, allowed: readonly string[], name: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InputError(name, 'an options object', describe(options));
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InputError(`${name}.${key}`, `one of the options ${allowed.join(', ')}`, `unknown option "${key}"`);
    }
  }
  return options as Record<string, unknown>;
}

/** An integer ≥ `min` (and ≤ `max`), or the default when undefined. */
export function integerOption(value: unknown, name: string, fallback: number, min: number, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new InputError(name, `an integer ${range}`, describe(value));
  }
  return value;
}

/** A finite number ≥ `min` (strictly greater when `exclusive`), or the default when undefined. */
export function numberOption(value: unknown, name: string, fallback: number, min: number, exclusive = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (exclusive && value === min)) {
    throw new InputError(name, `a finite number ${exclusive ? '>' : '≥'} ${min}`, describe(value));
  }
  return value;
}

/** One of the listed strings, or the default when undefined. */
export function enumOption<T extends string>(value: unknown, name: string, fallback: T, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new InputError(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, describe(value));
  }
  return value as T;
}

/** A boolean, or the default when undefined. */
export function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InputError(name, 'true or false', describe(value));
  return value;
}

/** A function, or undefined. */
export function callbackOption<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InputError(name, 'a function', describe(value));
  return value as F;
}

/**
 * A nested array of numbers of the given shape (e.g. `[k, d]`), flattened row-major. Throws naming the first entry of
 * the wrong length or value. The whole value is checked before the result is allocated, so a claimed shape cannot
 * allocate more than the value holds.
 * @param check a predicate on each number with a description of what it accepts
 */
export function flattenNested(
  value: unknown, shape: readonly number[], name: string,
  check: { ok: (v: number) => boolean; expected: string } = { ok: Number.isFinite, expected: 'a finite number' },
): Float64Array {
  const leaves: number[] = [];
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !check.ok(v)) throw new InputError(path, check.expected, describe(v));
      leaves.push(v);
      return;
    }
    const len = shape[depth];
    if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') {
      throw new InputError(path, `an array of length ${len}`, describe(v));
    }
    const arr = v as ArrayLike<unknown>;
    if (arr.length !== len) throw new InputError(path, `an array of length ${len}`, `length ${arr.length}`);
    for (let i = 0; i < len; i++) walk(arr[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, name);
  return Float64Array.from(leaves);
}

/**
 * A random seed: a safe integer (|seed| ≤ 2⁵³ − 1, negatives included), or undefined. Every bit of it selects the
 * stream (`Rng`), so a larger number is refused rather than silently rounded or folded onto a smaller seed.
 */
export function seedOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InputError(name, 'an integer with |seed| ≤ 2^53 − 1 (Number.MAX_SAFE_INTEGER), or undefined',
      describe(value));
  }
  return value === 0 ? 0 : value;
}

/**
 * Most numbers a `sample(n)` may return (n × the numbers per draw): 2^28, 2 GiB as float64. A larger n is an
 * `InputError` at once rather than minutes of drawing and an allocation failure.
 */
export const MAX_SAMPLE_ENTRIES = 2 ** 28;

/**
 * The arguments of `sample(n, { seed })`: n an integer in [1, MAX_SAMPLE_ENTRIES / width], the seed a safe integer
 * (`seedOption`, as the constructors' `seed`) or the model's when undefined.
 */
export function sampleArguments(
  n: unknown, options: unknown, width: number, fallbackSeed: number | undefined,
): { n: number; seed: number | undefined } {
  const o = checkKeys(options, ['seed'], 'options');
  const count = integerOption(n, 'n', 1, 1, Math.max(1, Math.floor(MAX_SAMPLE_ENTRIES / Math.max(1, width))));
  return { n: count, seed: seedOption(o.seed, 'options.seed') ?? fallbackSeed };
}
