/** Help texts, built from the command definitions so that they list exactly the options that are accepted. */
import { optionLabel } from './args.js';
import type { Command } from './commands.js';

const PROGRAM_NOTES = [
  'DATA.csv holds numbers separated by commas (or by ";" or tabs when the first line has no comma; --delimiter,',
  '--decimal \',\' for 1,5), one row per observation, with an optional header line. The header is detected: a first',
  'line whose every field is a name (not a number, not empty, NA or NaN); a first line mixing names and numbers is',
  'an error. Names that look like numbers (2019,2020) cannot be told from data: give --header (or --no-header).',
  'UTF-8, or UTF-16 with its byte-order mark; a line may hold up to 64 MiB. "-" reads it from stdin. An empty field,',
  'NA or NaN is a missing entry (Gaussian family only: fit, predict, score, impute).',
  '',
  'Exit status: 0 success, 1 bad data, model or file, 2 bad command line, 70 internal error.',
];

export function programHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.usage.length));
  return [
    `wasm-em ${version}: Gaussian, Bernoulli, categorical and Poisson mixtures fitted by EM on WebAssembly SIMD kernels`,
    '',
    'Usage:',
    ...commands.map((c) => `  wasm-em ${c.usage.padEnd(width)}  ${c.summary}`),
    `  wasm-em ${'help [COMMAND]'.padEnd(width)}  this help, or a command's (also: COMMAND --help)`,
    `  wasm-em ${'--version'.padEnd(width)}  print the version`,
    '',
    ...PROGRAM_NOTES,
    '',
    "Run 'wasm-em COMMAND --help' for a command's options.",
    '',
  ].join('\n');
}

/** Wraps a paragraph at `width` columns. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function commandHelp(command: Command): string {
  const options = [...command.options, { name: 'help', short: 'h', type: 'boolean' as const, help: 'show this help' }];
  const labels = options.map(optionLabel);
  const width = Math.max(...labels.map((l) => l.length));
  return [
    `Usage: wasm-em ${command.usage}`,
    '',
    ...command.description.flatMap((p, i) => (i === 0 ? wrap(p) : ['', ...wrap(p)])),
    '',
    'Options:',
    ...options.map((o, i) => `  ${labels[i]!.padEnd(width)}  ${o.help}`),
    '',
    ...(command.positionals.includes('DATA.csv') ? ['DATA.csv may be "-" to read stdin.', ''] : []),
  ].join('\n');
}
