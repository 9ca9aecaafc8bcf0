/**
 * Progress within an EM iteration, for a display while an iteration is long: after each block of rows of the E-step
 * and, where the M-step is long (full or tied covariances of many features: a d×d Cholesky factorization per
 * component, O(d³)), after each component of the M-step. `fit`, `fitAsync` and `fitStream` report the same fields
 * (`fitStream` under its own names for the rows, see `StreamProgressInfo`).
 */

/** Where the M-step of an iteration stands. */
export interface MStepProgress {
  /** Components maximized so far (their covariance factorized), 1-based: `of` when the M-step is done. */
  readonly component: number;
  /** Components to maximize (1 for a tied covariance, shared by all). */
  readonly of: number;
}

/** Progress of `fit` and `fitAsync`, reported after each block of rows of each E-step and in long M-steps. */
export interface ProgressInfo {
  /**
   * `'em'`: the E-step is summing the rows (as `fitStream`'s `'em'` passes); `'m-step'`: the E-step is done and
   * `mStep` says how far the M-step is (only when it is long, see `isLongMStep`).
   */
  readonly phase: 'em' | 'm-step';
  /** Restart index, 0-based. */
  readonly init: number;
  /** Candidate start within the restart (see `IterationInfo`), 0-based. */
  readonly candidate: number;
  /** The EM iteration in progress, 1-based. */
  readonly iter: number;
  /** Per-sample mean log-likelihood of the previous iteration of this run (`-Infinity` during the first). */
  readonly logLikelihood: number;
  /** Rows of this iteration's E-step done so far (`rowsTotal` in the M-step). */
  readonly rowsDone: number;
  /** Rows in the E-step (the rows with positive weight). */
  readonly rowsTotal: number;
  /** The M-step's progress, in phase `'m-step'` only. */
  readonly mStep?: MStepProgress;
}

/**
 * Multiply–adds of one M-step above which it reports each component (about 10 ms of the O(d³) factorizations):
 * below, a report per component would cost more than the wait it describes.
 */
export const LONG_M_STEP_WORK = 1e7;

/**
 * Whether the M-step of `factors` d×d covariance factorizations is long enough to report per component: the
 * Cholesky factorization and the inverse of its triangle take about d³/3 multiply–adds each.
 */
export function isLongMStep(factors: number, d: number): boolean {
  return factors * ((2 * d * d * d) / 3) >= LONG_M_STEP_WORK;
}
