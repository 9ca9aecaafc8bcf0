/**
 * The fixture of mclust 6's fourteen covariance models (test/fixtures/mclust-models, PROVENANCE.md there), its data
 * sets as flat rows, and the normwise relative difference the tests compare with.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { MclustModel } from '../../src/families/mclust-models.js';

export type Nested = number | Nested[];

/** One mclust fit: `mstep` or `me` parameters, and for `me` its log-likelihood, iterations and BIC. */
export interface Fit {
  failed?: boolean;
  pro: Nested; mean: Nested; sigma: Nested;
  scale?: Nested; shape?: Nested; orientation?: Nested;
  loglik?: number; iterations?: number; bic?: number;
}

/** One model × data × G case, plain and with `priorControl()`. */
export interface Case {
  data: string; model: MclustModel; G: number; class: number[]; npar: number; nparNoWeights: number;
  mstep: Fit; me: Fit; short: Fit;
  hyper?: { shrinkage: number; mean: number[]; dof: number; scale: Nested };
  mstepPrior?: Fit; mePrior?: Fit; shortPrior?: Fit; priorRefused?: string;
}

export const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/mclust-models/models-fixtures.json', import.meta.url), 'utf8'),
) as { mclustVersion: string; models: string[]; tol: number[]; data: Record<string, number[][]>; cases: Case[] };

/** mclust's EM tolerance and its inner-iteration tolerance in the fixture's runs. */
export const TOL = fixture.tol[0]!;
export const INNER_TOL = fixture.tol[1]!;

/** The values of a nested array, in order. */
export const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

/** The fixture's data sets as flat row-major rows. */
export const data = Object.fromEntries(Object.entries(fixture.data).map(([name, rows]) => [name, {
  X: Float64Array.from(rows.flat()), n: rows.length, d: rows[0]!.length,
}]));

/** Normwise relative difference `max |a − b| / max |b|` (the absolute one where b is 0). */
export function rel(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num = Math.max(num, Math.abs(got[i]! - want[i]!));
    den = Math.max(den, Math.abs(want[i]!));
  }
  return den === 0 ? num : num / den;
}
