/**
 * Model selection over numbers of components and covariance types by BIC or AIC (scikit-learn's documented grid
 * search, mclust's `Mclust`): fit every combination, tabulate, keep the lowest criterion.
 */
import type { BackendName } from './backend/index.js';
import type { Dtype } from './dtype.js';
import type { InitMethod } from './families/gaussian-starts.js';
import { DegenerateComponentError, InputError, describe } from './errors.js';
import { COVARIANCE_TYPES, nParameters, type CovarianceType } from './families/gaussian.js';
import { MCLUST_MODELS } from './families/mclust-models.js';
import type { PriorOption } from './families/gaussian-prior.js';
import { GaussianMixture } from './gaussian-mixture.js';
import { toMatrix, toSampleWeight, type DataInput } from './matrix.js';
import { callbackOption, checkKeys, enumOption, integerOption } from './options.js';

/** Options of `selectModel`. */
export interface SelectModelOptions {
  /** `[min, max]` (inclusive) or an explicit list of component counts [[1, 6]]. */
  nComponents?: readonly [number, number] | readonly number[];
  /**
   * Covariance types to try [mclust's fourteen models, `MCLUST_MODELS`, in mclust's order: EII, VII, EEI, VEI, EVI,
   * VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV, as `Mclust`]. scikit-learn's names are aliases (`'full'` = VVV, …).
   */
  covarianceTypes?: readonly CovarianceType[];
  /** Criterion to minimize ['bic']: BIC, AIC or ICL (the BIC plus the classification's entropy, `icl`). */
  criterion?: 'bic' | 'aic' | 'icl';
  /** Restarts per fit [1]. */
  nInit?: number;
  /** Starting points per restart (see `GaussianMixtureOptions.initCandidates`) [10]. */
  initCandidates?: number;
  /** EM iterations of each candidate start [10]. */
  initCandidateIter?: number;
  /** Seed; every fit of the grid uses it [undefined]. */
  seed?: number;
  maxIter?: number;
  tol?: number;
  regCovar?: number;
  /**
   * The start of every fit (see `GaussianMixtureOptions.init`) ['hc']: the hierarchical start is deterministic, so
   * the choice does not depend on the seed where all rows are merged, as mclust's.
   */
  init?: InitMethod;
  backend?: BackendName;
  /** Precision of the data during each fit (see `GaussianMixtureOptions.dtype`) ['float64']. */
  dtype?: Dtype;
  /**
   * Conjugate prior of every fit (see `GaussianMixtureOptions.prior`; `'default'` is mclust's `priorControl()`,
   * resolved for each K and covariance type as mclust's `defaultPrior`) [none]. The criteria stay on the likelihood.
   */
  prior?: PriorOption | null;
  /** Number of columns of a flat typed-array X. */
  nFeatures?: number;
  /** Weight per row, as in `fit`. */
  sampleWeight?: ArrayLike<number>;
  /** Called after each fit of the grid with its table row. */
  onFit?: (row: SelectModelRow) => void;
  /** Called with a message when every fit of the grid is degenerate (the best of them is then returned). */
  onWarning?: (message: string) => void;
}

/** One fit of the grid. A fit where every restart collapsed has `error` set and infinite criteria. */
export interface SelectModelRow {
  readonly nComponents: number;
  readonly covarianceType: CovarianceType;
  /** Total log-likelihood Σ_i w_i log p(x_i) of the fitted model. */
  readonly logLikelihood: number;
  readonly nParameters: number;
  readonly bic: number;
  readonly aic: number;
  /** Integrated completed likelihood (`GaussianMixture.icl`; scikit-learn's sign, lower is better). */
  readonly icl: number;
  readonly converged: boolean;
  readonly nIter: number;
  /**
   * The fit's degenerate components (`GaussianMixture.degenerateComponents`): non-empty marks a cell as mclust marks
   * a singular fit — shown with its figures, never chosen while a sound cell exists.
   */
  readonly degenerate: readonly number[];
  readonly error?: string;
}

/** The grid's table and the best model. */
export interface SelectModelResult {
  readonly table: SelectModelRow[];
  readonly best: GaussianMixture;
  readonly bestIndex: number;
  readonly criterion: 'bic' | 'aic' | 'icl';
}

const KEYS = ['nComponents', 'covarianceTypes', 'criterion', 'nInit', 'initCandidates', 'initCandidateIter', 'seed',
  'maxIter', 'tol', 'regCovar', 'init',
  'backend', 'dtype', 'prior', 'nFeatures', 'sampleWeight', 'onFit', 'onWarning'];

function componentCounts(value: unknown): number[] {
  if (value === undefined) return [1, 2, 3, 4, 5, 6];
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputError('options.nComponents', '[min, max] or a list of positive integers', describe(value));
  }
  value.forEach((v, i) => integerOption(v, `options.nComponents[${i}]`, 1, 1));
  if (value.length === 2 && value[0] <= value[1]) {
    return Array.from({ length: value[1] - value[0] + 1 }, (_, i) => value[0] + i);
  }
  if (value.length === 2) {
    throw new InputError('options.nComponents', '[min, max] with min ≤ max', `[${value[0]}, ${value[1]}]`);
  }
  return [...new Set(value as number[])];
}

