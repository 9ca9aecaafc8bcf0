/** Entry point of the `wasm-em` executable (the bundler adds the `#!/usr/bin/env node` line). */
import { EXIT_DATA, systemReason } from './errors.js';
import { runCli } from './run.js';
import { removeTemporaries } from './write-file.js';

// `wasm-em predict … | head` closes stdout early: stop quietly, as other Unix tools do. Any other failure to write
// stdout (`> /dev/full`: ENOSPC, EIO) is one line and exit code 1, whatever the command had done.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`wasm-em: cannot write stdout: ${systemReason(error)}\n`);
  process.exit(EXIT_DATA);
});

// Ctrl-C or a SIGTERM while a file is written: remove the temporary file (the target is untouched), then end as the
// signal would have.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    removeTemporaries();
    process.kill(process.pid, signal);
  });
}

runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: process.stderr.isTTY === true,
}).then((code) => {
  // Not process.exit(): pending writes to a pipe must drain first.
  process.exitCode = code;
});
