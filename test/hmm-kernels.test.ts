/**
 * The hidden-Markov-model kernels (`Backend.hmm`): forward–backward and Viterbi against the textbook umbrella example
 * and against brute-force enumeration of every state path on tiny models, underflowing emissions, zero probabilities,
 * and the wasm kernels against their TypeScript twins; `BoundData.accumulateWeighted` against `accumulate`.
 */
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { statsLength, type Backend, type BindOptions } from '../src/backend/kernel.js';
import { EXP_FLUSH } from '../src/backend/js/exp-flush.js';
import { KINDS, expectStatsClose, makeCase, makeWeights, rng, type WeightMode } from './helpers/kernel-cases.js';

const backends: [string, () => Backend][] = [['js', () => jsBackend], ['wasm', () => wasmBackend()]];

/** A random tiny model: row-stochastic A, start π (some entries 0 when `zeros`), and T×K log emissions. */
interface Model {
  T: number;
  K: number;
  logB: Float64Array;
  start: Float64Array;
  trans: Float64Array;
}

function randomDistribution(K: number, u: () => number, zeros: boolean): Float64Array {
  const p = new Float64Array(K);
  let s = 0;
  for (let j = 0; j < K; j++) {
    p[j] = zeros && K > 1 && u() < 0.3 ? 0 : 0.05 + u();
    s += p[j]!;
  }
  if (s === 0) {
    p[0] = 1;
    s = 1;
  }
  for (let j = 0; j < K; j++) p[j] /= s;
  return p;
}

function randomModel(T: number, K: number, seed: number, zeros = false, emissionScale = 3): Model {
  const u = rng(seed);
  const trans = new Float64Array(K * K);
  for (let i = 0; i < K; i++) trans.set(randomDistribution(K, u, zeros), i * K);
  const logB = new Float64Array(T * K);
  for (let q = 0; q < T * K; q++) logB[q] = -emissionScale * 2 * u() - 1;
  return { T, K, logB, start: randomDistribution(K, u, zeros), trans };
}

/** Every path's joint log-probability, by enumeration: log p(x), γ, Σ ξ and the best path with its value. */
function bruteForce(m: Model): { logp: number; gamma: Float64Array; xi: Float64Array; best: number[]; bestValue: number } {
  const { T, K, logB, start, trans } = m;
  const gamma = new Float64Array(T * K);
  const xi = new Float64Array(K * K);
  const paths = K ** T;
  const joint = new Float64Array(paths);
  let bestValue = -Infinity;
  let best: number[] = [];
  const z = new Array<number>(T);
  for (let p = 0; p < paths; p++) {
    // State of step t: digit t of p in base K, most significant first, so that paths come in lexicographic order.
    let r = p;
    for (let t = T - 1; t >= 0; t--) {
      z[t] = r % K;
      r = Math.floor(r / K);
    }
    let lp = Math.log(start[z[0]!]!) + logB[z[0]!]!;
    for (let t = 1; t < T; t++) lp += Math.log(trans[z[t - 1]! * K + z[t]!]!) + logB[t * K + z[t]!]!;
    joint[p] = lp;
    if (lp > bestValue) {
      bestValue = lp;
      best = z.slice();
    }
  }
  let max = -Infinity;
  for (const v of joint) max = Math.max(max, v);
  let sum = 0;
  for (const v of joint) sum += Math.exp(v - max);
  const logp = max + Math.log(sum);
  for (let p = 0; p < paths; p++) {
    const w = Math.exp(joint[p]! - logp);
    let r = p;
    for (let t = T - 1; t >= 0; t--) {
      z[t] = r % K;
      r = Math.floor(r / K);
    }
    for (let t = 0; t < T; t++) gamma[t * K + z[t]!] += w;
    for (let t = 0; t + 1 < T; t++) xi[z[t]! * K + z[t + 1]!] += w;
  }
  return { logp, gamma, xi, best, bestValue };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let q = 0; q < expected.length; q++) {
    if (Math.abs(actual[q]! - expected[q]!) > tol) {
      expect.fail(`entry ${q}: ${actual[q]} vs ${expected[q]} (tolerance ${tol})`);
    }
  }
}

