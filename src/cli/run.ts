/**
 * The `wasm-em` command line, as a function: `runCli(argv, io)` runs one command against the given streams and
 * resolves to the exit code. `main.ts` wires it to the process; tests call it in-process.
 */
import { version } from '../../package.json';
import { readArgs } from './args.js';
import { COMMANDS, type CommandContext } from './commands.js';
import { EXIT_OK, EXIT_USAGE, UsageError, report } from './errors.js';
import { commandHelp, programHelp } from './help.js';

/** The streams a run uses. */
export interface CliIO {
  /** Read (to the end) only when a path is `-`. */
  stdin: AsyncIterable<string | Uint8Array>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Whether stderr is a terminal: progress is shown only then. */
  isTTY: boolean;
}

const COMMAND_NAMES = COMMANDS.map((c) => c.name).join(', ');

function findCommand(name: string) {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    throw new UsageError(`unknown command '${name}'; the commands are ${COMMAND_NAMES} (see 'wasm-em --help')`, null);
  }
  return command;
}

async function dispatch(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(programHelp(COMMANDS, version));
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(programHelp(COMMANDS, version));
    return EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`wasm-em ${version}\n`);
    return EXIT_OK;
  }
  if (first === 'help') {
    if (rest.length > 1) throw new UsageError(`help takes at most one command, got ${rest.length}`, null);
    io.stdout.write(rest[0] === undefined ? programHelp(COMMANDS, version) : commandHelp(findCommand(rest[0])));
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    throw new UsageError(`unknown option ${first}; a command comes first (see 'wasm-em --help')`, null);
  }
  const command = findCommand(first);
  const args = readArgs(rest, command.options, command.name);
  if (args.help) {
    io.stdout.write(commandHelp(command));
    return EXIT_OK;
  }
  await command.run(args, ctx);
  return EXIT_OK;
}

/**
 * Runs `wasm-em` with `argv` (the arguments after the program name) and resolves to the exit code: 0 on success, 1 for
 * bad data, models or files, 2 for a bad command line, 70 for an internal error. User mistakes are reported as one
 * line `wasm-em: <message>` on `io.stderr`; only internal errors print a stack. Never rejects.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const ctx: CommandContext = { io, dataSource: null, clearProgress: () => {}, warnings: [] };
  try {
    const code = await dispatch(argv, ctx);
    for (const line of ctx.warnings) io.stderr.write(line + '\n');
    return code;
  } catch (error) {
    ctx.clearProgress();
    const { text, code } = report(error, ctx.dataSource);
    io.stderr.write(text);
    return code;
  }
}
