/**
 * `HmmKernels` of the wasm backend: the kernels of `assembly/hmm.ts` behind the interface of `src/backend/kernel.ts`.
 *
 * Each call takes its regions from the backend's arena (the memory and kernel instance that `bind` uses, created for
 * the call if no data is bound): the emissions, γ, the scales (T×K, T×K and T doubles; Viterbi: the emissions, T×K
 * i32 back-pointers and the T-step path), the parameters and the kernel's scratch; it copies the inputs in, runs one
 * kernel call, copies the results out and frees the regions, so the memory grows only before the kernel call and a
 * sequence needs O(T·K) bytes of WebAssembly memory (T = 10⁶, K = 8: 136 MB for forward–backward), never O(T·K²).
 */
import type { HmmKernels } from '../kernel.js';
import { checkHmmArgs, checkOutput, logOf } from '../js/hmm.js';
import type { Arena } from './memory.js';
import type { KernelExports } from './load.js';

/** What a call needs of the backend's engine. */
export interface HmmEngine {
  readonly arena: Arena;
  readonly kernels: KernelExports;
}

/**
 * The wasm `HmmKernels`, over the engine that `acquire` returns (and `release` gives back after each call, so that
 * the backend drops its memory when nothing uses it any more).
 */
export class WasmHmm implements HmmKernels {
  constructor(
    private readonly acquire: () => HmmEngine,
    private readonly release: (engine: HmmEngine) => void,
  ) {}

  /** Runs `body` with regions of the byte sizes `sizes` gives (with what they hold), then frees them and the engine. */
  private withRegions<R>(sizes: (kernels: KernelExports) => [number, string][],
    body: (engine: HmmEngine, ptrs: number[]) => R): R {
    const engine = this.acquire();
    const ptrs: number[] = [];
    try {
      for (const [bytes, what] of sizes(engine.kernels)) ptrs.push(engine.arena.alloc(bytes, what));
      return body(engine, ptrs);
    } finally {
      for (let q = ptrs.length - 1; q >= 0; q--) engine.arena.free(ptrs[q]!);
      this.release(engine);
    }
  }

  forwardBackward(logB: Float64Array, T: number, K: number, startProb: Float64Array, transMat: Float64Array,
    gamma: Float64Array, xiSum: Float64Array): number {
    checkHmmArgs(logB, T, K, startProb, transMat);
    checkOutput('gamma', gamma, T * K, 'T×K');
    checkOutput('xiSum', xiSum, K * K, 'K×K');
    const seq = `a sequence of ${T} steps × ${K} states`;
    return this.withRegions((kernels) => [
      [8 * T * K, `the emissions of ${seq}`], [8 * T * K, `the posteriors of ${seq}`], [8 * T, `the scales of ${seq}`],
      [8 * K, 'the start probabilities'], [8 * K * K, 'the transition matrix'], [8 * K * K, 'the transition counts'],
      [kernels.hmm_scratch_bytes(K), 'the forward–backward scratch'],
    ], ({ arena, kernels }, [lb, g, sc, st, tr, xi, scratch]) => {
      const heap = arena.f64();
      heap.set(logB.subarray(0, T * K), lb! / 8);
      heap.set(startProb.subarray(0, K), st! / 8);
      heap.set(transMat.subarray(0, K * K), tr! / 8);
      heap.set(xiSum.subarray(0, K * K), xi! / 8);
      const logp = kernels.forward_backward_f64(lb!, T, K, st!, tr!, g!, sc!, xi!, scratch!);
      gamma.set(heap.subarray(g! / 8, g! / 8 + T * K));
      xiSum.set(heap.subarray(xi! / 8, xi! / 8 + K * K));
      return logp;
    });
  }

  viterbi(logB: Float64Array, T: number, K: number, startProb: Float64Array, transMat: Float64Array,
    path: Int32Array): number {
    checkHmmArgs(logB, T, K, startProb, transMat);
    checkOutput('path', path, T, 'T');
    const seq = `a sequence of ${T} steps × ${K} states`;
    return this.withRegions((kernels) => [
      [8 * T * K, `the emissions of ${seq}`], [4 * T * K, `the back-pointers of ${seq}`], [4 * T, `the path of ${seq}`],
      [8 * K, 'the log start probabilities'], [8 * K * K, 'the log transition matrix'],
      [kernels.viterbi_scratch_bytes(K), 'the Viterbi scratch'],
    ], ({ arena, kernels }, [lb, psi, p, ls, lt, scratch]) => {
      const heap = arena.f64();
      heap.set(logB.subarray(0, T * K), lb! / 8);
      // The logarithms are TypeScript's, as the twin's: both backends then compare the same sums.
      heap.set(logOf(startProb, K), ls! / 8);
      heap.set(logOf(transMat, K * K), lt! / 8);
      const value = kernels.viterbi_f64(lb!, T, K, ls!, lt!, psi!, p!, scratch!);
      path.set(new Int32Array(arena.memory.buffer, p!, T));
      return value;
    });
  }
}
