/**
 * The starting points of an asynchronous fit, computed ahead of the EM steps that ask for them, in slices on the
 * calling thread (`runSliced`), so that an abort during a long start (k-means++ on 100 000 rows of 32 features with
 * 64 components takes seconds) is seen within a slice, and so that a start is computed while the workers run the
 * iterations of the one before.
 */
import { Rng } from '../rng.js';
import { runSliced, runToEnd, type Resumable } from './abort.js';

/** A start computed ahead: its value, or the error computing it threw (rethrown when it is handed out, as `fit` would). */
type Computed<P> = { readonly value: P } | { readonly error: unknown };

/** First stream number of the candidates' own random streams (`candidateRng`); lower streams serve other draws. */
const CANDIDATE_STREAM = 1000;

/**
 * The random stream of a start. Candidate 0 of every restart draws from `first`, the seed's main stream, in restart
 * order (so restart 0 starts where plain EM would, and the restarts follow each other as scikit-learn's `n_init`);
 * every other candidate has its own stream of the seed, so whether it runs — a restart runs its candidates only until
 * one gives a sound solution — changes no other start.
 */
export function candidateRng(first: Rng, seed: number, restart: number, candidates: number, candidate: number): Rng {
  return candidate === 0 ? first : new Rng(seed, CANDIDATE_STREAM + restart * candidates + candidate);
}

/**
 * Which restart a start asked for belongs to: starts are asked for restart by restart, candidate 0 first and then
 * the next candidate while the restart wants more. Throws when asked out of that order.
 */
export class StartOrder {
  private restart = -1;
  private candidate = -1;

  constructor(private readonly restarts: number, private readonly candidates: number) {}

  /** The restart and candidate of the next start, asked for `candidate`. */
  next(candidate: number): { restart: number; candidate: number } {
    const ok = candidate === 0 ? this.restart + 1 < this.restarts
      : this.restart >= 0 && candidate === this.candidate + 1 && candidate < this.candidates;
    if (!ok) {
      throw new Error(`a start was asked for candidate ${candidate} after candidate ${this.candidate} of restart ` +
        `${this.restart} (of ${this.restarts} × ${this.candidates})`);
    }
    if (candidate === 0) this.restart++;
    this.candidate = candidate;
    return { restart: this.restart, candidate };
  }

  /** The starts that may be asked for next: candidate 0 of the next restart, and the next candidate of this one. */
  upcoming(): { restart: number; candidate: number }[] {
    const out: { restart: number; candidate: number }[] = [];
    if (this.restart + 1 < this.restarts) out.push({ restart: this.restart + 1, candidate: 0 });
    if (this.restart >= 0 && this.candidate + 1 < this.candidates) out.push({ restart: this.restart, candidate: this.candidate + 1 });
    return out;
  }
}

/**
 * The starts of `restarts` restarts of up to `candidates` candidates each, handed out as the EM steps ask for them
 * (`StartOrder`); each start is the same whether computed ahead or on demand, to the bit, because candidate 0 draws
 * from the main stream in restart order and the other candidates from their own streams (`candidateRng`).
 */
export class PrefetchedStarts<P> {
  private readonly order: StartOrder;
  private readonly ready = new Map<string, Computed<P>>();

  /** @param compute the computation of the start of a restart's candidate (drawing from its random stream) */
  constructor(restarts: number, candidates: number,
    private readonly compute: (restart: number, candidate: number) => Resumable<P>) {
    this.order = new StartOrder(restarts, candidates);
  }

  /**
   * The next start, for `candidate`: the one computed ahead, or else computed now, to its end (the synchronous `fit`,
   * or a step that asks for a start that was not computed ahead).
   */
  readonly take = (candidate: number): P => {
    const { restart } = this.order.next(candidate);
    const key = `${restart}:${candidate}`;
    let computed = this.ready.get(key) ?? null;
    // Starts of earlier restarts, and of this restart's candidates up to this one, will not be asked for any more.
    for (const other of [...this.ready.keys()]) {
      const [r, c] = other.split(':').map(Number);
      if (r < restart || (r === restart && c <= candidate)) this.ready.delete(other);
    }
    if (computed === null) computed = { value: runToEnd(this.compute(restart, candidate)) };
    if ('error' in computed) throw computed.error;
    return computed.value;
  };

  /**
   * Computes the starts that may be asked for next ahead, in slices (unless they are computed or all are handed out).
   * Rejects with the signal's reason once `signal` aborts; an error of the start itself is kept and thrown when it is
   * handed out.
   */
  async prefetch(signal: AbortSignal | undefined): Promise<void> {
    for (const { restart, candidate } of this.order.upcoming()) {
      const key = `${restart}:${candidate}`;
      if (this.ready.has(key)) continue;
      try {
        this.ready.set(key, { value: await runSliced(this.compute(restart, candidate), signal) });
      } catch (e) {
        if (signal?.aborted) throw e;
        this.ready.set(key, { error: e });
      }
    }
  }
}
