/**
 * `em()` / `emAsync()`, EM for user-defined models: equal to a hand-written EM loop and to GaussianMixture on the same
 * model; restarts, convergence, history, weights, progress, abort and input errors; the marble example.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbortError, GaussianMixture, InputError, em, emAsync, type EmModel } from '../src/index.js';

const root = join(__dirname, '..');

/** Binomial mixture of counts out of m trials: parameters weights π and success probabilities θ. */
interface Binomial { weights: number[]; theta: number[] }
interface BinomialStats { n: number[]; x: number[] }
function binomialModel(k: number, m: number): EmModel<Binomial, BinomialStats, number> {
  const logChoose = (x: number) => {
    let v = 0;
    for (let i = 1; i <= x; i++) v += Math.log(m - x + i) - Math.log(i);
    return v;
  };
  return {
    nComponents: k,
    logProb: (p, x, out) => {
      for (let c = 0; c < k; c++) out[c] = Math.log(p.weights[c]!) + logChoose(x) + x * Math.log(p.theta[c]!) + (m - x) * Math.log1p(-p.theta[c]!);
    },
    emptyStats: () => ({ n: new Array(k).fill(0), x: new Array(k).fill(0) }),
    accumulate: (s, x, r, w) => {
      for (let c = 0; c < k; c++) {
        s.n[c] += w * r[c]!;
        s.x[c] += w * r[c]! * x;
      }
    },
    maximize: (s) => {
      const total = s.n.reduce((a, b) => a + b, 0);
      return { weights: s.n.map((v) => v / total), theta: s.x.map((v, c) => v / (m * s.n[c]!)) };
    },
    init: (rng) => ({ weights: new Array(k).fill(1 / k), theta: Array.from({ length: k }, () => 0.1 + 0.8 * rng.random()) }),
  };
}

/** Seeded counts from a binomial mixture. */
function binomialData(n: number, m: number, weights: number[], theta: number[], seed: number): number[] {
  let s = seed;
  const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
  return Array.from({ length: n }, () => {
    let c = 0;
    for (let acc = weights[0]!, r = u(); r > acc && c < weights.length - 1;) acc += weights[++c]!;
    let x = 0;
    for (let t = 0; t < m; t++) if (u() < theta[c]!) x++;
    return x;
  });
}

/** The same EM written out directly: posteriors by Bayes' rule in plain probabilities, then the closed-form M-step. */
function directEm(data: number[], m: number, start: Binomial, iterations: number): { p: Binomial; ll: number[] } {
  const choose = (x: number) => {
    let v = 1;
    for (let i = 1; i <= x; i++) v = (v * (m - x + i)) / i;
    return v;
  };
  let p = start;
  const ll: number[] = [];
  for (let t = 0; t < iterations; t++) {
    const k = p.weights.length;
    const n = new Array(k).fill(0);
    const sx = new Array(k).fill(0);
    let total = 0;
    for (const x of data) {
      const joint = p.weights.map((w, c) => w * choose(x) * p.theta[c]! ** x * (1 - p.theta[c]!) ** (m - x));
      const px = joint.reduce((a, b) => a + b, 0);
      total += Math.log(px);
      joint.forEach((j, c) => {
        n[c] += j / px;
        sx[c] += (j / px) * x;
      });
    }
    ll.push(total / data.length);
    p = { weights: n.map((v) => v / data.length), theta: sx.map((v, c) => v / (m * n[c])) };
  }
  return { p, ll };
}

