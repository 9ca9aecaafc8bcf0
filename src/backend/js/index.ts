/** The plain-TypeScript backend: the reference oracle and the pure-JS yardstick. */
import type { Backend, BoundData, KernelParams } from '../kernel.js';
import { checkWeightedArgs } from '../kernel.js';
import { accumulateGaussFull, accumulateWeightedGaussFull, logProbGaussFull } from './gaussian-full.js';
import { accumulateGaussDiag, accumulateWeightedGaussDiag, logProbGaussDiag } from './gaussian-diag.js';
import { accumulateGaussFullF32, logProbGaussFullF32 } from './gaussian-full-f32.js';
import { accumulateGaussDiagF32, logProbGaussDiagF32 } from './gaussian-diag-f32.js';
import { forwardBackwardJs, viterbiJs } from './hmm.js';
import { accumulateLinear, accumulateWeightedLinear, logProbLinear } from './linear.js';

/** f32 copies of the means and precision factors, and f32 scratch, for float32 data. */
interface F32Params {
  readonly means: Float32Array;
  readonly prec: Float32Array;
  readonly r: Float32Array;
  readonly diff: Float32Array;
}

class JsBoundData implements BoundData {
  private params: KernelParams | null = null;
  private f32: F32Params | null = null;
  private lp: Float64Array = new Float64Array(0);
  private readonly diff: Float64Array;

  constructor(
    private readonly X: Float64Array | Float32Array,
    private readonly weights: Float64Array | null,
    readonly n: number,
    readonly d: number,
  ) {
    this.diff = new Float64Array(d);
  }

  setParams(p: KernelParams): void {
    if (p.shape === 'linear' && this.X instanceof Float32Array) {
      throw new RangeError("params.shape: the 'linear' kernels (discrete families) run on float64 rows only; bind a Float64Array");
    }
    this.params = p;
    if (this.lp.length < p.k) this.lp = new Float64Array(p.k);
    if (this.X instanceof Float32Array) {
      this.f32 = { means: Float32Array.from(p.means), prec: Float32Array.from(p.prec), r: new Float32Array(p.k),
        diff: new Float32Array(this.d) };
    }
  }

  private current(): KernelParams {
    if (this.params === null) throw new Error('setParams() must be called before accumulate() or logProb()');
    return this.params;
  }

  accumulate(start: number, count: number, stats: Float64Array): void {
    const p = this.current();
    const { X, f32 } = this;
    if (p.shape === 'linear') {
      accumulateLinear(X as Float64Array, this.weights, start, count, this.d, p.k, p.logConst, p.prec, stats, this.lp);
    } else if (X instanceof Float32Array) {
      const q = f32!;
      if (p.shape === 'full') {
        accumulateGaussFullF32(X, this.weights, start, count, this.d, p.k, p.logConst, q.means, q.prec, p.precStride,
          stats, this.lp, q.r, q.diff);
      } else {
        accumulateGaussDiagF32(X, this.weights, start, count, this.d, p.k, p.logConst, q.means, q.prec, stats, this.lp,
          q.r);
      }
    } else if (p.shape === 'full') {
      accumulateGaussFull(X, this.weights, start, count, this.d, p.k, p.logConst, p.means, p.prec, p.precStride,
        stats, this.lp, this.diff);
    } else {
      accumulateGaussDiag(X, this.weights, start, count, this.d, p.k, p.logConst, p.means, p.prec, stats, this.lp);
    }
  }

  accumulateWeighted(start: number, count: number, resp: Float64Array, stats: Float64Array): void {
    const p = this.current();
    const { X } = this;
    if (X instanceof Float32Array) {
      throw new RangeError('accumulateWeighted: float32 rows are not supported; bind a Float64Array');
    }
    checkWeightedArgs(p.shape, this.d, p.k, count, resp, stats);
    if (p.shape === 'full') {
      accumulateWeightedGaussFull(X, this.weights, start, count, this.d, p.k, p.means, resp, stats, this.diff);
    } else if (p.shape === 'diag') {
      accumulateWeightedGaussDiag(X, this.weights, start, count, this.d, p.k, p.means, resp, stats);
    } else {
      accumulateWeightedLinear(X, this.weights, start, count, this.d, p.k, resp, stats);
    }
  }

  logProb(start: number, count: number, out: Float64Array): void {
    const p = this.current();
    const { X, f32 } = this;
    if (p.shape === 'linear') {
      logProbLinear(X as Float64Array, start, count, this.d, p.k, p.logConst, p.prec, out);
    } else if (X instanceof Float32Array) {
      const q = f32!;
      if (p.shape === 'full') {
        logProbGaussFullF32(X, start, count, this.d, p.k, p.logConst, q.means, q.prec, p.precStride, out, q.diff);
      } else {
        logProbGaussDiagF32(X, start, count, this.d, p.k, p.logConst, q.means, q.prec, out);
      }
    } else if (p.shape === 'full') {
      logProbGaussFull(X, start, count, this.d, p.k, p.logConst, p.means, p.prec, p.precStride, out, this.diff);
    } else {
      logProbGaussDiag(X, start, count, this.d, p.k, p.logConst, p.means, p.prec, out);
    }
  }

  dispose(): void {
    this.params = null;
    this.f32 = null;
  }
}

/**
 * The plain-TypeScript backend. Binding reads the caller's rows in place (no copy: a fit needs the data plus a
 * bounded working set); they must stay unchanged until `dispose()`. A `Float32Array` selects the float32 twins.
 */
export const jsBackend: Backend = {
  name: 'js',
  hmm: { forwardBackward: forwardBackwardJs, viterbi: viterbiJs },
  bind(X: Float64Array | Float32Array, n: number, d: number, weights: Float64Array | null): BoundData {
    return new JsBoundData(X.subarray(0, n * d), weights === null ? null : weights.subarray(0, n), n, d);
  },
};
