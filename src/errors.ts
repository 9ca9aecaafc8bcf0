/** Typed errors. Every message says what was expected, what was given and, where it helps, what to do. */

/** Bad input: thrown before any computation, naming the argument, what was expected and what was given. */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** The argument or option at fault, e.g. `'X'`, `'options.nComponents'`, `'sampleWeight[3]'`. */
  readonly argument: string;
  constructor(argument: string, expected: string, received: string, hint?: string) {
    super(`${argument}: expected ${expected}, got ${received}${hint ? `. ${hint}` : ''}`);
    this.argument = argument;
  }

  /** The same error about another argument (the data of a chunk named by its place in a whole stream). */
  renamed(argument: string): InputError {
    const e = new InputError(argument, '', '');
    e.message = argument + this.message.slice(this.argument.length);
    return e;
  }
}

/** A component lost its support (its covariance is not positive definite, or it holds no weight). */
export class DegenerateComponentError extends Error {
  override readonly name = 'DegenerateComponentError';
  /** Index of the component that collapsed, or −1 when it is not one component (a shared covariance, a whole grid). */
  readonly component: number;
  /** @param advice what to try instead (default: the Gaussian mixture's remedies) */
  constructor(
    component: number, detail: string,
    advice = 'Try fewer components (nComponents), a larger regCovar, or scaling the features to comparable ranges',
  ) {
    super(`${component >= 0 ? `component ${component}` : 'the fit'} collapsed (${detail}). ${advice}`);
    this.component = component;
  }
}

/** The WebAssembly backend was asked for explicitly but cannot run here. */
export class WasmUnavailableError extends Error {
  override readonly name = 'WasmUnavailableError';
  constructor(reason: string) {
    super(`the wasm backend is unavailable: ${reason}. Use backend: 'js' (or 'auto', which falls back to js)`);
  }
}

/** A method that needs a fitted model was called before `fit`. */
export class NotFittedError extends Error {
  override readonly name = 'NotFittedError';
  /**
   * @param method the method called (without its parentheses when `model` is not given)
   * @param disposed the model's `dispose()` dropped its parameters (the message says so)
   * @param model the class, when it is not `GaussianMixture`: the message then names `model.method` as given
   *   (`'predict()'`, or a getter's name) and `model.fromJSON()`
   */
  constructor(method: string, disposed = false, model?: string) {
    super(`${model === undefined ? `${method}()` : `${model}.${method}`} needs a fitted model` +
      `${disposed ? ' (this one was disposed)' : ''}: call fit(X) first, ` +
      `or load one with ${model ?? 'GaussianMixture'}.fromJSON()`);
  }
}

/** Describes a value briefly for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** A fit was stopped through its `signal`. Its `name` is `'AbortError'`, as for aborted `fetch` calls. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(what = 'the fit') {
    super(`${what} was aborted; the model is unchanged`);
  }
}

/** A worker of a `fitAsync` pool threw, failed to start or exited during the fit; the other workers were stopped. */
export class WorkerError extends Error {
  override readonly name = 'WorkerError';
  /** Index of the worker in the pool. */
  readonly worker: number;
  constructor(worker: number, detail: string) {
    super(`worker ${worker} of the fit ${detail}; all workers were stopped. Retry, or use fit() to run on this thread`);
    this.worker = worker;
  }
}

/** Exhaustiveness check for `switch` over unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
