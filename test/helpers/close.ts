import { expect } from 'vitest';

/** `|a − b| / max(|a|, |b|)`, 0 when both are 0; Infinity when either is not finite (unless both are equal). */
export function relativeDifference(a: number, b: number): number {
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/** Asserts `got` equals `want` within `rtol` relative; the failure message names `what` and both numbers. */
export function expectRelClose(got: number, want: number, rtol: number, what: string): void {
  const rel = relativeDifference(got, want);
  expect(rel, `${what}: got ${got}, expected ${want} (relative difference ${rel.toExponential(3)}, allowed ${rtol})`)
    .toBeLessThanOrEqual(rtol);
}

/** Element-wise {@link expectRelClose} over two equal-length sequences. */
export function expectAllRelClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) expectRelClose(got[i]!, want[i]!, rtol, `${what}[${i}]`);
}
