/**
 * What the CLI reports and how it exits. User mistakes are one line on stderr, `wasm-em: <message>`, with exit code 2
 * for the command line and 1 for data, models and files; anything else is a bug and gets its stack and exit code 70
 * (`EX_SOFTWARE` of sysexits.h).
 */
import { DegenerateComponentError, InputError, NotFittedError, WasmUnavailableError, WorkerError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_DATA = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** A mistake in the command line itself: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The subcommand whose `--help` explains the fix, or null for the program's. */
  readonly command: string | null;
  constructor(message: string, command: string | null) {
    super(message);
    this.command = command;
  }
}

/** A file that cannot be read or written, or a model file that is not a model: exit code 1. */
export class DataError extends Error {
  override readonly name = 'DataError';
}

/**
 * The reason an operating-system call failed, in words (`no space left on device`), for `cannot read PATH: …` and
 * `cannot write PATH: …`; an unknown code keeps Node's message.
 */
export function systemReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'read-only file system';
    case 'EFBIG':
      return 'file too large';
    case 'EIO':
      return 'input/output error';
    case 'EXDEV':
      return 'the temporary file and the target are on different file systems';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Library option names as the CLI spells them, for messages that name an option. */
const FLAGS: Record<string, string> = {
  'options.nComponents': '-k',
  'options.covarianceType': '--covariance',
  'options.covarianceTypes': '--covariance',
  'options.criterion': '--criterion',
  'options.nInit': '--n-init',
  'options.initCandidates': '--init-candidates',
  'options.seed': '--seed',
  'options.maxIter': '--max-iter',
  'options.tol': '--tol',
  'options.regCovar': '--reg-covar',
  'options.init': '--init',
  'options.backend': '--backend',
  'options.dtype': '--dtype',
  'options.prior': '--prior',
  'options.workers': '--workers',
  'options.alpha': '--alpha',
};

/**
 * Rewrites a library message in the CLI's terms: an `InputError` about an option names its flag (`-k`), one about `X`
 * names the data file, and advice such as "a larger regCovar" names the flags. Messages about files (`DataError`,
 * `CsvError`) are left as they are.
 */
function cliMessage(error: Error, dataSource: string | null): string {
  let message = error.message;
  if (error instanceof InputError) {
    const arg = error.argument;
    const flag = FLAGS[arg.replace(/\[\d+\]$/, '')];
    if (flag !== undefined && message.startsWith(arg)) message = flagNames(flag + message.slice(arg.length));
    else if (arg === 'X' && dataSource !== null && message.startsWith(arg)) message = dataSource + message.slice(1);
  }
  if (error instanceof DegenerateComponentError) message = flagNames(message);
  if (error instanceof WasmUnavailableError) {
    message = message.replace("Use backend: 'js' (or 'auto', which falls back to js)", 'Use --backend js (or auto)');
  }
  if (error instanceof WorkerError) message = message.replace('use fit() to run on this thread', 'leave out --workers');
  return message;
}

/**
 * Library words a message may hold outside its start (advice such as "Increase maxIter or tol", or the reason of a
 * `select` row, "options.nComponents: expected …"), and the CLI flags for them.
 */
const WORD_FLAGS: Record<string, string> = Object.fromEntries(
  Object.entries(FLAGS).map(([argument, flag]) => [argument.slice('options.'.length), flag]),
);

/** Words replaced even without their `options.` prefix: library identifiers that are not also English words. */
const BARE_WORDS = ['nComponents', 'covarianceType', 'covarianceTypes', 'nInit', 'initCandidates', 'maxIter', 'tol',
  'regCovar', 'alpha'];

const OPTION_WORD = new RegExp(
  `\\boptions\\.(${Object.keys(WORD_FLAGS).join('|')})\\b|\\b(${BARE_WORDS.join('|')})\\b`, 'g',
);

/**
 * Option names of the library in a message replaced by the CLI's flags: `options.nComponents` (any option the CLI
 * has a flag for) and the bare names of `BARE_WORDS` (`regCovar` → `--reg-covar`).
 */
export function flagNames(message: string): string {
  return message.replace(OPTION_WORD, (word, prefixed?: string, bare?: string) => WORD_FLAGS[prefixed ?? bare!] ?? word);
}

/** One line: messages never span lines on the terminal. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** What to print and the exit code for an error thrown by a command. */
export function report(error: unknown, dataSource: string | null): { text: string; code: number } {
  if (error instanceof UsageError) {
    return { text: `wasm-em: ${oneLine(error.message)}\n`, code: EXIT_USAGE };
  }
  if (
    error instanceof DataError ||
    error instanceof InputError ||
    error instanceof DegenerateComponentError ||
    error instanceof WasmUnavailableError ||
    error instanceof NotFittedError ||
    error instanceof WorkerError
  ) {
    return { text: `wasm-em: ${oneLine(cliMessage(error, dataSource))}\n`, code: EXIT_DATA };
  }
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return {
    text: `wasm-em: internal error (please report it with the command that caused it):\n${detail}\n`,
    code: EXIT_INTERNAL,
  };
}