/**
 * Fits a `GaussianMixture` for every number of components and covariance type and returns the table and the model
 * with the lowest criterion (BIC `−2 log L + p ln n`, AIC `−2 log L + 2p` or ICL `BIC − 2 Σ log max_c p(c | x_i)`;
 * scikit-learn's sign) among the fits
 * that are not degenerate (`GaussianMixture.degenerateComponents`; mclust's singular fits). When every fit is
 * degenerate the lowest of them is returned and `onWarning` says so.
 * @example
 * const { table, best } = selectModel(X, { nComponents: [1, 9], seed: 0 });
 * table.filter((row) => row.degenerate.length > 0); // the cells mclust would show as singular
 */
export function selectModel(X: DataInput, options: SelectModelOptions = {}): SelectModelResult {
  const o = checkKeys(options, KEYS, 'options');
  const ks = componentCounts(o.nComponents);
  const types = o.covarianceTypes === undefined ? [...MCLUST_MODELS] : (o.covarianceTypes as unknown[]);
  if (!Array.isArray(types) || types.length === 0) {
    throw new InputError('options.covarianceTypes', 'a non-empty list of covariance types', describe(o.covarianceTypes));
  }
  types.forEach((t, i) => enumOption(t, `options.covarianceTypes[${i}]`, 'full', COVARIANCE_TYPES));
  const criterion = enumOption(o.criterion, 'options.criterion', 'bic', ['bic', 'aic', 'icl'] as const);
  const onFit = callbackOption<SelectModelOptions['onFit']>(o.onFit, 'options.onFit');
  const onWarning = callbackOption<SelectModelOptions['onWarning']>(o.onWarning, 'options.onWarning');
  const m = toMatrix(X, { nFeatures: o.nFeatures as number | undefined });
  const w = toSampleWeight(o.sampleWeight, m.rows);
  const fitOptions = w === null ? {} : { sampleWeight: w };
  let n = m.rows;
  if (w !== null) n = w.reduce((a, b) => a + b, 0);
  // Options are checked once, up front, by building the first model.
  const common = { nInit: o.nInit, initCandidates: o.initCandidates, initCandidateIter: o.initCandidateIter,
    seed: o.seed, maxIter: o.maxIter, tol: o.tol, regCovar: o.regCovar, init: o.init,
    backend: o.backend, dtype: o.dtype, prior: o.prior } as Record<string, unknown>;
  for (const key of Object.keys(common)) if (common[key] === undefined) delete common[key];
  const table: SelectModelRow[] = [];
  const models: (GaussianMixture | null)[] = [];
  let firstError: Error | null = null;
  for (const covarianceType of types as CovarianceType[]) {
    for (const k of ks) {
      const gm = new GaussianMixture({ ...common, nComponents: k, covarianceType });
      let row: SelectModelRow;
      try {
        gm.fit(m, fitOptions);
        const logLikelihood = gm.score(m, fitOptions) * n;
        const p = gm.nParameters;
        row = { nComponents: k, covarianceType, logLikelihood, nParameters: p, bic: -2 * logLikelihood + p * Math.log(n),
          aic: -2 * logLikelihood + 2 * p, icl: gm.icl(m, fitOptions), converged: gm.converged, nIter: gm.nIter,
          degenerate: gm.degenerateComponents };
        models.push(gm);
      } catch (e) {
        if (!(e instanceof DegenerateComponentError) && !(e instanceof InputError && e.argument === 'options.nComponents')) throw e;
        firstError ??= e;
        row = { nComponents: k, covarianceType, logLikelihood: -Infinity, nParameters: nParameters(covarianceType, k, m.cols),
          bic: Infinity, aic: Infinity, icl: Infinity, converged: false, nIter: 0, degenerate: [], error: e.message };
        models.push(null);
      }
      table.push(row);
      onFit?.(row);
    }
  }
  const lowest = (admit: (i: number) => boolean): number => {
    let at = -1;
    table.forEach((row, i) => {
      if (models[i] !== null && admit(i) && (at < 0 || row[criterion] < table[at][criterion])) at = i;
    });
    return at;
  };
  let bestIndex = lowest((i) => table[i].degenerate.length === 0);
  if (bestIndex < 0) {
    bestIndex = lowest(() => true);
    if (bestIndex >= 0) {
      onWarning?.('every fit of the grid is degenerate (a component collapsed onto a few rows); the lowest ' +
        `${criterion.toUpperCase()} among them is returned. Use fewer components, a prior or simpler covariance types`);
    }
  }
  // Every fit of the grid failed: the first failure says why and what to do.
  if (bestIndex < 0) throw firstError!;
  return { table, best: models[bestIndex]!, bestIndex, criterion };
}
