/**
 * Aborting the asynchronous fits: the error an aborted signal rejects with, a race of a pending promise against the
 * signal, and a runner that drives a resumable computation (a generator that yields every few milliseconds of work)
 * in slices, returning to the event loop between them so that an abort fired by a timer or a UI event is seen.
 */
import { AbortError } from '../errors.js';

/**
 * What a fit aborted through `signal` rejects with: the signal's `reason` when the caller gave one (as `fetch` and
 * Node's APIs do), else an `AbortError` (also for the DOMException named `AbortError` that `abort()` without an
 * argument sets as the reason, so that `instanceof AbortError` holds for a plain abort).
 */
export function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason === undefined) return new AbortError();
  if (typeof DOMException !== 'undefined' && reason instanceof DOMException && reason.name === 'AbortError') {
    return new AbortError();
  }
  return reason;
}

/**
 * The first check of every abortable call: when `options` holds an aborted `signal`, throws `abortError(signal)`
 * before the data, the other options or the signal's form are looked at, so that an aborted call rejects with an
 * `AbortError` (or the signal's reason) whatever else is wrong with it, in every model class and `emAsync`.
 * @example
 * throwIfAbortedFirst(options); // then validate options and data
 */
export function throwIfAbortedFirst(options: unknown): void {
  if (options === null || typeof options !== 'object') return;
  const s: unknown = (options as { signal?: unknown }).signal;
  if (s !== null && typeof s === 'object' && (s as { aborted?: unknown }).aborted === true) {
    throw abortError(s as AbortSignal);
  }
}

/** Throws `abortError(signal)` when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * `pending`, or a rejection with `abortError(signal)` as soon as `signal` aborts, whichever comes first; `onAbort`
 * then releases what `pending` waits on (it is not awaited: a source that never answers must not hold the fit).
 */
export function raceAbort<T>(pending: PromiseLike<T>, signal: AbortSignal | undefined, onAbort?: () => void): Promise<T> {
  if (signal === undefined) return Promise.resolve(pending);
  if (signal.aborted) {
    onAbort?.();
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      try {
        onAbort?.();
      } finally {
        reject(abortError(signal));
      }
    };
    signal.addEventListener('abort', abort, { once: true });
    Promise.resolve(pending).then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/** Returns to the event loop (a macrotask, so that timers and message events run). */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A computation that can be suspended: a generator that yields (nothing) every few thousand operations and returns
 * its result. `runToEnd` runs it at once; `runSliced` in slices between which timers and aborts are seen.
 */
export type Resumable<R> = Generator<void, R, void>;

/** Runs `work` to its end on the calling thread and returns its result. */
export function runToEnd<R>(work: Resumable<R>): R {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Longest time in milliseconds that `runSliced` runs without returning to the event loop. */
export const SLICE_MS = 10;

/**
 * Runs `work` to its end, returning to the event loop every `sliceMs` (`SLICE_MS`) and checking `signal` then: rejects
 * with `abortError(signal)` within a slice of the abort (the computation is dropped). The result is `runToEnd`'s.
 */
export async function runSliced<R>(work: Resumable<R>, signal: AbortSignal | undefined, sliceMs = SLICE_MS): Promise<R> {
  throwIfAborted(signal);
  let last = performance.now();
  try {
    for (;;) {
      const step = work.next();
      if (step.done) return step.value;
      if (performance.now() - last >= sliceMs) {
        await macrotask();
        throwIfAborted(signal);
        last = performance.now();
      }
    }
  } catch (e) {
    // An abort ends the work where it stands: its `finally` blocks run (a start releases the rows it bound).
    work.return(undefined as R);
    throw e;
  }
}
