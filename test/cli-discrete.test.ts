/**
 * The CLI's discrete families: `fit --family bernoulli|categorical|poisson` writes the family's model JSON, `predict`
 * and `score` load the right class from it, and the family's option rules and data checks are one-line errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BernoulliMixture, CategoricalMixture, PoissonMixture } from '../src/index.js';
import { cliInProcess, type CliRun as Run } from './helpers/cli-in-process.js';

const cli = cliInProcess;

function expectUserError(run: Run, code: 1 | 2, pattern: RegExp): void {
  expect(run.code, run.err).toBe(code);
  expect(run.out).toBe('');
  expect(run.err).toMatch(/^wasm-em: [^\n]+\n$/);
  expect(run.err).toMatch(pattern);
}

let dir: string;
const tmp = (name: string): string => join(dir, name);
const rows = Array.from({ length: 60 }, (_, i) => [i % 2, i % 2, (i >> 1) % 2, i % 3 === 0 ? 1 : 0]);
const csv = (data: number[][]): string => 'a,b,c,d\n' + data.map((r) => r.join(',')).join('\n') + '\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-em-cli-discrete-'));
  writeFileSync(tmp('binary.csv'), csv(rows));
  writeFileSync(tmp('codes.csv'), csv(rows.map((r, i) => r.map((v) => v + (i % 3)))));
  writeFileSync(tmp('counts.csv'), csv(rows.map((r, i) => r.map((v) => 4 * v + (i % 5)))));
  writeFileSync(tmp('half.csv'), 'a,b,c,d\n0,1,0.5,1\n');
  writeFileSync(tmp('missing.csv'), 'a,b,c,d\n0,1,,1\n1,0,1,1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fit --family', () => {
  const cases = [
    ['bernoulli', 'binary.csv', BernoulliMixture],
    ['categorical', 'codes.csv', CategoricalMixture],
    ['poisson', 'counts.csv', PoissonMixture],
  ] as const;
  for (const [family, data, Model] of cases) {
    it(`${family}: the model file records its family; predict and score load it`, async () => {
      const model = tmp(`${family}.json`);
      const fit = await cli(['fit', tmp(data), '-k', '2', '--family', family, '--seed', '1', '--alpha', '0.5', '-o', model]);
      expect(fit.code, fit.err).toBe(0);
      const json = JSON.parse(readFileSync(model, 'utf8'));
      expect(json.format).toBe(`wasm-em/${family}-mixture`);
      expect(json.alpha).toBe(0.5);
      const lib = Model.fromJSON(json);
      const X = readFileSync(tmp(data), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
      const predict = await cli(['predict', model, tmp(data)]);
      expect(predict.code, predict.err).toBe(0);
      expect(predict.out).toBe('label\n' + Array.from(lib.predict(X)).join('\n') + '\n');
      const score = await cli(['score', model, tmp(data)]);
      expect(score.code, score.err).toBe(0);
      expect(Number(score.out)).toBeCloseTo(lib.score(X), 8);
      const proba = await cli(['predict', model, tmp(data), '--proba']);
      expect(proba.out.split('\n')[0]).toBe('p0,p1');
    });
  }

  it('gaussian stays the default', async () => {
    const run = await cli(['fit', tmp('counts.csv'), '-k', '2', '--seed', '1']);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out).format).toBe('wasm-em/gaussian-mixture');
  });

  it('option rules are usage errors', async () => {
    expectUserError(await cli(['fit', tmp('binary.csv'), '-k', '2', '--family', 'binomial']), 2, /--family.*gaussian, bernoulli/);
    expectUserError(await cli(['fit', tmp('binary.csv'), '-k', '2', '--family', 'bernoulli', '--covariance', 'diag']), 2,
      /--covariance applies to --family gaussian only/);
    expectUserError(await cli(['fit', tmp('binary.csv'), '-k', '2', '--alpha', '1']), 2, /--alpha applies to the discrete/);
    expectUserError(await cli(['fit', tmp('binary.csv'), '-k', '2', '--family', 'poisson', '--init', 'kmeans']), 2,
      /--init: expected kmeans\+\+ or random/);
    expectUserError(await cli(['fit', tmp('binary.csv'), '-k', '2', '--family', 'poisson', '--alpha', '0']), 2, /> 0/);
  });

  it('data outside the family\'s support, and missing entries, are data errors', async () => {
    expectUserError(await cli(['fit', tmp('half.csv'), '-k', '1', '--family', 'bernoulli']), 1, /expected 0 or 1.*got 0\.5/);
    expectUserError(await cli(['fit', tmp('missing.csv'), '-k', '1', '--family', 'poisson']), 1, /GaussianMixture only/);
    const model = tmp('bernoulli.json');
    expectUserError(await cli(['impute', model, tmp('binary.csv')]), 1, /impute needs a Gaussian mixture/);
    expectUserError(await cli(['predict', tmp('categorical.json'), tmp('counts.csv')]), 1, /category code/);
  });

  it('--help lists the family and alpha', async () => {
    const run = await cli(['fit', '--help']);
    expect(run.out).toMatch(/--family NAME\s+gaussian\|bernoulli\|categorical\|poisson/);
    expect(run.out).toMatch(/--alpha A/);
  });
});
