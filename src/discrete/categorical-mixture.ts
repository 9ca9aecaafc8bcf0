/** `CategoricalMixture`: a mixture of independent categorical features (integer-coded categories). */
import type { BackendName } from '../backend/index.js';
import { InputError, describe } from '../errors.js';
import { MAX_CATEGORIES, categoricalFamily, categoryOffsets } from '../families/categorical.js';
import type { Matrix } from '../matrix.js';
import { checkKeys, flattenNested } from '../options.js';
import { parseDiscreteJSON } from './json.js';
import { DiscreteMixture, type DiscreteMixtureOptions, type DiscreteSpec } from './mixture.js';

/** The format tag of a categorical mixture model file. */
export const CATEGORICAL_FORMAT = 'wasm-em/categorical-mixture';

/** Given starting parameters of a categorical mixture. */
export interface CategoricalInit {
  /** k weights, positive, summing to 1 [equal weights]. */
  readonly weights?: ArrayLike<number>;
  /**
   * k × d × m_j: for component c and feature j, the probabilities of the codes 0…m_j − 1 (each > 0, summing to 1).
   * Without the `nCategories` option, their lengths give the number of categories.
   */
  readonly categoryProbabilities: ArrayLike<ArrayLike<ArrayLike<number>>>;
}

/** Options of `CategoricalMixture`: those of every discrete mixture, and `nCategories`. */
export interface CategoricalMixtureOptions extends DiscreteMixtureOptions<CategoricalInit> {
  /**
   * Number of categories m_j of every feature (one number for all features, or one per feature): feature j takes the
   * codes 0…m_j − 1. Default: from a given start's shape, else each feature's largest code in the fitted data + 1.
   * Codes at or beyond m_j are an `InputError`, in `fit` and in every later call.
   */
  nCategories?: number | ArrayLike<number>;
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as ArrayLike<unknown>).length === 'number';
}

/** Checks that `v` is an array of length `n` (else an `InputError` naming `name`). */
function arrayOf(v: unknown, n: number, name: string): ArrayLike<unknown> {
  if (!isArrayLike(v)) throw new InputError(name, `an array of length ${n}`, describe(v));
  if (v.length !== n) throw new InputError(name, `an array of length ${n}`, `length ${v.length}`);
  return v;
}

const SPEC: DiscreteSpec = {
  family: categoricalFamily,
  format: CATEGORICAL_FORMAT,
  paramKey: 'categoryProbabilities',
  parseMean(value, name, k, d, nCategories) {
    const offsets = categoryOffsets(nCategories!);
    const D = offsets[d];
    // Every vector is read before the table is allocated, so claimed sizes (nCategories) cannot allocate more than
    // the value holds.
    const vectors: Float64Array[] = [];
    const components = arrayOf(value, k, name);
    for (let c = 0; c < k; c++) {
      const features = arrayOf(components[c], d, `${name}[${c}]`);
      for (let j = 0; j < d; j++) {
        const at = `${name}[${c}][${j}]`;
        const probs = flattenNested(features[j], [nCategories![j]], at,
          { ok: (v) => v > 0 && Number.isFinite(v), expected: 'a probability > 0' });
        const total = probs.reduce((a, b) => a + b, 0);
        if (!(Math.abs(total - 1) <= 1e-6)) throw new InputError(at, 'probabilities summing to 1', `a sum of ${total}`);
        // Renormalize only what rounding cannot explain, so a model survives toJSON → fromJSON bit for bit.
        if (Math.abs(total - 1) > 1e-12) for (let v = 0; v < probs.length; v++) probs[v] /= total;
        vectors.push(probs);
      }
    }
    const mean = new Float64Array(k * D);
    vectors.forEach((probs, p) => mean.set(probs, Math.floor(p / d) * D + offsets[p % d]));
    return mean;
  },
  meanToJSON(p) {
    const offsets = categoryOffsets(p.nCategories!);
    const D = offsets[p.d];
    return Array.from({ length: p.k }, (_, c) =>
      Array.from({ length: p.d }, (_, j) => Array.from(p.mean.subarray(c * D + offsets[j], c * D + offsets[j + 1]))));
  },
};