function run(b: Backend, m: Model): { logp: number; gamma: Float64Array; xi: Float64Array } {
  const gamma = new Float64Array(m.T * m.K);
  const xi = new Float64Array(m.K * m.K);
  const logp = b.hmm.forwardBackward(m.logB, m.T, m.K, m.start, m.trans, gamma, xi);
  return { logp, gamma, xi };
}

/** The umbrella world of Russell & Norvig, as the "Forward–backward algorithm" article of Wikipedia works it. */
function umbrella(): Model {
  const seen = [true, true, false, true, true];
  const logB = new Float64Array(10);
  seen.forEach((u, t) => {
    logB[2 * t] = Math.log(u ? 0.9 : 0.1);
    logB[2 * t + 1] = Math.log(u ? 0.2 : 0.8);
  });
  return { T: 5, K: 2, logB, start: Float64Array.of(0.5, 0.5), trans: Float64Array.of(0.7, 0.3, 0.3, 0.7) };
}

describe.each(backends)('HMM kernels (%s)', (_name, make) => {
  it('umbrella world: smoothed posteriors of rain as published (0.8673, 0.8204, 0.3075, 0.8204, 0.8673)', () => {
    const m = umbrella();
    const { logp, gamma, xi } = run(make(), m);
    const rain = [0, 1, 2, 3, 4].map((t) => gamma[2 * t]!);
    expectClose(rain.map((g) => Math.round(g * 1e4) / 1e4), [0.8673, 0.8204, 0.3075, 0.8204, 0.8673], 0);
    const bf = bruteForce(m);
    expect(logp).toBeCloseTo(bf.logp, 13);
    expectClose(gamma, bf.gamma, 1e-14);
    expectClose(xi, bf.xi, 1e-14);
    const path = new Int32Array(5);
    const v = make().hmm.viterbi(m.logB, m.T, m.K, m.start, m.trans, path);
    expect(Array.from(path)).toEqual([0, 0, 1, 0, 0]);
    expect(v).toBeCloseTo(bf.bestValue, 13);
  });

  it('tiny models (K ≤ 3, T ≤ 6): log p, γ, Σξ and the Viterbi path equal enumeration over all K^T paths', () => {
    let cases = 0;
    for (let K = 1; K <= 3; K++) {
      for (let T = 1; T <= 6; T++) {
        for (const zeros of [false, true]) {
          const m = randomModel(T, K, 1000 * K + 10 * T + (zeros ? 1 : 0), zeros);
          const bf = bruteForce(m);
          if (!Number.isFinite(bf.logp)) continue;
          const b = make();
          const xiInit = Float64Array.from({ length: K * K }, (_, q) => q + 0.5);
          const gamma = new Float64Array(T * K);
          const xi = xiInit.slice();
          const logp = b.hmm.forwardBackward(m.logB, T, K, m.start, m.trans, gamma, xi);
          expect(Math.abs(logp - bf.logp)).toBeLessThan(1e-12 * Math.max(1, Math.abs(bf.logp)));
          expectClose(gamma, bf.gamma, 1e-13);
          expectClose(xi.map((v, q) => v - xiInit[q]!), bf.xi, 1e-13);
          const path = new Int32Array(T);
          const value = b.hmm.viterbi(m.logB, T, K, m.start, m.trans, path);
          expect(Array.from(path)).toEqual(bf.best);
          expect(Math.abs(value - bf.bestValue)).toBeLessThan(1e-12 * Math.max(1, Math.abs(bf.bestValue)));
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(30);
  });
});

/** w_i · softmax(logProb) row by row, with the kernels' flush of terms under 2⁻⁵² of the row's largest; NaN rows of weight 0. */
function responsibilitiesOf(lp: Float64Array, n: number, k: number, w: Float64Array | null): Float64Array {
  const r = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i]!;
    if (wi === 0) {
      r.fill(NaN, i * k, (i + 1) * k);
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, lp[i * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) if (lp[i * k + c]! - max >= EXP_FLUSH) sum += Math.exp(lp[i * k + c]! - max);
    const lse = max + Math.log(sum);
    for (let c = 0; c < k; c++) r[i * k + c] = lp[i * k + c]! - max >= EXP_FLUSH ? wi * Math.exp(lp[i * k + c]! - lse) : 0;
  }
  return r;
}

describe.each([
  ['js', () => jsBackend, {}],
  ['wasm', () => wasmBackend(), {}],
  ['wasm streamed', () => wasmBackend(), { maxResidentBytes: 0 }],
] as [string, () => Backend, BindOptions][])('accumulateWeighted (%s)', (_name, make, bindOptions) => {
  const cases: [typeof KINDS[number], number, number, number][] = [
    ['full', 1, 1, 300], ['full', 3, 4, 300], ['tied', 5, 3, 200], ['diag', 1, 2, 300], ['diag', 4, 3, 300],
    ['spherical', 3, 5, 200], ['full', 2, 3, 5000], ['diag', 3, 2, 5000],
  ];
  it.each(cases)('%s d=%i k=%i n=%i: equals accumulate given the responsibilities accumulate computes', (kind, d, k, n) => {
    for (const mode of ['none', 'weights', 'zeros'] as WeightMode[]) {
      const t = makeCase(kind, n, d, k, 10, 7 * d + k + n);
      const w = makeWeights(mode, t, 3 + d);
      const bound = make().bind(t.X, n, d, w, bindOptions);
      bound.setParams({ shape: t.shape, k, d, logConst: t.logConst, means: t.means, prec: t.prec,
        precStride: t.precStride });
      const lp = new Float64Array(n * k);
      bound.logProb(0, n, lp);
      const resp = responsibilitiesOf(lp, n, k, w);
      const L = statsLength(t.shape, d, k);
      for (const blockRows of [1, 7, 64, 65, 200, n]) {
        const initial = Float64Array.from({ length: L }, (_, q) => (q % 3) - 1);
        const want = initial.slice();
        const got = initial.slice();
        for (let s = 0; s < n; s += blockRows) {
          const m = Math.min(blockRows, n - s);
          bound.accumulate(s, m, want);
          bound.accumulateWeighted(s, m, resp.subarray(s * k, (s + m) * k), got);
        }
        const what = `${mode}, blocks of ${blockRows}`;
        expect(got[L - 2], `${what}: log-likelihood entry unchanged`).toBe(initial[L - 2]);
        expect(Math.abs(got[L - 1]! - want[L - 1]!), `${what}: weight sum`).toBeLessThan(1e-12 * want[L - 1]!);
        got[L - 2] = want[L - 2]!;
        got[L - 1] = want[L - 1]!;
        expectStatsClose(got, want, t.shape, d, k, 1e-12, what);
      }
      bound.dispose();
    }
  });

  it("'linear' shape: [N_c, Σ r·t(x)] equals accumulate's", () => {
    const n = 500;
    const d = 4;
    const k = 3;
    const u = rng(77);
    const X = Float64Array.from({ length: n * d }, () => Math.floor(3 * u()));
    const w = Float64Array.from({ length: n }, () => (u() < 0.2 ? 0 : 0.5 + u()));
    const theta = Float64Array.from({ length: k * d }, () => u() - 0.5);
    const bound = make().bind(X, n, d, w, bindOptions);
    bound.setParams({ shape: 'linear', k, d, logConst: Float64Array.of(-1, -0.5, -2), means: new Float64Array(0),
      prec: theta, precStride: d });
    const lp = new Float64Array(n * k);
    bound.logProb(0, n, lp);
    const resp = responsibilitiesOf(lp, n, k, w);
    const L = statsLength('linear', d, k);
    const want = new Float64Array(L);
    const got = new Float64Array(L);
    bound.accumulate(0, n, want);
    bound.accumulateWeighted(0, 250, resp.subarray(0, 250 * k), got);
    bound.accumulateWeighted(250, n - 250, resp.subarray(250 * k), got);
    expect(got[L - 2]).toBe(0);
    expect(Math.abs(got[L - 1]! - want[L - 1]!)).toBeLessThan(1e-12 * want[L - 1]!);
    got[L - 2] = want[L - 2]!;
    got[L - 1] = want[L - 1]!;
    expectStatsClose(got, want, 'linear', d, k, 1e-12, 'linear');
    bound.dispose();
  });

  it('float32 rows throw a clear error', () => {
    const bound = make().bind(new Float32Array(4), 2, 2, null, bindOptions);
    bound.setParams({ shape: 'diag', k: 1, d: 2, logConst: new Float64Array(1), means: new Float64Array(2),
      prec: Float64Array.of(1, 1), precStride: 2 });
    expect(() => bound.accumulateWeighted(0, 2, new Float64Array(2), new Float64Array(7))).toThrow(/float32/);
    bound.dispose();
  });
});
