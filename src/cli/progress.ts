/** The progress line of an in-memory `fit`: within an iteration, the E-step's rows and the M-step's components. */
import type { MStepProgress, ProgressInfo } from '../em/progress.js';

/**
 * How long an E-step must have run (ms) for its end to get a line of its own off a terminal (`--progress`): on data
 * of ordinary width an iteration takes milliseconds, and the iteration lines say enough.
 */
export const LONG_E_STEP_MS = 500;

/** `[####................]`: `done` of `total` in 20 characters. */
export function progressBar(done: number, total: number): string {
  const filled = total > 0 ? Math.round((20 * done) / total) : 20;
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}]`;
}

/** `M-step: component 2/16 factorized`: where a long M-step stands. */
export function mStepText(m: MStepProgress): string {
  return `M-step: ${m.of === 1 ? 'shared covariance' : `component ${m.component}/${m.of}`} factorized`;
}

/**
 * The line of one report: the run, the iteration, the E-step's rows or the M-step's component, and the objective
 * (`objective` names it: the mean log-likelihood, or with a prior the mean log posterior).
 */
export function fitProgressText(p: ProgressInfo, nInit: number, objective = 'mean log-likelihood'): string {
  const run = `restart ${p.init + 1}/${nInit}  start ${p.candidate + 1}  iteration ${p.iter}`;
  const step = p.mStep !== undefined ? mStepText(p.mStep)
    : `${progressBar(p.rowsDone, p.rowsTotal)} E-step ${p.rowsDone}/${p.rowsTotal} rows`;
  const ll = Number.isFinite(p.logLikelihood) ? p.logLikelihood.toFixed(6) : '-';
  return `${run}  ${step}  ${objective} ${ll}`;
}

/**
 * The `onProgress` of an in-memory fit drawing on `show` (the command's progress line): every report is offered as a
 * redraw (a terminal shows it, at most 10 times a second); a line of its own (`done`) goes to the end of a long
 * E-step and to every part of a long M-step, which the library reports only when it takes long.
 * @param now the clock, in ms
 * @param objective what the reports' `logLikelihood` is, as the line names it
 */
export function fitProgress(
  show: (text: string, done?: boolean) => void, nInit: number, now: () => number = () => performance.now(),
  objective = 'mean log-likelihood',
): (p: ProgressInfo) => void {
  // When the E-step in progress started: at the end of the previous E-step or M-step report (the M-step of a short
  // iteration is not reported, and takes no time worth counting).
  let started = now();
  return (p) => {
    const long = p.phase === 'm-step' || (p.rowsDone === p.rowsTotal && now() - started >= LONG_E_STEP_MS);
    show(fitProgressText(p, nInit, objective), long);
    if (p.phase === 'm-step' || p.rowsDone === p.rowsTotal) started = now();
  };
}
