/** The plain-TypeScript backend: the reference oracle and the pure-JS yardstick. */
import type { Backend, BoundData, KernelParams } from '../kernel.js';
import { checkWeightedArgs } from '../kernel.js';
import { kernelRow, type F32Params, type JsCall, type KernelRow } from '../kernels.js';
import { forwardBackwardJs, viterbiJs } from './hmm.js';

class JsBoundData implements BoundData {
  private params: KernelParams | null = null;
  private row: KernelRow | null = null;
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
    const f32 = this.X instanceof Float32Array;
    this.row = kernelRow(p.shape, f32);
    this.params = p;
    if (this.lp.length < p.k) this.lp = new Float64Array(p.k);
    this.f32 = f32 ? { means: Float32Array.from(p.means), prec: Float32Array.from(p.prec), r: new Float32Array(p.k),
      diff: new Float32Array(this.d) } : null;
  }

  /** The arguments of the current kernel for rows `[start, start + count)`. */
  private call(start: number, count: number): { row: KernelRow; a: JsCall } {
    if (this.params === null || this.row === null) {
      throw new Error('setParams() must be called before accumulate() or logProb()');
    }
    return { row: this.row, a: { X: this.X, weights: this.weights, start, count, d: this.d, p: this.params, q: this.f32,
      lp: this.lp, diff: this.diff } };
  }

  accumulate(start: number, count: number, stats: Float64Array): void {
    const { row, a } = this.call(start, count);
    row.js.accumulate(a, stats);
  }

  accumulateWeighted(start: number, count: number, resp: Float64Array, stats: Float64Array): void {
    const { row, a } = this.call(start, count);
    if (this.X instanceof Float32Array) {
      throw new RangeError('accumulateWeighted: float32 rows are not supported; bind a Float64Array');
    }
    checkWeightedArgs(a.p.shape, this.d, a.p.k, count, resp, stats);
    row.js.accumulateWeighted!(a, resp, stats);
  }

  logProb(start: number, count: number, out: Float64Array): void {
    const { row, a } = this.call(start, count);
    row.js.logProb(a, out);
  }

  dispose(): void {
    this.params = null;
    this.row = null;
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
  retain: () => () => undefined,
};
