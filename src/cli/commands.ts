/** The subcommands: their options, their help and what they do. */
import {
  BernoulliMixture, CategoricalMixture, COVARIANCE_TYPES, GaussianMixture, MCLUST_MODELS, PoissonMixture, selectModel,
} from '../index.js';
import type { CovarianceType, DiscreteMixture, IterationInfo, SelectModelRow } from '../index.js';
import { CsvError, formatCsv, formatNumber, withCliAdvice, type NumericCsv } from '../io/csv.js';
import {
  CSV_INPUT_OPTIONS,
  choiceListValue,
  choiceValue,
  csvInputValue,
  expectPositionals,
  integerValue,
  nonNegativeValue,
  rangeValue,
  type OptionSpec,
  type ParsedArgs,
} from './args.js';
import { DataError, UsageError, flagNames, oneLine } from './errors.js';
import { dataBlocks, fileSize, locatedInFile, readData, readModel, sourceName, writeText } from './files.js';
import type { StreamProgressInfo } from '../stream/fit.js';
import type { CliIO } from './run.js';
import { formatTable } from './table.js';
import { fitProgress, mStepText } from './progress.js';

/** `--init` values; the library spells the last one `randomFromData`. */
const INIT_FLAGS = ['hc', 'kmeans++', 'kmeans', 'random', 'random-from-data'] as const;
const INIT_METHODS = {
  hc: 'hc',
  'kmeans++': 'kmeans++',
  kmeans: 'kmeans',
  random: 'random',
  'random-from-data': 'randomFromData',
} as const;
const BACKENDS = ['auto', 'wasm', 'js'] as const;
const DTYPES = ['float64', 'float32'] as const;
const CRITERIA = ['bic', 'aic', 'icl'] as const;
/** `--family` values of `fit`. */
const FAMILIES = ['gaussian', 'bernoulli', 'categorical', 'poisson'] as const;
/** The discrete mixture classes by `--family`. */
const DISCRETE_CLASSES = { bernoulli: BernoulliMixture, categorical: CategoricalMixture, poisson: PoissonMixture } as const;
/** Options of `fit` that only the Gaussian family takes, and the one only the discrete families take. */
const GAUSSIAN_ONLY = ['covariance', 'reg-covar', 'dtype', 'init-candidates', 'prior'] as const;
/** `--prior` values: mclust's default conjugate prior. */
const PRIORS = ['default'] as const;

/** A model `predict` and `score` can use: a Gaussian mixture or a discrete one. */
export type CliModel = GaussianMixture | DiscreteMixture;

/** State a command shares with `runCli`: what to call the data in library messages, and how to clear progress. */
export interface CommandContext {
  readonly io: CliIO;
  /** Name of the data being processed (a path or `stdin`), used for library errors about `X`. */
  dataSource: string | null;
  /** Clears a progress line on stderr, if one is showing. */
  clearProgress: () => void;
  /** Warning lines to print on stderr if the command succeeds. */
  readonly warnings: string[];
}

export interface Command {
  readonly name: string;
  /** Positional arguments, in order. */
  readonly positionals: readonly string[];
  /** The usage line after `wasm-em`. */
  readonly usage: string;
  /** One line for the program's help. */
  readonly summary: string;
  /** Paragraphs of the command's help (what it reads, what it writes). */
  readonly description: readonly string[];
  readonly options: readonly OptionSpec[];
  run(args: ParsedArgs, ctx: CommandContext): Promise<void>;
}

// ─── Options shared by fit and select ───────────────────────────────────────────────────────────────────────────────

