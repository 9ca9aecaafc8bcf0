/**
 * A static server for the browser demo (`npm run demo:web`): node:http, no dependency.
 *
 * - binds to 127.0.0.1 only and prints `http://127.0.0.1:PORT/examples/web/`;
 * - port from `--port N` (0: any free port, the one chosen is printed), else the `PORT` variable, else 8080;
 * - sends `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` on every
 *   response, so the page is cross-origin isolated (the demo also works without isolation);
 * - serves only files under `examples/web/`, `dist/` and `examples/data/` of the repository, GET and HEAD only;
 *   `..` segments (plain or percent-encoded), backslashes, NUL bytes, empty segments and symbolic links that lead
 *   outside those directories are refused with 403, anything else missing with 404.
 *
 * Tests start it in-process: `const { url, close } = await startServer({ port: 0 })`.
 */
import { createServer } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository's root directory (this file is `examples/web/serve.mjs`). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** URL prefixes served, each mapped to its directory (relative to the repository). */
const SERVED = ['examples/web', 'dist', 'examples/data'];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** Headers sent on every response. */
const COMMON_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/**
 * The URL path's segments, decoded, or a status code when the path is refused: 400 for a malformed one, 403 for
 * traversal (`..`, `.`, encoded separators, backslashes, NUL, empty segments) or a path that is not absolute.
 * @param {string} rawUrl the request target as received
 * @returns {string[] | number}
 */
export function pathSegments(rawUrl) {
  const path = rawUrl.split(/[?#]/, 1)[0];
  if (!path.startsWith('/')) return 403;
  const parts = path.slice(1).split('/');
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    let part;
    try {
      part = decodeURIComponent(parts[i]);
    } catch {
      return 400;
    }
    // A trailing slash leaves one empty last segment (a directory); any other empty segment ("//") is refused.
    if (part === '' && i === parts.length - 1) break;
    if (part === '' || part === '.' || part === '..' || /[/\\\0:]/.test(part)) return 403;
    out.push(part);
  }
  return out;
}

function send(res, status, headers, body, head) {
  res.writeHead(status, { ...COMMON_HEADERS, ...headers });
  res.end(head ? undefined : body);
}

function sendError(res, status, head) {
  const text = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' }[status] ?? 'Error';
  const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text + '\n') };
  if (status === 405) headers.Allow = 'GET, HEAD';
  send(res, status, headers, text + '\n', head);
}

/** Whether `path` is `dir` or inside it. */
function inside(path, dir) {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

async function handle(req, res, roots) {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) return sendError(res, 405, false);
  const rawUrl = req.url ?? '';
  const segments = pathSegments(rawUrl);
  if (typeof segments === 'number') return sendError(res, segments, head);
  const urlPath = segments.join('/');
  // The page's address without its trailing slash, and the site root, lead to the page.
  if (urlPath === '' || (urlPath === 'examples/web' && !rawUrl.split(/[?#]/, 1)[0].endsWith('/'))) {
    return send(res, 302, { Location: '/examples/web/', 'Content-Length': 0 }, '', head);
  }
  const prefix = SERVED.find((p) => urlPath === p || urlPath.startsWith(p + '/'));
  if (prefix === undefined) return sendError(res, 404, head);
  const root = roots.get(prefix);
  let file = join(ROOT, ...segments);
  let real;
  try {
    real = await realpath(file);
  } catch {
    return sendError(res, 404, head);
  }
  // Symbolic links may point anywhere: the resolved file must still be inside the resolved directory served.
  if (!inside(real, root)) return sendError(res, 403, head);
  let info = await stat(real);
  if (info.isDirectory()) {
    file = join(real, 'index.html');
    try {
      real = await realpath(file);
      info = await stat(real);
    } catch {
      return sendError(res, 404, head);
    }
    if (!inside(real, root) || !info.isFile()) return sendError(res, 404, head);
  }
  if (!info.isFile()) return sendError(res, 404, head);
  const type = MIME[extname(real).toLowerCase()];
  if (type === undefined) return sendError(res, 404, head);
  const body = head ? null : await readFile(real);
  return send(res, 200, { 'Content-Type': type, 'Content-Length': info.size }, body, head);
}

/**
 * Starts the server on 127.0.0.1.
 * @param {{ port?: number }} [options] port 0 (the default here) picks a free port
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>} `url` is the demo page's address
 */
export async function startServer({ port = 0 } = {}) {
  const roots = new Map();
  for (const prefix of SERVED) roots.set(prefix, await realpath(join(ROOT, prefix)).catch(() => join(ROOT, prefix)));
  const server = createServer((req, res) => {
    handle(req, res, roots).catch(() => {
      if (!res.headersSent) sendError(res, 404, req.method === 'HEAD');
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}/examples/web/`,
    port: actual,
    close: () => new Promise((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections?.();
    }),
  };
}

/** The port of the command line: `--port N` or `--port=N`, else `PORT`, else 8080. */
function portFromArgs(argv, env) {
  let value;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') value = argv[++i];
    else if (argv[i].startsWith('--port=')) value = argv[i].slice('--port='.length);
  }
  value ??= env.PORT ?? '8080';
  const port = Number(value);
  if (!/^\d+$/.test(String(value).trim()) || !Number.isInteger(port) || port > 65535) {
    throw new Error(`--port / PORT must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { url } = await startServer({ port: portFromArgs(process.argv.slice(2), process.env) });
    console.log(`wasm-em demo: ${url}`);
    console.log('(serving examples/web/, dist/ and examples/data/ on 127.0.0.1 only; Ctrl+C stops)');
  } catch (e) {
    console.error(`serve.mjs: ${e.message}`);
    process.exit(1);
  }
}
