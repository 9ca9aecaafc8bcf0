/**
 * The demo page's server (`examples/web/serve.mjs`): loopback only, cross-origin isolation headers on what it serves
 * (module Web Workers sharing memory need them), and nothing outside `examples/web/`, `dist/` and `examples/data/`,
 * however the path is spelled. Raw `http` requests, so that the paths reach the server as written (`fetch` would
 * resolve the dot segments first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

interface DemoServer {
  url: string;
  close(): unknown;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let server: DemoServer;
let port: number;

beforeAll(async () => {
  const { startServer } = await import(new URL('../examples/web/serve.mjs', import.meta.url).href) as {
    startServer(options: { port: number }): Promise<DemoServer> | DemoServer;
  };
  server = await startServer({ port: 0 });
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server?.close();
});

/** GET (or another method) of a path sent exactly as written. */
function get(path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Whether a TCP connection to host:port opens (false when refused or unreachable). */
function connects(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(2000, () => { socket.destroy(); resolve(false); });
    socket.on('connect', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

const PACKAGE_JSON = readFileSync(`${root}/package.json`, 'utf8');

describe('examples/web/serve.mjs', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(await connects('127.0.0.1')).toBe(true);
    expect(await connects('::1')).toBe(false);
    const others = Object.values(networkInterfaces()).flat()
      .filter((a) => a !== undefined && !a.internal && a.family === 'IPv4').map((a) => a!.address);
    for (const address of others) expect(await connects(address), address).toBe(false);
  });

  it('serves the page, the package and the data with COOP/COEP and the right types', async () => {
    const cases: [string, RegExp, string | null][] = [
      ['/examples/web/index.html', /^text\/html/, null],
      ['/dist/index.js', /^(text|application)\/javascript/, 'dist/index.js'],
      ['/dist/worker.js', /^(text|application)\/javascript/, 'dist/worker.js'],
      ['/examples/data/faithful.csv', /^text\/(csv|plain)/, 'examples/data/faithful.csv'],
    ];
    for (const [path, type, file] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toMatch(type);
      expect(r.headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(r.headers['cross-origin-embedder-policy'], path).toBe('require-corp');
      if (file !== null) expect(r.body, path).toBe(readFileSync(`${root}/${file}`, 'utf8'));
    }
  });

  it('refuses path traversal, however spelled', async () => {
    const paths = [
      '/../package.json', '/%2e%2e/package.json', '/%2E%2E/package.json', '/examples/web/../../package.json',
      '/dist/../src/index.ts', '/dist/%2e%2e/src/index.ts', '/dist/..%2fpackage.json', '/dist/%2e%2e%2fpackage.json',
      '/examples/data/../../package.json', '/examples/web/..%5c..%5cpackage.json', '/dist/index.js%00.html',
      '//etc/passwd', '/dist//../package.json',
    ];
    for (const path of paths) {
      const r = await get(path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.body, path).not.toContain('"name": "wasm-em"');
      expect(r.body, path).not.toContain('export {');
      expect(r.body, path).not.toContain('root:');
    }
  });

  it('serves no file outside examples/web/, dist/ and examples/data/', async () => {
    const paths = [
      '/package.json', '/README.md', '/src/index.ts', '/test/demo-server.test.ts', '/examples/faithful-demo.mjs',
      '/examples/README.md', '/node_modules/vitest/package.json', '/.git/HEAD', '/.ci/run', '/build/wasm-em.wasm',
      '/assembly/index.ts', '/tsconfig.json',
    ];
    for (const path of paths) {
      const r = await get(path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.body, path).not.toBe(PACKAGE_JSON);
    }
  });

  it('answers a missing file inside its folders with 404', async () => {
    expect((await get('/dist/no-such-file.js')).status).toBe(404);
    expect((await get('/examples/data/no-such.csv')).status).toBe(404);
  });
});
