/** `PoissonMixture`: a mixture of independent Poisson features (count data). */
import type { BackendName } from '../backend/index.js';
import { poissonFamily } from '../families/poisson.js';
import { checkKeys, flattenNested } from '../options.js';
import { rowsOf } from '../matrix.js';
import { parseDiscreteJSON } from './json.js';
import { DiscreteMixture, type DiscreteMixtureOptions, type DiscreteSpec } from './mixture.js';

/** The format tag of a Poisson mixture model file. */
export const POISSON_FORMAT = 'wasm-em/poisson-mixture';

/** Given starting parameters of a Poisson mixture. */
export interface PoissonInit {
  /** k weights, positive, summing to 1 [equal weights]. */
  readonly weights?: ArrayLike<number>;
  /** k×d rates `λ_cj = E[x_j | c]`, each finite and > 0. */
  readonly rates: ArrayLike<ArrayLike<number>>;
}

/** Options of `PoissonMixture` (those of every discrete mixture; see `DiscreteMixtureOptions`). */
export type PoissonMixtureOptions = DiscreteMixtureOptions<PoissonInit>;

const SPEC: DiscreteSpec = {
  family: poissonFamily,
  format: POISSON_FORMAT,
  paramKey: 'rates',
  parseMean: (value, name, k, d) =>
    flattenNested(value, [k, d], name, { ok: (v) => v > 0 && Number.isFinite(v), expected: 'a finite rate > 0' }),
  meanToJSON: (p) => rowsOf(p.mean, p.k, p.d).map((r) => Array.from(r)),
};

/**
 * A mixture of k products of independent Poisson distributions over d count features:
 * `p(x) = Σ_c w_c Π_j λ_cj^x_j e^(−λ_cj) / x_j!`, X of non-negative integers. Likelihoods (`score`, `lowerBound`,
 * BIC) include the `−Σ log x_j!` term.
 *
 * ```ts
 * const pm = new PoissonMixture({ nComponents: 2, seed: 1 }).fit(counts);
 * pm.rates; pm.predict(counts); pm.sample(100);
 * ```
 * Free parameters (BIC/AIC): (k − 1) + k·d.
 */
export class PoissonMixture extends DiscreteMixture {
  constructor(options: PoissonMixtureOptions = {}) {
    super(SPEC, options);
  }

  /** `λ_cj = E[x_j | component c]`: k rows of d (copies). */
  get rates(): Float64Array[] {
    const p = this.fitted('rates');
    return rowsOf(p.mean, p.k, p.d);
  }

  /** A model from `toJSON()` output (format `wasm-em/poisson-mixture`). Throws `InputError` naming the first bad field. */
  static fromJSON(json: unknown, options: { backend?: BackendName } = {}): PoissonMixture {
    checkKeys(options, ['backend'], 'options');
    const { params, state, alpha } = parseDiscreteJSON(json, SPEC);
    return new PoissonMixture({ nComponents: params.k, alpha, ...options }).load(params, state);
  }
}