/**
 * A mixture of k products of independent categorical distributions over d features (latent class analysis):
 * `p(x) = Σ_c w_c Π_j p_cj(x_j)`, X of integer codes, feature j's in 0…m_j − 1 (`nCategories`).
 *
 * ```ts
 * const cm = new CategoricalMixture({ nComponents: 3, nCategories: [3, 4, 2], seed: 1 }).fit(codes);
 * cm.categoryProbabilities[0][1]; // P(feature 1 = v | component 0), v = 0…3
 * ```
 * Free parameters (BIC/AIC): (k − 1) + k·Σ_j (m_j − 1).
 */
export class CategoricalMixture extends DiscreteMixture {
  private readonly nCategoriesOption: number | Int32Array | null;

  constructor(options: CategoricalMixtureOptions = {}) {
    super(SPEC, options, ['nCategories']);
    const m = options.nCategories;
    const check = { ok: (v: number) => Number.isInteger(v) && v >= 1 && v <= MAX_CATEGORIES, expected: `an integer in [1, ${MAX_CATEGORIES}]` };
    if (m === undefined) this.nCategoriesOption = null;
    else if (typeof m === 'number') this.nCategoriesOption = flattenNested([m], [1], 'options.nCategories', check)[0];
    else if (!isArrayLike(m)) throw new InputError('options.nCategories', 'an integer ≥ 1 or an array of them', describe(m));
    else this.nCategoriesOption = Int32Array.from(flattenNested(m, [m.length], 'options.nCategories', check));
  }

  /** Number of categories m_j of every feature (a copy). */
  get nCategories(): Int32Array {
    return this.fitted('nCategories').nCategories!.slice();
  }

  /** `P(x_j = v | component c)`: for each component, for each feature, a vector over its m_j categories (copies). */
  get categoryProbabilities(): Float64Array[][] {
    const p = this.fitted('categoryProbabilities');
    const offsets = categoryOffsets(p.nCategories!);
    const D = offsets[p.d];
    return Array.from({ length: p.k }, (_, c) =>
      Array.from({ length: p.d }, (_, j) => p.mean.slice(c * D + offsets[j], c * D + offsets[j + 1])));
  }

  protected override fitCategories(X: Matrix, given: Record<string, unknown> | null): Int32Array {
    const d = X.cols;
    const option = this.nCategoriesOption;
    let m: Int32Array;
    if (typeof option === 'number') {
      m = new Int32Array(d).fill(option);
    } else if (option !== null) {
      if (option.length !== d) {
        throw new InputError('options.nCategories', `${d} numbers (one per column of X) or one number`, `${option.length}`);
      }
      m = option.slice();
    } else if (given !== null) {
      // The shape of the given start: component 0's vectors (parseMean checks every component against it).
      const first = arrayOf(arrayOf(given.categoryProbabilities, this.nComponents, 'options.init.categoryProbabilities')[0],
        d, 'options.init.categoryProbabilities[0]');
      m = Int32Array.from({ length: d }, (_, j) => {
        const v = first[j];
        if (!isArrayLike(v) || v.length < 1) {
          throw new InputError(`options.init.categoryProbabilities[0][${j}]`, 'a non-empty array of probabilities', describe(v));
        }
        return v.length;
      });
    } else {
      m = new Int32Array(d).fill(1);
      for (let p = 0; p < X.data.length; p++) m[p % d] = Math.max(m[p % d], X.data[p] + 1);
      return m;
    }
    categoricalFamily.checkData(X, 'X', m);
    return m;
  }

  /** A model from `toJSON()` output (format `wasm-em/categorical-mixture`). Throws `InputError` naming the first bad field. */
  static fromJSON(json: unknown, options: { backend?: BackendName } = {}): CategoricalMixture {
    checkKeys(options, ['backend'], 'options');
    const { params, state, alpha } = parseDiscreteJSON(json, SPEC);
    return new CategoricalMixture({ nComponents: params.k, alpha, ...options }).load(params, state);
  }
}
