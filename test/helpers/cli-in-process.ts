/** The CLI run in this process (`runCli`) with empty stdin, its output captured, and no terminal. */
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run.js';

/** What a CLI run printed and its exit status. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `wasm-em …argv` in this process and returns its exit status, stdout and stderr. */
export async function cliInProcess(argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdin: Readable.from([]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    isTTY: false,
  });
  return { code, out, err };
}
