/**
 * Whether full covariances can be estimated from the rows of a fit. With n rows (positive weight, some entry
 * observed) and d features, the scatter of any set of rows has rank at most n − 1: when n ≤ d, every full (or tied)
 * covariance is singular in at least d − n + 1 directions and rests there on `regCovar` alone. When those are most
 * of the directions (2n ≤ d: d = 1000 with 5 rows, which costs k·d³ per iteration, 11 s, for a meaningless density)
 * and `regCovar` is small against the spread of the data, it is an `InputError` up front; a large `regCovar` makes it
 * a model (and a point mass, n = 1 or all rows equal, has no spread). Fewer rows than that but no more than d + 1 per
 * component on average (n ≤ k·d: tiny tables such as 2 rows of 2 features, or many components) is a warning.
 */
import { InputError } from '../errors.js';
import { covarianceLayout, hasMatrices, type CovarianceType } from './gaussian.js';

/** `regCovar`, as a fraction of the data's squared spread, from which a singular full covariance is accepted. */
export const LARGE_REG_COVAR = 1e-3;

/**
 * The squared spread of the data: the mean over the features of (half the range of its observed values)², from each
 * column's smallest and largest observed entry (±Infinity for a column with none, which counts 0).
 */
export function squaredSpread(mins: Float64Array, maxs: Float64Array): number {
  let s = 0;
  for (let j = 0; j < mins.length; j++) if (maxs[j] >= mins[j]) s += ((maxs[j] - mins[j]) / 2) ** 2;
  return s / Math.max(mins.length, 1);
}

/**
 * Throws an `InputError` on `options.covarianceType` when a full or tied covariance is unidentifiable in most
 * directions (2n ≤ d) and `regCovar` is below `LARGE_REG_COVAR` times the data's squared spread (`spread2`); returns a warning for full
 * covariances with fewer than d + 1 rows per component on average, else null.
 */
export function checkCovarianceIdentifiable(
  type: CovarianceType, k: number, n: number, d: number, regCovar: number, spread2: number,
): string | null {
  if (!hasMatrices(type)) return null;
  const perComponent = covarianceLayout(type) === 'matrices';
  const needed = LARGE_REG_COVAR * spread2;
  if (2 * n <= d && regCovar < needed) {
    throw new InputError('options.covarianceType',
      `'diag' or 'spherical' for ${n} row${n === 1 ? '' : 's'} of ${d} features (a ${type} covariance needs more than d rows` +
      `${perComponent ? ' per component' : ''})`, `'${type}'`,
      `With 2n ≤ d every ${type} covariance is singular in most directions and rests there on regCovar alone. ` +
      "Use covarianceType 'diag', " +
      `fewer features, more rows, or a regCovar of at least ${needed.toPrecision(2)} (${LARGE_REG_COVAR} × the data's squared spread)`);
  }
  if (n <= k * d && regCovar < needed && (perComponent || n <= d)) {
    return `${n} rows of ${d} features for ${k} ${type} covariance${perComponent && k > 1 ? 's' : ''}: no more than d rows ` +
      `${perComponent ? 'per component on average' : 'in all'}, so a covariance may be singular in some directions and rest ` +
      'on regCovar there. Consider covarianceType \'diag\'';
  }
  return null;
}
