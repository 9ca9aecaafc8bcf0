/**
 * Threads on the platform at hand: Node's `worker_threads` or the browser's module Web Workers, chosen at run time.
 * Node modules are imported dynamically inside the Node branches only, so browsers never load them (and the comments
 * keep browser bundlers from trying to resolve them).
 */
import type { FromWorker, ToWorker } from './protocol.js';

/** A started worker, whatever the platform. */
export interface WorkerHandle {
  post(message: ToWorker, transfer?: Transferable[]): void;
  /** Stops the worker; resolves once it is gone. */
  terminate(): Promise<void>;
}

/** What a worker reports to its owner. `onFailure` gets a description ("threw: …", "exited with code 1"). */
export interface WorkerEvents {
  onMessage(message: FromWorker): void;
  onFailure(detail: string): void;
}

/** Whether this is Node (or a runtime with its `worker_threads`). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

let scriptOverride: URL | null = null;
let live = 0;

/** Number of workers started by `fitAsync` pools and not yet gone (0 when no fit is running). */
export function liveWorkers(): number {
  return live;
}

/**
 * Where workers load from, instead of `worker.js` beside this bundle (`dist/worker.js`); null restores that.
 * For tests running from the sources, and for applications serving the worker bundle elsewhere.
 */
export function setWorkerScript(url: URL | null): void {
  scriptOverride = url;
}

/**
 * The worker bundle: `worker.js` next to the running bundle (ESM: `import.meta.url`; CJS: `__dirname`). The ESM test
 * comes first: a `node -e` script defines a global `__dirname` of '.', which the ESM bundle it imports must not take.
 */
async function nodeWorkerScript(): Promise<URL> {
  if (scriptOverride !== null) return scriptOverride;
  if (typeof import.meta.url === 'string') return new URL('./worker.js', import.meta.url);
  if (typeof __dirname === 'string') {
    const [{ pathToFileURL }, { join }] = await Promise.all([
      import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:url'),
      import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:path'),
    ]);
    return pathToFileURL(join(__dirname, 'worker.js'));
  }
  return new URL('./worker.js', import.meta.url);
}

/**
 * Returns a function that starts workers; loads the platform's modules first. Each worker is counted in
 * `liveWorkers` from its start until it is gone.
 */
export async function workerStarter(): Promise<(events: WorkerEvents) => WorkerHandle> {
  if (!isNode()) {
    const url = scriptOverride ?? new URL('./worker.js', import.meta.url);
    return (events) => browserWorker(url, events);
  }
  const [{ Worker }, url] = await Promise.all([
    import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:worker_threads'),
    nodeWorkerScript(),
  ]);
  const execArgv = workerExecArgv(process.execArgv);
  return (events) => {
    const worker = new Worker(url, execArgv === undefined ? {} : { execArgv });
    live++;
    let gone = false;
    let stopping = false;
    worker.on('message', (m: FromWorker) => events.onMessage(m));
    worker.on('error', (e: Error) => events.onFailure(`threw: ${e.message}`));
    worker.on('messageerror', (e: Error) => events.onFailure(`sent a message that could not be read: ${e.message}`));
    worker.on('exit', (code: number) => {
      if (!gone) live--;
      gone = true;
      if (!stopping) events.onFailure(`exited with code ${code}`);
    });
    return {
      post: (message, transfer = []) => worker.postMessage(message, transfer as never),
      terminate: async () => {
        stopping = true;
        if (!gone) await worker.terminate();
      },
    };
  };
}

/**
 * The `execArgv` of a pool's Node workers: inherited from the owner (undefined) unless the owner's flags describe its
 * own entry script (`--input-type`, `-e`/`--eval`, `-p`/`--print`, `-c`/`--check`, `-i`/`--interactive`), which
 * would make a worker fail to start — `node --input-type=module -e …` is a legitimate way to run a fit. Then no flag
 * is passed: the worker's script needs none, and V8 flags (`--experimental-wasm-relaxed-simd`, heap sizes) hold for
 * the whole process anyway (Node refuses them in a worker's `execArgv`).
 */
export function workerExecArgv(argv: readonly string[]): string[] | undefined {
  const entryFlag = /^(--input-type(=.*)?|-e|--eval(=.*)?|-p|--print(=.*)?|-c|--check|-i|--interactive)$/;
  return argv.some((a) => entryFlag.test(a)) ? [] : undefined;
}

function browserWorker(url: URL, events: WorkerEvents): WorkerHandle {
  const worker = new Worker(url, { type: 'module' });
  live++;
  let gone = false;
  worker.onmessage = (e: MessageEvent<FromWorker>) => events.onMessage(e.data);
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    events.onFailure(`threw: ${e.message || 'the worker script failed to load or run'}`);
  };
  worker.onmessageerror = () => events.onFailure('sent a message that could not be read');
  return {
    post: (message, transfer = []) => worker.postMessage(message, transfer),
    terminate: async () => {
      if (gone) return;
      gone = true;
      worker.terminate();
      live--;
    },
  };
}

/** Number of logical cores available to this process or page (at least 1). */
export async function availableCores(): Promise<number> {
  if (isNode()) {
    const os = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:os');
    return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  }
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}