const N_INIT: OptionSpec = {
  name: 'n-init',
  type: 'string',
  placeholder: 'N',
  help: 'EM restarts per fit; the best is kept [1]',
};
const INIT_CANDIDATES: OptionSpec = {
  name: 'init-candidates',
  type: 'string',
  placeholder: 'C',
  help: 'starting points per restart: the first runs to convergence, the others 10 EM iterations each, the best of them runs on too; the better run is kept [10; 1 is scikit-learn]',
};
const SEED: OptionSpec = {
  name: 'seed',
  type: 'string',
  placeholder: 'S',
  help: 'seed (non-negative integer) for reproducible fits [a new one each run]',
};
const MAX_ITER: OptionSpec = {
  name: 'max-iter',
  type: 'string',
  placeholder: 'M',
  help: 'EM iterations per restart [100]',
};
const TOL: OptionSpec = {
  name: 'tol',
  type: 'string',
  placeholder: 'T',
  help: 'stop when the mean log-likelihood per row changes by less than T [1e-3]',
};
const REG_COVAR: OptionSpec = {
  name: 'reg-covar',
  type: 'string',
  placeholder: 'R',
  help: 'added to the covariance diagonals, keeps them positive definite [1e-6]',
};
const INIT: OptionSpec = {
  name: 'init',
  type: 'string',
  placeholder: 'METHOD',
  help: `${INIT_FLAGS.join('|')} [hc for gaussian (mclust's start, gaussian only), kmeans++ for the discrete families]`,
};
const BACKEND: OptionSpec = {
  name: 'backend',
  type: 'string',
  placeholder: 'NAME',
  help: 'auto|wasm|js: WebAssembly SIMD kernels, or plain JavaScript [auto: wasm when available]',
};
const DTYPE: OptionSpec = {
  name: 'dtype',
  type: 'string',
  placeholder: 'TYPE',
  help: 'float64|float32: precision of the data during the fit; float32 centres the data, runs the E-step on 4 rows per vector and keeps the statistics in f64 [float64]',
};

const PRIOR: OptionSpec = {
  name: 'prior',
  type: 'string',
  placeholder: 'NAME',
  help: "default: MAP EM with mclust's default conjugate prior (priorControl()); the covariances cannot collapse, logLik and BIC stay on the likelihood [none]",
};

/** The options of every command that runs EM (fit, select). */
const EM_OPTIONS: readonly OptionSpec[] = [N_INIT, INIT_CANDIDATES, SEED, MAX_ITER, TOL, REG_COVAR, INIT, BACKEND, DTYPE,
  PRIOR];

const WORKERS: OptionSpec = {
  name: 'workers',
  type: 'string',
  placeholder: 'N',
  help: 'fit on N worker threads, or auto for one per core; the model is the same as without [none: this thread]',
};

/** The `--workers` value: a positive integer or `auto`; undefined when not given. */
function workersValue(args: ParsedArgs, command: string): number | 'auto' | undefined {
  const given = args.options.get('workers');
  if (!given) return undefined;
  if (String(given.value).trim() === 'auto') return 'auto';
  if (!/^\s*\+?\d+\s*$/.test(String(given.value))) {
    throw new UsageError(`${given.flag}: expected a positive integer or auto, got ${JSON.stringify(given.value)}`, command);
  }
  return integerValue(given, command, 1);
}

/** EM options common to `fit` and `select`, validated; only those given. */
function emOptions(args: ParsedArgs, command: string) {
  const o = args.options;
  const out: {
    nInit?: number;
    initCandidates?: number;
    seed?: number;
    maxIter?: number;
    tol?: number;
    regCovar?: number;
    init?: (typeof INIT_METHODS)[keyof typeof INIT_METHODS];
    backend?: (typeof BACKENDS)[number];
    dtype?: (typeof DTYPES)[number];
    prior?: (typeof PRIORS)[number];
  } = {};
  const nInit = o.get('n-init');
  if (nInit) out.nInit = integerValue(nInit, command, 1);
  const candidates = o.get('init-candidates');
  if (candidates) out.initCandidates = integerValue(candidates, command, 1);
  const seed = o.get('seed');
  if (seed) out.seed = integerValue(seed, command, 0);
  const maxIter = o.get('max-iter');
  if (maxIter) out.maxIter = integerValue(maxIter, command, 1);
  const tol = o.get('tol');
  if (tol) out.tol = nonNegativeValue(tol, command);
  const regCovar = o.get('reg-covar');
  if (regCovar) out.regCovar = nonNegativeValue(regCovar, command);
  const init = o.get('init');
  if (init) out.init = INIT_METHODS[choiceValue(init, command, INIT_FLAGS)];
  const backend = o.get('backend');
  if (backend) out.backend = choiceValue(backend, command, BACKENDS);
  const dtype = o.get('dtype');
  if (dtype) out.dtype = choiceValue(dtype, command, DTYPES);
  const prior = o.get('prior');
  if (prior) out.prior = choiceValue(prior, command, PRIORS);
  return out;
}

