/**
 * The worker of a `fitAsync` pool (bundled alone as `dist/worker.js`). It binds its rows — whole blocks of
 * `BLOCK_ROWS`, starting at global block `firstBlock` — into its own backend instance once, then for each set of
 * kernel parameters returns the statistics of every block separately, in block order (protocol in `protocol.ts`).
 */
import { resolveBackend } from '../backend/index.js';
import { preferRelaxedSimd } from '../backend/wasm/load.js';
import type { BoundData } from '../backend/kernel.js';
import { statsLength } from '../backend/kernel.js';
import { BLOCK_ROWS } from '../em/driver.js';
import { MissingBound } from '../missing/bound.js';
import { hasMissing } from '../missing/patterns.js';
import { isNode } from './platform.js';
import type { BindMessage, FromWorker, ToWorker, WorkerFault } from './protocol.js';

interface Port {
  post(message: FromWorker, transfer?: Transferable[]): void;
  listen(handler: (message: ToWorker) => void): void;
  exit(code: number): void;
}

async function connect(): Promise<Port> {
  if (isNode()) {
    const { parentPort } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:worker_threads');
    if (parentPort === null) throw new Error('worker.js runs as a worker of a fitAsync pool, not on its own');
    return {
      post: (message, transfer = []) => parentPort.postMessage(message, transfer as never),
      listen: (handler) => parentPort.on('message', handler),
      exit: (code) => process.exit(code),
    };
  }
  const scope = globalThis as unknown as {
    postMessage(message: unknown, transfer: Transferable[]): void;
    onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
    close(): void;
  };
  return {
    post: (message, transfer = []) => scope.postMessage(message, transfer),
    listen: (handler) => {
      scope.onmessage = (e) => handler(e.data);
    },
    exit: () => scope.close(),
  };
}

const port = await connect();
let bound: BoundData | null = null;
let firstBlock = 0;
let fault: WorkerFault = null;

function bind(message: BindMessage): void {
  bound?.dispose();
  // The same kernel build as the owner's thread, so that the pool's statistics equal fit's to the bit.
  preferRelaxedSimd(message.relaxedSimd);
  const backend = resolveBackend(message.backend);
  const { X, n, d, weights } = message;
  // Rows with missing entries: grouped by pattern within each block, as fit groups them, so the block statistics agree.
  bound = hasMissing(X, n * d) ? new MissingBound(backend, X, n, d, weights) : backend.bind(X, n, d, weights);
  firstBlock = message.firstBlock;
  fault = message.fault;
}

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'bind':
      bind(message);
      port.post({ type: 'bound' });
      return;
    case 'accumulate': {
      if (fault === 'exit') port.exit(3);
      if (fault === 'throw') throw new Error('failure requested by the test hook');
      if (bound === null) throw new Error('accumulate before bind');
      const { params } = message;
      bound.setParams(params);
      const length = statsLength(params.shape, params.d, params.k);
      for (let start = 0, b = firstBlock; start < bound.n; start += BLOCK_ROWS, b++) {
        const rows = Math.min(BLOCK_ROWS, bound.n - start);
        const stats = new Float64Array(length);
        bound.accumulate(start, rows, stats);
        port.post({ type: 'block', block: b, rows, stats }, [stats.buffer]);
      }
      return;
    }
    default: {
      const never: never = message;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

port.listen((message) => {
  try {
    handle(message);
  } catch (e) {
    port.post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});
port.post({ type: 'ready' });
