/**
 * Shared pieces of the fuzz suites (`test/reliability/fuzz-*.test.ts`): fixed seeds, run counts scaled by the
 * `FUZZ_RUNS` environment variable (`npm run fuzz` sets it), counters of the inputs tried, and the one assertion they
 * all make: a call returns, or throws one of the library's typed errors, quickly.
 */
import { expect } from 'vitest';
import { InputError } from '../../src/index.js';

/** How many times the CI run counts the properties use: 1 in `npm test`, `FUZZ_RUNS` (e.g. 100) in `npm run fuzz`. */
export const FUZZ_FACTOR = Math.max(1, Math.floor(Number(process.env.FUZZ_RUNS ?? '1')) || 1);

/** fast-check parameters: a fixed seed per property, `ciRuns` × `FUZZ_FACTOR` runs, no shrinking time limit. */
export function runs(ciRuns: number, seed: number): { numRuns: number; seed: number } {
  return { numRuns: ciRuns * FUZZ_FACTOR, seed };
}

/** A vitest timeout for a test whose work scales with `FUZZ_FACTOR`. */
export function timeout(ciMs: number): number {
  return ciMs * FUZZ_FACTOR + 10_000;
}

/** Inputs tried by a suite, printed when it ends. */
export class Counter {
  private n = 0;
  constructor(private readonly suite: string) {}
  add(k = 1): void {
    this.n += k;
  }
  get count(): number {
    return this.n;
  }
  report(): void {
    const grouped = String(this.n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
    console.log(`fuzz ${this.suite}: ${grouped} inputs${FUZZ_FACTOR > 1 ? ` (FUZZ_RUNS=${FUZZ_FACTOR})` : ''}`);
  }
}

/** The longest any single input may take, in milliseconds: far above normal, far below a hang. */
export const SLOW_MS = 2_000;

type ErrorClass = new (...a: never[]) => Error;
/** What a call was, for failure messages: a string, or a function making it (only on failure: inputs can be huge). */
type What = string | (() => string);
const named = (what: What): string => (typeof what === 'string' ? what : what());

/** Rethrows `e` unless it is one of the `allowed` errors. */
function allowOnly(e: unknown, what: What, allowed: readonly ErrorClass[]): void {
  if (!allowed.some((cls) => e instanceof cls)) {
    throw new Error(`${named(what)}: threw ${(e as Error)?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

function checkTime(t0: number, what: What): void {
  const ms = performance.now() - t0;
  if (ms >= SLOW_MS) expect.fail(`${named(what)}: took ${ms.toFixed(0)} ms`);
}

/**
 * Runs `fn`; it must return or throw an error of one of the `allowed` classes (default: `InputError`), within
 * `SLOW_MS`. Returns the value, or undefined after an allowed error.
 */
export function typedOnly<T>(fn: () => T, what: What, allowed: readonly ErrorClass[] = [InputError]): T | undefined {
  const t0 = performance.now();
  let value: T | undefined;
  try {
    value = fn();
  } catch (e) {
    allowOnly(e, what, allowed);
  }
  checkTime(t0, what);
  return value;
}

/** `typedOnly` for a call that may return a promise. */
export async function typedOnlyAsync<T>(
  fn: () => Promise<T> | T, what: What, allowed: readonly ErrorClass[] = [InputError],
): Promise<T | undefined> {
  const t0 = performance.now();
  let value: T | undefined;
  try {
    value = await fn();
  } catch (e) {
    allowOnly(e, what, allowed);
  }
  checkTime(t0, what);
  return value;
}

/** A short printable form of a fuzz input for failure messages. */
export function show(value: unknown): string {
  try {
    if (Array.isArray(value) && value.length > 1000) return `an array of length ${value.length}`;
    const s = JSON.stringify(value, (_k, v) => Array.isArray(v) && v.length > 1000 ? `[array of length ${v.length}]` : (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
    if (s !== undefined) return s.length > 200 ? s.slice(0, 200) + '…' : s;
  } catch {
    // fall through
  }
  return String(typeof value === 'symbol' ? value.toString() : typeof value);
}