function stringOption(args: ParsedArgs, name: string): string | undefined {
  const given = args.options.get(name);
  return given === undefined ? undefined : String(given.value);
}

/** The rows×cols matrix of a parsed CSV (without its header). */
function matrixOf(csv: NumericCsv): { data: Float64Array; rows: number; cols: number } {
  return { data: csv.data, rows: csv.rows, cols: csv.cols };
}

/**
 * Runs `fn` (a model call on the rows of `csv`), an `InputError` about a value (`X[i][j]`) renamed to its file, line
 * and column, as the CSV reader names its own errors.
 */
function inFile<T>(csv: NumericCsv, source: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw locatedInFile(e, source, csv.lines, 0, csv.header);
  }
}

/** `inFile` for promises (`fitAsync`). */
async function inFileAsync<T>(csv: NumericCsv, source: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw locatedInFile(e, source, csv.lines, 0, csv.header);
  }
}

/** Throws unless the data has as many columns (`cols`) as the model has features. */
function checkColumns(gm: CliModel, cols: number, dataPath: string, modelPath: string): void {
  if (cols !== gm.nFeatures) {
    throw new DataError(
      `${sourceName(dataPath)} has ${cols} column${cols === 1 ? '' : 's'}, but the model in ` +
        `${sourceName(modelPath)} has ${gm.nFeatures} feature${gm.nFeatures === 1 ? '' : 's'}: give the columns the ` +
        'model was fitted on, in the same order',
    );
  }
}

function oneStdin(paths: readonly string[], command: string): void {
  if (paths.filter((p) => p === '-').length > 1) {
    throw new UsageError('only one input can be read from stdin (-)', command);
  }
}

/**
 * Collects library warnings (non-convergence, a failed restart); `runCli` prints them after a command succeeds. They do
 * not change the exit code, and a failed command prints only its error.
 */
function warn(ctx: CommandContext): (message: string) => void {
  return (message) => {
    ctx.warnings.push(`wasm-em: warning: ${oneLine(flagNames(message))}`);
  };
}

/**
 * A progress display on stderr. On a terminal: one line rewritten in place, at most 10 times a second except for the
 * steps that end something (`done`, the default). Elsewhere nothing, unless `always` (`--progress`): then one line per
 * step that ends something.
 */
function progressLine(ctx: CommandContext, always = false): ((text: string, done?: boolean) => void) | undefined {
  if (!ctx.io.isTTY) {
    if (!always) return undefined;
    return (text, done = true) => {
      if (done) ctx.io.stderr.write(text + '\n');
    };
  }
  let showing = false;
  let last = 0;
  ctx.clearProgress = () => {
    if (showing) ctx.io.stderr.write('\r\x1b[K');
    showing = false;
  };
  return (text, done = true) => {
    const now = Date.now();
    if (!done && now - last < 100) return;
    last = now;
    ctx.io.stderr.write(`\r\x1b[K${text}`);
    showing = true;
  };
}

/** `12.3k`, `4.56M`: a count for a progress line. */
function compact(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return String(Math.round(x));
}

/**
 * The progress line of a streamed fit: the pass, a bar over its rows, the EM run and its objective (`objective`: what
 * `logLikelihood` is, the mean log-likelihood or with a prior the mean log posterior), rows/s.
 */