describe('em() on a user-defined binomial mixture', () => {
  const m = 12;
  const data = binomialData(400, m, [0.3, 0.7], [0.75, 0.3], 11);

  it('equals the same EM written out directly, iteration by iteration', () => {
    const start = { weights: [0.5, 0.5], theta: [0.6, 0.4] };
    const r = em(data, binomialModel(2, m), { start, maxIter: 25, tol: 0 });
    const d = directEm(data, m, start, 25);
    expect(r.nIter).toBe(25);
    expect(r.converged).toBe(false);
    r.history.forEach((v, t) => expect(Math.abs(v - d.ll[t]!)).toBeLessThan(1e-12));
    r.params.theta.forEach((v, c) => expect(Math.abs(v - d.p.theta[c]!)).toBeLessThan(1e-12));
    r.params.weights.forEach((v, c) => expect(Math.abs(v - d.p.weights[c]!)).toBeLessThan(1e-12));
    expect(r.lowerBound).toBe(r.history[24]);
  });

  it('recovers the parameters, never lowers the likelihood, and keeps the best restart', () => {
    const last = new Map<number, number>();
    const r = em(data, binomialModel(2, m), { nInit: 4, seed: 5, tol: 1e-10, maxIter: 500,
      onIteration: (i) => last.set(i.init, i.logLikelihood) });
    expect(r.converged).toBe(true);
    const order = r.params.theta[0]! > r.params.theta[1]! ? [0, 1] : [1, 0];
    expect(Math.abs(r.params.theta[order[0]!]! - 0.75)).toBeLessThan(0.03);
    expect(Math.abs(r.params.theta[order[1]!]! - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(r.params.weights[order[0]!]! - 0.3)).toBeLessThan(0.06);
    for (let t = 1; t < r.history.length; t++) expect(r.history[t]! - r.history[t - 1]!).toBeGreaterThanOrEqual(-1e-12);
    // Every restart ran; the kept one ends highest (the earliest of those equal within rounding).
    expect([...last.keys()]).toEqual([0, 1, 2, 3]);
    expect(r.lowerBound).toBe(last.get(r.init));
    for (const v of last.values()) expect(v).toBeLessThanOrEqual(r.lowerBound + 1e-10 * Math.abs(r.lowerBound));
    const post = r.posteriors(m);
    expect(post[order[0]!]).toBeGreaterThan(0.99);
    expect(post[0]! + post[1]!).toBeCloseTo(1, 14);
  });

  it('integer sample weights equal repeated items; weight 0 equals leaving the item out', () => {
    const items = data.slice(0, 60);
    const w = items.map((_, i) => i % 3);
    const repeated = items.flatMap((x, i) => new Array(w[i]).fill(x) as number[]);
    const start = { weights: [0.4, 0.6], theta: [0.7, 0.2] };
    const a = em(items, binomialModel(2, m), { start, sampleWeight: w, maxIter: 30, tol: 0 });
    const b = em(repeated, binomialModel(2, m), { start, maxIter: 30, tol: 0 });
    a.history.forEach((v, t) => expect(Math.abs(v - b.history[t]!)).toBeLessThan(1e-12));
    a.params.theta.forEach((v, c) => expect(Math.abs(v - b.params.theta[c]!)).toBeLessThan(1e-12));
  });
});

describe('em() equals GaussianMixture on the same model', () => {
  it('a one-dimensional Gaussian mixture from the same start gives the same likelihood path and parameters', () => {
    const rows = binomialData(300, 30, [0.4, 0.6], [0.2, 0.6], 3).map((x, i) => x + 0.37 * Math.sin(i));
    interface G { w: number[]; mu: number[]; v: number[] }
    const model: EmModel<G, { n: number[]; s1: number[]; s2: number[] }, number> = {
      nComponents: 2,
      logProb: (p, x, out) => {
        for (let c = 0; c < 2; c++) out[c] = Math.log(p.w[c]!) - 0.5 * Math.log(2 * Math.PI * p.v[c]!) - ((x - p.mu[c]!) ** 2) / (2 * p.v[c]!);
      },
      emptyStats: () => ({ n: [0, 0], s1: [0, 0], s2: [0, 0] }),
      accumulate: (s, x, r, w) => {
        for (let c = 0; c < 2; c++) {
          s.n[c] += w * r[c]!;
          s.s1[c] += w * r[c]! * x;
          s.s2[c] += w * r[c]! * x * x;
        }
      },
      maximize: (s) => {
        const total = s.n[0]! + s.n[1]!;
        const mu = s.s1.map((v, c) => v / s.n[c]!);
        return { w: s.n.map((v) => v / total), mu, v: s.s2.map((v, c) => v / s.n[c]! - mu[c]! ** 2) };
      },
    };
    const start = { w: [0.5, 0.5], mu: [5, 17], v: [4, 9] };
    const r = em(rows, model, { start, maxIter: 20, tol: 0 });
    const gm = new GaussianMixture({ nComponents: 2, covarianceType: 'diag', regCovar: 0, maxIter: 20, tol: 0, backend: 'js',
      init: { weights: start.w, means: start.mu.map((v) => [v]), covariances: start.v.map((v) => [v]) } }).fit(rows.map((x) => [x]));
    gm.logLikelihoodHistory.forEach((v, t) => expect(Math.abs(v - r.history[t]!)).toBeLessThan(1e-9));
    gm.means.forEach((mu, c) => expect(Math.abs(mu[0]! - r.params.mu[c]!)).toBeLessThan(1e-8));
  });
});

describe('em() progress, abort and errors', () => {
  const m = 10;
  const data = binomialData(200, m, [0.5, 0.5], [0.8, 0.2], 2);

  it('stops with AbortError when the signal fires during the fit (synchronously, from onIteration)', () => {
    const ac = new AbortController();
    let iterations = 0;
    expect(() => em(data, binomialModel(2, m), { nInit: 3, tol: 0, maxIter: 100, signal: ac.signal,
      onIteration: () => { if (++iterations === 7) ac.abort(); } })).toThrowError(AbortError);
    expect(iterations).toBe(7);
  });

  it('emAsync gives em()\'s result, and a timer aborts it before the next iteration', async () => {
    const opts = { nInit: 2, seed: 4, tol: 1e-8, maxIter: 300 };
    const a = await emAsync(data, binomialModel(2, m), opts);
    const b = em(data, binomialModel(2, m), opts);
    expect(a.params).toEqual(b.params);
    expect(a.history).toEqual(b.history);
    // A slow model: every E-step takes ~2 ms, so the 30 ms timer fires mid-fit.
    const slow = { ...binomialModel(2, m), emptyStats: () => {
      const t0 = performance.now();
      while (performance.now() - t0 < 2);
      return { n: [0, 0], x: [0, 0] };
    } };
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    let iterations = 0;
    await expect(emAsync(data, slow, { tol: 0, maxIter: 100_000, signal: ac.signal, onIteration: () => iterations++ }))
      .rejects.toBeInstanceOf(AbortError);
    expect(iterations).toBeGreaterThan(0);
    expect(iterations).toBeLessThan(1000);
    const pre = new AbortController();
    pre.abort();
    expect(() => em(data, binomialModel(2, m), { signal: pre.signal })).toThrowError(AbortError);
  });

  it('names what is wrong: model, data, options, and log-densities that are NaN or impossible everywhere', () => {
    const model = binomialModel(2, m);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error('expected an InputError');
    };
    expect(err(() => em([], model))).toMatch(/^data: expected at least one item/);
    expect(err(() => em('abc' as unknown as number[], model))).toMatch(/^data: expected an array/);
    expect(err(() => em(data, { ...model, nComponents: 0 }))).toMatch(/^model\.nComponents: expected an integer/);
    expect(err(() => em(data, { ...model, maximize: undefined as never }))).toMatch(/^model\.maximize: expected a function/);
    expect(err(() => em(data, { ...model, init: undefined }))).toMatch(/^model\.init: expected a function \(or options\.start\)/);
    expect(err(() => em(data, model, { start: { weights: [0.5, 0.5], theta: [0.3, 0.6] }, nInit: 2 }))).toMatch(/^options\.nInit/);
    expect(err(() => em(data, model, { maxIter: 0 }))).toMatch(/^options\.maxIter: expected an integer ≥ 1, got 0/);
    expect(err(() => em(data, model, { tol: -1 }))).toMatch(/^options\.tol/);
    expect(err(() => em(data, model, { sampleWeight: [1, 2] }))).toMatch(/^options\.sampleWeight: expected 200 weights/);
    expect(err(() => em(data, model, { nInits: 2 } as never))).toMatch(/^options\.nInits: expected one of the options/);
    const nan = { ...model, logProb: (_p: Binomial, x: number, out: Float64Array) => { out[0] = 0; out[1] = x === 7 ? NaN : -1; } };
    const i7 = data.indexOf(7);
    expect(err(() => em(data, nan))).toBe(`model.logProb(params, data[${i7}])[1]: expected a finite number or -Infinity, got NaN. Check the log-density of that component for these parameters`);
    const impossible = { ...model, logProb: (_p: Binomial, _x: number, out: Float64Array) => out.fill(-Infinity) };
    expect(err(() => em(data, impossible))).toMatch(/^model\.logProb\(params, data\[0\]\): expected at least one component with a finite log-density/);
  });
});

describe('the marble example (examples/marbles.mjs)', () => {
  it('recovers the share of students at each jar and the jars\' red fractions', () => {
    const r = spawnSync(process.execPath, [join(root, 'examples', 'marbles.mjs')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const share = /share of students at the red jar: true ([\d.]+) \(([\d.]+) in this sample\), fitted ([\d.]+)/.exec(r.stdout);
    expect(share, r.stdout).not.toBeNull();
    expect(Math.abs(Number(share![3]) - Number(share![2]))).toBeLessThan(0.03);
    for (const jar of ['red', 'blue']) {
      const f = new RegExp(`red fraction, ${jar} jar:\\s+true ([\\d.]+), fitted ([\\d.]+)`).exec(r.stdout);
      expect(f, r.stdout).not.toBeNull();
      expect(Math.abs(Number(f![2]) - Number(f![1]))).toBeLessThan(0.03);
    }
  });
});
