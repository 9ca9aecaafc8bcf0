/** The plain-TypeScript backend: the reference oracle and the pure-JS yardstick. */
import type { Backend, BoundData, KernelParams } from '../kernel.js';
import { accumulateGaussFull, logProbGaussFull } from './gaussian-full.js';
import { accumulateGaussDiag, logProbGaussDiag } from './gaussian-diag.js';

class JsBoundData implements BoundData {
  private params: KernelParams | null = null;
  private lp: Float64Array = new Float64Array(0);
  private readonly diff: Float64Array;

  constructor(
    private readonly X: Float64Array,
    private readonly weights: Float64Array | null,
    readonly n: number,
    readonly d: number,
  ) {
    this.diff = new Float64Array(d);
  }

  setParams(p: KernelParams): void {
    this.params = p;
    if (this.lp.length < p.k) this.lp = new Float64Array(p.k);
  }

  private current(): KernelParams {
    if (this.params === null) throw new Error('setParams() must be called before accumulate() or logProb()');
    return this.params;
  }

  accumulate(start: number, count: number, stats: Float64Array): void {
    const p = this.current();
    if (p.shape === 'full') {
      accumulateGaussFull(this.X, this.weights, start, count, this.d, p.k, p.logConst, p.means, p.prec, p.precStride,
        stats, this.lp, this.diff);
    } else {
      accumulateGaussDiag(this.X, this.weights, start, count, this.d, p.k, p.logConst, p.means, p.prec, stats, this.lp);
    }
  }

  logProb(start: number, count: number, out: Float64Array): void {
    const p = this.current();
    if (p.shape === 'full') {
      logProbGaussFull(this.X, start, count, this.d, p.k, p.logConst, p.means, p.prec, p.precStride, out, this.diff);
    } else {
      logProbGaussDiag(this.X, start, count, this.d, p.k, p.logConst, p.means, p.prec, out);
    }
  }

  dispose(): void {
    this.params = null;
  }
}

/**
 * The plain-TypeScript backend. Binding reads the caller's rows in place (no copy: a fit needs the data plus a
 * bounded working set); they must stay unchanged until `dispose()`.
 */
export const jsBackend: Backend = {
  name: 'js',
  bind(X: Float64Array, n: number, d: number, weights: Float64Array | null): BoundData {
    return new JsBoundData(X.subarray(0, n * d), weights === null ? null : weights.subarray(0, n), n, d);
  },
};
