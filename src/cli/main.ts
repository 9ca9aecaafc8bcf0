/** Entry point of the `wasm-em` executable (the bundler adds the `#!/usr/bin/env node` line). */
import { runCli } from './run.js';

// `wasm-em predict … | head` closes stdout early: stop quietly, as other Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: process.stderr.isTTY === true,
}).then((code) => {
  // Not process.exit(): pending writes to a pipe must drain first.
  process.exitCode = code;
});