function streamProgressText(p: StreamProgressInfo, nInit: number, objective: string): string {
  const rate = `${compact(p.rowsPerSecond)} rows/s`;
  if (p.rowsTotal === null) return `pass ${p.pass}: counting rows  ${compact(p.rowsSeen)} rows  ${rate}`;
  const filled = Math.round((20 * p.rowsSeen) / p.rowsTotal);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}]`;
  const what = p.phase === 'init' ? 'reading the rows of a start'
    : `restart ${p.init + 1}/${nInit}  start ${p.candidate + 1}  iteration ${p.iteration}  ` +
      (p.mStep !== undefined ? `${mStepText(p.mStep)}  ` : '') + `${objective} ` +
      (Number.isFinite(p.logLikelihood) ? p.logLikelihood.toFixed(6) : '-');
  return `pass ${p.pass} ${bar} ${what}  ${rate}`;
}

/** Writes to stdout and waits until a stream that reports a full buffer (`write` returned false) has drained. */
async function writeFlowing(io: CliIO, text: string): Promise<void> {
  const ok = io.stdout.write(text);
  const out = io.stdout as { once?: (event: 'drain', listener: () => void) => unknown };
  if (ok === false && typeof out.once === 'function') await new Promise<void>((resolve) => out.once!('drain', resolve));
}

/** The `--memory-budget` of `fit` in bytes [512 MiB]. */
function memoryBudget(args: ParsedArgs, command: string): number {
  const given = args.options.get('memory-budget');
  if (!given) return 512 * 2 ** 20;
  const mib = nonNegativeValue(given, command);
  if (mib === 0) throw new UsageError(`${given.flag}: expected a number of MiB > 0, got ${given.value}`, command);
  return mib * 2 ** 20;
}

// ─── fit ────────────────────────────────────────────────────────────────────────────────────────────────────────────

const fit: Command = {
  name: 'fit',
  positionals: ['DATA.csv'],
  usage: 'fit DATA.csv -k K [options]',
  summary: 'fit a mixture of K components (Gaussian, Bernoulli, categorical, Poisson), write the model JSON',
  description: [
    'Fits a Gaussian mixture to the rows of DATA.csv by expectation-maximization and writes the model as JSON ' +
      '(format wasm-em/gaussian-mixture, covariances in scikit-learn\'s shapes) to stdout, or to the file given ' +
      'with -o. Progress is shown on stderr when it is a terminal (with --progress elsewhere): each iteration, and ' +
      'within long ones the rows of the E-step and each component of a long M-step (full covariances of many ' +
      'features).',
    'With --family bernoulli (0/1 entries), categorical (integer codes 0, 1, ... per column; the number of ' +
      'categories of a column is its largest code + 1) or poisson (counts) it fits that discrete mixture instead ' +
      '(format wasm-em/<family>-mixture); --covariance, --reg-covar, --dtype, --init-candidates and --prior are for the ' +
      'Gaussian family only, --alpha for the discrete ones, whose --init is kmeans++ or random. predict and score ' +
      'read the family from the model file. Missing entries are supported by the Gaussian family only.',
    'With --workers the E-step runs on worker threads, each holding a share of the rows; the model is identical to ' +
      'the one fitted without.',
    'An empty field, NA or NaN is a missing entry: the fit uses the observed entries of each row (EM for incomplete ' +
      'data).',
    'A DATA.csv file larger than --memory-budget is not read into memory: the Gaussian fit streams it, reading the ' +
      'file once per EM iteration (and once more for each start), with the model it would fit in memory.',
  ],
  options: [
    { name: 'k', short: 'k', type: 'string', placeholder: 'K', help: 'number of components (required)' },
    { name: 'family', type: 'string', placeholder: 'NAME', help: `${FAMILIES.join('|')}: the component distribution [gaussian]` },
    { name: 'covariance', type: 'string', placeholder: 'TYPE', help: "one of mclust's models EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV, or scikit-learn's full|tied|diag|spherical (VVV, EEE, VVI, VII) [full]" },
    {
      name: 'alpha',
      type: 'string',
      placeholder: 'A',
      help: 'discrete families: pseudo-count added to every count in the M-step, > 0 (1 is Laplace smoothing) [1e-10]',
    },
    ...EM_OPTIONS,
    WORKERS,
    {
      name: 'memory-budget',
      type: 'string',
      placeholder: 'MB',
      help: 'stream DATA.csv from the file, one pass per EM iteration, when it is larger than MB MiB [512]',
    },
    { name: 'progress', type: 'boolean', help: 'report progress on stderr even when it is not a terminal' },
    { name: 'output', short: 'o', type: 'string', placeholder: 'MODEL.json', help: 'write the model here [stdout]' },
    ...CSV_INPUT_OPTIONS,
  ],
  async run(args, ctx) {
    const [dataPath] = expectPositionals(args, this.positionals, this.name, this.usage) as [string];
    const k = args.options.get('k');
    if (!k) throw new UsageError("missing -k K, the number of components (see 'wasm-em fit --help')", this.name);
    const nComponents = integerValue(k, this.name, 1);
    const familyOption = args.options.get('family');
    const family = familyOption ? choiceValue(familyOption, this.name, FAMILIES) : 'gaussian';
    const cov = args.options.get('covariance');
    const covarianceType = cov ? choiceValue(cov, this.name, COVARIANCE_TYPES) : 'full';
    const em = emOptions(args, this.name);
    const workers = workersValue(args, this.name);
    const output = stringOption(args, 'output');
    const read = csvInputValue(args, this.name);
    // Checks the options before reading a possibly large input.
    const gm = family === 'gaussian' ? gaussianModel(args, this.name, nComponents, covarianceType, em)
      : discreteModel(args, this.name, family, nComponents, em);

    const budget = memoryBudget(args, this.name);
    const streamed = dataPath !== '-' && (await fileSize(dataPath)) > budget;
    if (streamed && (!(gm instanceof GaussianMixture) || workers !== undefined)) {
      throw new DataError(`${dataPath} is larger than --memory-budget (${budget / 2 ** 20} MiB), and streamed fits are ` +
        `${workers === undefined ? 'for the Gaussian family only' : 'on this thread only (no --workers)'}: ` +
        'raise --memory-budget to read it in memory');
    }
    ctx.dataSource = sourceName(dataPath);
    const show = progressLine(ctx, args.options.has('progress'));
    const nInit = em.nInit ?? 1;
    if (streamed) {
      // The file path, whose passes fitStream checks against each other, when its reader reads the file as the CLI
      // would (the same rules, encodings and limits); with --header, --delimiter or --decimal, the CLI's own reader.
      const source = Object.keys(read).length === 0 ? dataPath : async function* () {
        for await (const b of dataBlocks(dataPath, ctx.io, read)) yield { data: b.data, rows: b.rows, cols: b.cols };
      };
      try {
        await (gm as GaussianMixture).fitStream(source, {
          onWarning: warn(ctx),
          onProgress: show && ((p) => show(streamProgressText(p, nInit,
            em.prior === undefined ? 'mean log-likelihood' : 'mean log posterior'), p.rowsSeen === p.rowsTotal)),
        });
      } catch (e) {
        throw e instanceof CsvError ? withCliAdvice(e) : e;
      }
    } else {
      const csv = await readData(dataPath, ctx.io, read);
      const objective = em.prior === undefined ? 'mean log-likelihood' : 'mean log posterior';
      const fitOptions = {
        onIteration: show
          ? (info: IterationInfo) =>
              show(
                `restart ${info.init + 1}/${nInit}  start ${info.candidate + 1}  iteration ${info.iter}  ` +
                  `${objective} ${info.logLikelihood.toFixed(6)}`,
              )
          : undefined,
        onWarning: warn(ctx),
        onProgress: show && fitProgress(show, nInit, undefined, objective),
      };
      const source = sourceName(dataPath);
      if (workers === undefined) inFile(csv, source, () => gm.fit(matrixOf(csv), fitOptions));
      else await inFileAsync<unknown>(csv, source, () => gm.fitAsync(matrixOf(csv), { ...fitOptions, workers }));
    }
    ctx.clearProgress();
    await writeText(output, JSON.stringify(gm.toJSON(), null, 2) + '\n', ctx.io);
    if (ctx.io.isTTY && output !== undefined && output !== '-') {
      ctx.io.stderr.write(
        `wrote ${output}: K=${gm.nComponents} ${gm instanceof GaussianMixture ? gm.covarianceType : family}, ` +
          `${gm.converged ? 'converged' : 'did not converge'} after ${gm.nIter} iterations, ` +
          `mean log-${em.prior === undefined ? 'likelihood' : 'posterior'} ${formatNumber(gm.lowerBound)}\n`,
      );
    }
  },
};

/** The Gaussian mixture of `fit` (no discrete-only option given). */
function gaussianModel(
  args: ParsedArgs, command: string, nComponents: number, covarianceType: CovarianceType, em: ReturnType<typeof emOptions>,
): GaussianMixture {
  const alpha = args.options.get('alpha');
  if (alpha) throw new UsageError(`${alpha.flag} applies to the discrete families (--family bernoulli|categorical|poisson)`, command);
  return new GaussianMixture({ nComponents, covarianceType, ...em });
}

/** The discrete mixture of `fit --family NAME` (no Gaussian-only option given). */
function discreteModel(
  args: ParsedArgs, command: string, family: Exclude<(typeof FAMILIES)[number], 'gaussian'>, nComponents: number,
  em: ReturnType<typeof emOptions>,
): DiscreteMixture {
  for (const name of GAUSSIAN_ONLY) {
    const given = args.options.get(name);
    if (given) throw new UsageError(`${given.flag} applies to --family gaussian only, not ${family}`, command);
  }
  const { nInit, seed, maxIter, tol, init, backend } = em;
  if (init !== undefined && init !== 'kmeans++' && init !== 'random') {
    throw new UsageError(`--init: expected kmeans++ or random for --family ${family}, got ${args.options.get('init')!.value}`, command);
  }
  const given = args.options.get('alpha');
  const alpha = given ? nonNegativeValue(given, command) : undefined;
  if (alpha === 0) throw new UsageError(`${given!.flag}: expected a number > 0, got ${given!.value}`, command);
  return new DISCRETE_CLASSES[family]({ nComponents, nInit, seed, maxIter, tol, init, backend, alpha });
}

/** The model and the data of `COMMAND MODEL.json DATA.csv` (predict, impute, score), the data checked against it. */
async function modelAndData(
  command: Command, args: ParsedArgs, ctx: CommandContext,
): Promise<{ gm: CliModel; csv: NumericCsv }> {
  const [modelPath, dataPath] = expectPositionals(args, command.positionals, command.name, command.usage) as
    [string, string];
  oneStdin([modelPath, dataPath], command.name);
  const read = csvInputValue(args, command.name);
  const gm = await readModel(modelPath, ctx.io);
  ctx.dataSource = sourceName(dataPath);
  const csv = await readData(dataPath, ctx.io, read);
  checkColumns(gm, csv.cols, dataPath, modelPath);
  return { gm, csv };
}

// ─── predict ────────────────────────────────────────────────────────────────────────────────────────────────────────

const predict: Command = {
  name: 'predict',
  positionals: ['MODEL.json', 'DATA.csv'],
  usage: 'predict MODEL.json DATA.csv [--proba]',
  summary: 'label each row (or give its probabilities), as CSV',
  description: [
    'Reads a model written by "wasm-em fit" and prints CSV on stdout, one line per row of DATA.csv, in order. ' +
      'Without --proba: a header line "label", then the 0-based index of the most probable component of each row. ' +
      'With --proba: a header line "p0,p1,...,p(K-1)", then the K posterior probabilities of each row (they sum to 1).',
    'DATA.csv must have the columns the model was fitted on, in the same order. It is read block by block (4096 ' +
      'rows) and each block\'s lines are written as soon as they are computed, so memory stays small whatever the ' +
      'size of the input, and "cat big.csv | wasm-em predict m.json - | head" stops early.',
  ],
  options: [
    { name: 'proba', type: 'boolean', help: 'print the probability of every component instead of a label' },
    ...CSV_INPUT_OPTIONS,
  ],
  async run(args, ctx) {
    const [modelPath, dataPath] = expectPositionals(args, this.positionals, this.name, this.usage) as [string, string];
    oneStdin([modelPath, dataPath], this.name);
    const read = csvInputValue(args, this.name);
    const gm = await readModel(modelPath, ctx.io);
    const source = sourceName(dataPath);
    ctx.dataSource = source;
    const proba = args.options.has('proba');
    // A file that cannot be read is named as the other commands name it; stdin is read as it arrives.
    if (dataPath !== '-') await fileSize(dataPath);
    for await (const block of dataBlocks(dataPath, ctx.io, read)) {
      const first = block.first === 0;
      if (first) checkColumns(gm, block.cols, dataPath, modelPath);
      const X = { data: block.data, rows: block.rows, cols: block.cols };
      let text: string;
      try {
        if (proba) {
          const p = gm.predictProba(X);
          text = formatCsv(p, { header: first ? Array.from({ length: p.cols }, (_, c) => `p${c}`) : null });
        } else {
          const labels = gm.predict(X);
          text = formatCsv({ data: labels, rows: labels.length, cols: 1 }, { header: first ? ['label'] : null });
        }
      } catch (e) {
        throw locatedInFile(e, source, block.lines, block.first, block.header);
      }
      await writeFlowing(ctx.io, text);
    }
  },
};

// ─── impute ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const impute: Command = {
  name: 'impute',
  positionals: ['MODEL.json', 'DATA.csv'],
  usage: 'impute MODEL.json DATA.csv',
  summary: 'fill in the missing entries of a CSV under the model',
  description: [
    'Reads a model written by "wasm-em fit" and prints DATA.csv on stdout with every missing entry (an empty field, ' +
      'NA or NaN) replaced by its conditional expectation given the row\'s observed entries under the mixture: ' +
      'sum over components of p(component | observed) times the component\'s conditional mean. A row with no ' +
      'observed entry gets the mixture mean. Observed entries are written unchanged; the header row is kept, and ' +
      'the file is written with the delimiter and decimal mark it was read with.',
    'DATA.csv must have the columns the model was fitted on, in the same order.',
  ],
  options: [...CSV_INPUT_OPTIONS],
  async run(args, ctx) {
    const { gm, csv } = await modelAndData(this, args, ctx);
    if (!(gm instanceof GaussianMixture)) {
      throw new DataError(`${sourceName(args.positionals[0]!)} holds a ${String(gm.toJSON().format)} model; impute needs a ` +
        'Gaussian mixture (wasm-em/gaussian-mixture)');
    }
    const completed = inFile(csv, sourceName(args.positionals[1]!), () => gm.impute(matrixOf(csv)));
    // In the input's dialect (delimiter, decimal mark), so that the completed file reads as the original did.
    ctx.io.stdout.write(formatCsv(completed, { header: csv.header, delimiter: csv.delimiter, decimal: csv.decimal }));
  },
};

// ─── score ──────────────────────────────────────────────────────────────────────────────────────────────────────────

const score: Command = {
  name: 'score',
  positionals: ['MODEL.json', 'DATA.csv'],
  usage: 'score MODEL.json DATA.csv',
  summary: 'mean log-likelihood per row under the model',
  description: [
    'Reads a model written by "wasm-em fit" and prints one number on stdout: the mean over the rows of DATA.csv ' +
      'of log p(x) (natural log), the same as scikit-learn\'s GaussianMixture.score.',
  ],
  options: [...CSV_INPUT_OPTIONS],
  async run(args, ctx) {
    const { gm, csv } = await modelAndData(this, args, ctx);
    const score = inFile(csv, sourceName(args.positionals[1]!), () => gm.score(matrixOf(csv)));
    ctx.io.stdout.write(formatNumber(score) + '\n');
  },
};

// ─── select ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** A number for the table, fixed decimals; failed fits show a dash. */
function cell(x: number, decimals: number): string {
  return Number.isFinite(x) ? x.toFixed(decimals) : '-';
}

/** The `select` table: one line per fit, the best marked with `*`. */
export function formatSelectTable(table: readonly SelectModelRow[], bestIndex: number): string {
  return formatTable(
    [
      { title: '', align: 'left' },
      { title: 'K', align: 'right' },
      { title: 'covariance', align: 'left' },
      { title: 'logLik', align: 'right' },
      { title: 'nParameters', align: 'right' },
      { title: 'BIC', align: 'right' },
      { title: 'AIC', align: 'right' },
      { title: 'ICL', align: 'right' },
      { title: 'converged', align: 'left' },
    ],
    table.map((row, i) => [
      i === bestIndex ? '*' : '',
      String(row.nComponents),
      row.covarianceType,
      cell(row.logLikelihood, 4),
      String(row.nParameters),
      cell(row.bic, 2),
      cell(row.aic, 2),
      cell(row.icl, 2),
      row.error !== undefined ? 'failed' : row.degenerate.length > 0 ? 'degenerate' : row.converged ? 'yes' : 'no',
    ]),
  );
}

const select: Command = {
  name: 'select',
  positionals: ['DATA.csv'],
  usage: 'select DATA.csv --k MIN..MAX [options]',
  summary: 'compare K and covariance types by BIC or AIC',
  description: [
    'Fits a Gaussian mixture for every number of components in MIN..MAX and every covariance type given, and ' +
      'prints a table on stdout: K, covariance, logLik (total log-likelihood), nParameters (free parameters), BIC, ' +
      'AIC, ICL and converged. The best fit (lowest criterion; scikit-learn\'s sign, lower is better) is marked with * ' +
      'and its model JSON is written to the file given with -o. A fit whose every restart collapsed shows "failed" ' +
      'and its reason below the table. A degenerate fit (a component on fewer rows than its covariance needs, or ' +
      'a variance at the --reg-covar floor; mclust\'s "singular") shows "degenerate" and is not chosen while a ' +
      'sound fit exists.',
  ],
  options: [
    {
      name: 'k',
      short: 'k',
      type: 'string',
      placeholder: 'MIN..MAX',
      help: 'numbers of components to try, e.g. 1..8, or one number (required)',
    },
    {
      name: 'covariance',
      type: 'string',
      placeholder: 'TYPES',
      help: "comma-separated covariance types to try (mclust's names or scikit-learn's aliases) [mclust's fourteen: EII,VII,EEI,VEI,EVI,VVI,EEE,VEE,EVE,VVE,EEV,VEV,EVV,VVV]",
    },
    {
      name: 'criterion',
      type: 'string',
      placeholder: 'NAME',
      help: 'bic|aic|icl, the criterion that picks the best (icl: BIC plus the entropy of the classification) [bic]',
    },
    ...EM_OPTIONS,
    { name: 'output', short: 'o', type: 'string', placeholder: 'BEST.json', help: "write the best model's JSON here" },
    ...CSV_INPUT_OPTIONS,
  ],
  async run(args, ctx) {
    const [dataPath] = expectPositionals(args, this.positionals, this.name, this.usage) as [string];
    const k = args.options.get('k');
    if (!k) {
      throw new UsageError(
        "missing --k MIN..MAX, the numbers of components to try (see 'wasm-em select --help')",
        this.name,
      );
    }
    const nComponents = rangeValue(k, this.name);
    const cov = args.options.get('covariance');
    const covarianceTypes = cov ? choiceListValue(cov, this.name, COVARIANCE_TYPES) : [...MCLUST_MODELS];
    const crit = args.options.get('criterion');
    const criterion = crit ? choiceValue(crit, this.name, CRITERIA) : 'bic';
    const em = emOptions(args, this.name);
    const output = stringOption(args, 'output');
    if (output === '-') {
      throw new UsageError('-o: select prints its table on stdout; give a file name for the best model', this.name);
    }

    const read = csvInputValue(args, this.name);
    ctx.dataSource = sourceName(dataPath);
    const csv = await readData(dataPath, ctx.io, read);
    const show = progressLine(ctx);
    const total = (nComponents[1] - nComponents[0] + 1) * covarianceTypes.length;
    let done = 0;
    const result = inFile(csv, ctx.dataSource, () => selectModel(matrixOf(csv), {
      nComponents,
      covarianceTypes,
      criterion,
      ...em,
      onWarning: warn(ctx),
      onFit: show
        ? (row) => show(`fitted ${++done}/${total}: K=${row.nComponents} ${row.covarianceType}`)
        : undefined,
    }));
    ctx.clearProgress();
    const best = result.table[result.bestIndex]!;
    let text = formatSelectTable(result.table, result.bestIndex);
    text += `\nbest by ${criterion.toUpperCase()}: K=${best.nComponents}, covariance=${best.covarianceType}\n`;
    for (const row of result.table) {
      if (row.degenerate.length > 0) {
        text += `K=${row.nComponents} ${row.covarianceType} degenerate: component${row.degenerate.length > 1 ? 's' : ''} ` +
          `${row.degenerate.join(', ')} collapsed onto a few rows\n`;
      }
      if (row.error === undefined) continue;
      text += `K=${row.nComponents} ${row.covarianceType} failed: ${oneLine(flagNames(row.error))}\n`;
    }
    ctx.io.stdout.write(text);
    if (output !== undefined) await writeText(output, JSON.stringify(result.best.toJSON(), null, 2) + '\n', ctx.io);
  },
};

export const COMMANDS: readonly Command[] = [fit, predict, score, select, impute];
