/**
 * Sequences an HMM gives probability 0 (log-likelihood −∞, or below what float64 can hold): where they fail and the
 * one `InputError` every method raises for them, so that `fit`, `score`, `scoreSamples`, `predict`, `predictProba`,
 * `decode` and `bic`/`aic` agree instead of one returning −∞, another NaN and a third a confident posterior.
 */
import { InputError } from '../errors.js';
import type { Sequences } from './sequences.js';

/** The first row t < T whose log-emission is −∞ (or NaN) under every one of the K states, or −1. */
export function zeroDensityRow(logB: Float64Array, T: number, K: number): number {
  for (let t = 0; t < T; t++) {
    let any = false;
    for (let k = 0; k < K && !any; k++) any = logB[t * K + k] > -Infinity;
    if (!any) return t;
  }
  return -1;
}

/**
 * The first row that no state path of positive probability reaches (the forward probabilities, rescaled at every
 * step and with each row's log-emissions shifted by their maximum, all 0 there), or −1 when every row is reachable.
 */
export function unreachableRow(
  logB: Float64Array, T: number, K: number, startProb: Float64Array, transMat: Float64Array,
): number {
  let alpha = new Float64Array(K);
  let next = new Float64Array(K);
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, logB[t * K + k]);
    let total = 0;
    for (let j = 0; j < K; j++) {
      let s = 0;
      if (t === 0) s = startProb[j];
      else for (let i = 0; i < K; i++) s += alpha[i] * transMat[i * K + j];
      next[j] = s * Math.exp(logB[t * K + j] - m);
      total += next[j];
    }
    if (!(total > 0)) return t;
    for (let j = 0; j < K; j++) next[j] /= total;
    [alpha, next] = [next, alpha];
  }
  return -1;
}

/** The argument naming observation t of sequence s, as the caller wrote it. */
export function rowArgument(data: Sequences, s: number, t: number): string {
  return data.nested ? `X[${s}][${t}]` : `X[${data.starts[s] + t}]`;
}

/** "row t" or "row t of sequence s". */
function rowWords(data: Sequences, s: number, t: number): string {
  return data.lengths.length === 1 ? `row ${t}` : `row ${t} of sequence ${s}`;
}

/** An `InputError` whose message is `argument: text` (the reason leads; no "expected … got …" frame). */
function error(argument: string, text: string): InputError {
  const e = new InputError(argument, '', '');
  e.message = `${argument}: ${text}`;
  return e;
}

/**
 * The error for sequence s, of log-likelihood −∞ (or not a number) under the model:
 * - a row of zero density under every state: named, with `detail` (e.g. its distance from the nearest state);
 * - else the first row that no path of positive probability reaches (zero start or transition probabilities);
 * - else the log-likelihood is below −1.8e308, which float64 cannot hold.
 * @param detail describes row i (the global index) for the zero-density case, e.g. "1e160 standard deviations …"
 */
export function impossibleSequence(
  data: Sequences, s: number, logB: Float64Array, K: number, startProb: Float64Array, transMat: Float64Array,
  detail: (i: number) => string,
): InputError {
  const T = data.lengths[s];
  const zero = zeroDensityRow(logB, T, K);
  if (zero >= 0) {
    return error(rowArgument(data, s, zero), `${rowWords(data, s, zero)} has zero density under every state ` +
      `(${detail(data.starts[s] + zero)}), so the model gives ${data.lengths.length === 1 ? 'the sequence' : `sequence ${s}`} ` +
      'probability 0 and no posterior, path or score exists. Remove or correct that row, or fit a model that covers it');
  }
  const unreachable = unreachableRow(logB, T, K, startProb, transMat);
  if (unreachable >= 0) {
    return error(rowArgument(data, s, unreachable), `${rowWords(data, s, unreachable)} cannot follow the rows before it: ` +
      'every state that can emit it has probability 0 there (a start or transition probability of 0 rules it out), ' +
      `so the model gives ${data.lengths.length === 1 ? 'the sequence' : `sequence ${s}`} probability 0`);
  }
  return error(data.lengths.length === 1 ? 'X' : data.nested ? `X[${s}]` : `X (sequence ${s})`,
    'the log-likelihood of the sequence is below −1.8e308, which float64 cannot hold (its rows are extremely far ' +
    "from every state's emissions). Scale the data or fit a model that covers it");
}
