/** `BernoulliMixture`: a mixture of independent Bernoulli features (binary data). */
import type { BackendName } from '../backend/index.js';
import { bernoulliFamily } from '../families/bernoulli.js';
import { checkKeys, flattenNested } from '../options.js';
import { rowsOf } from '../matrix.js';
import { parseDiscreteJSON } from './json.js';
import { DiscreteMixture, type DiscreteMixtureOptions, type DiscreteSpec } from './mixture.js';

/** The format tag of a Bernoulli mixture model file. */
export const BERNOULLI_FORMAT = 'wasm-em/bernoulli-mixture';

/** Given starting parameters of a Bernoulli mixture. */
export interface BernoulliInit {
  /** k weights, positive, summing to 1 [equal weights]. */
  readonly weights?: ArrayLike<number>;
  /** k×d probabilities `p_cj = P(x_j = 1 | c)`, each in (0, 1). */
  readonly probabilities: ArrayLike<ArrayLike<number>>;
}

/** Options of `BernoulliMixture` (those of every discrete mixture; see `DiscreteMixtureOptions`). */
export type BernoulliMixtureOptions = DiscreteMixtureOptions<BernoulliInit>;

const SPEC: DiscreteSpec = {
  family: bernoulliFamily,
  format: BERNOULLI_FORMAT,
  paramKey: 'probabilities',
  parseMean: (value, name, k, d) =>
    flattenNested(value, [k, d], name, { ok: (v) => v > 0 && v < 1, expected: 'a probability in (0, 1)' }),
  meanToJSON: (p) => rowsOf(p.mean, p.k, p.d).map((r) => Array.from(r)),
};

/**
 * A mixture of k multivariate Bernoulli distributions over d binary features (latent class analysis; Bishop 2006,
 * §9.3.3): `p(x) = Σ_c w_c Π_j p_cj^x_j (1 − p_cj)^(1 − x_j)`, X of 0/1 entries.
 *
 * ```ts
 * const bm = new BernoulliMixture({ nComponents: 3, nInit: 5, seed: 1 }).fit(X);
 * bm.probabilities; bm.predict(X); bm.bic(X); BernoulliMixture.fromJSON(bm.toJSON());
 * ```
 * Free parameters (BIC/AIC): (k − 1) + k·d.
 */
export class BernoulliMixture extends DiscreteMixture {
  constructor(options: BernoulliMixtureOptions = {}) {
    super(SPEC, options);
  }

  /** `p_cj = P(x_j = 1 | component c)`: k rows of d (copies). */
  get probabilities(): Float64Array[] {
    const p = this.fitted('probabilities');
    return rowsOf(p.mean, p.k, p.d);
  }

  /** A model from `toJSON()` output (format `wasm-em/bernoulli-mixture`). Throws `InputError` naming the first bad field. */
  static fromJSON(json: unknown, options: { backend?: BackendName } = {}): BernoulliMixture {
    checkKeys(options, ['backend'], 'options');
    const { params, state, alpha } = parseDiscreteJSON(json, SPEC);
    return new BernoulliMixture({ nComponents: params.k, alpha, ...options }).load(params, state);
  }
}
