/**
 * The starting points of an asynchronous fit, computed ahead of the EM steps that ask for them, in slices on the
 * calling thread (`runSliced`), so that an abort during a long start (k-means++ on 100 000 rows of 32 features with
 * 64 components takes seconds) is seen within a slice, and so that a start is computed while the workers run the
 * iterations of the one before.
 */
import { runSliced, runToEnd, type Resumable } from './abort.js';

/** A start computed ahead: its value, or the error computing it threw (rethrown when it is handed out, as `fit` would). */
type Computed<P> = { readonly value: P } | { readonly error: unknown };

/**
 * The starts of `restarts` restarts of `candidates` candidates each, handed out in that order (restart by restart,
 * candidate by candidate: the order in which the EM steps ask for them, and the only order in which the random streams
 * are drawn, so that a start computed ahead is the start `fit` computes, to the bit).
 */
export class PrefetchedStarts<P> {
  /** The candidate of each start, in the order they are handed out. */
  private readonly order: number[] = [];
  private next = 0;
  private ready: Computed<P> | null = null;

  /** @param compute the computation of the start of a candidate (drawing from its random stream) */
  constructor(restarts: number, candidates: number, private readonly compute: (candidate: number) => Resumable<P>) {
    for (let r = 0; r < restarts; r++) for (let m = 0; m < candidates; m++) this.order.push(m);
  }

  /**
   * The next start, for `candidate`: the one computed ahead, or else computed now, to its end (the synchronous `fit`,
   * or a step that asks for two starts at once because the first failed).
   */
  readonly take = (candidate: number): P => {
    const expected = this.order[this.next];
    if (candidate !== expected) {
      throw new Error(`start ${this.next} was asked for candidate ${candidate}, expected candidate ${expected}`);
    }
    let computed = this.ready;
    this.ready = null;
    this.next++;
    if (computed === null) computed = { value: runToEnd(this.compute(candidate)) };
    if ('error' in computed) throw computed.error;
    return computed.value;
  };

  /**
   * Computes the next start ahead, in slices (unless it is computed or all are handed out). Rejects with the signal's
   * reason once `signal` aborts; an error of the start itself is kept and thrown when it is handed out.
   */
  async prefetch(signal: AbortSignal | undefined): Promise<void> {
    if (this.ready !== null || this.next >= this.order.length) return;
    const candidate = this.order[this.next];
    try {
      this.ready = { value: await runSliced(this.compute(candidate), signal) };
    } catch (e) {
      if (signal?.aborted) throw e;
      this.ready = { error: e };
    }
  }
}
