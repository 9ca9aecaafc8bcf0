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

/** Largest |a − b| / max(1, |b|) over two arrays. */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let q = 0; q < b.length; q++) m = Math.max(m, Math.abs(a[q]! - b[q]!) / Math.max(1, Math.abs(b[q]!)));
  return m;
}

/** Every γ row sums to 1 and holds no NaN; Σξ sums to T − 1. */
function expectDistributions(gamma: Float64Array, xi: Float64Array, T: number, K: number): void {
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let j = 0; j < K; j++) {
      const g = gamma[t * K + j]!;
      if (!(g >= 0 && g <= 1 + 1e-12)) expect.fail(`γ[${t}][${j}] = ${g}`);
      s += g;
    }
    if (Math.abs(s - 1) > 1e-12) expect.fail(`Σ γ[${t}] = ${s}`);
  }
  let s = 0;
  for (const v of xi) {
    expect(Number.isFinite(v)).toBe(true);
    s += v;
  }
  expect(Math.abs(s - (T - 1))).toBeLessThan(1e-9 * Math.max(1, T));
}

describe.each(backends)('HMM kernels under underflow and zeros (%s)', (_name, make) => {
  it('emissions of −1e5 nats over T = 1e5 steps: finite log p, posteriors without NaN', () => {
    const T = 100_000;
    const K = 3;
    const m = randomModel(T, K, 5);
    for (let q = 0; q < T * K; q++) m.logB[q] = m.logB[q]! - 1e5;
    const { logp, gamma, xi } = run(make(), m);
    expect(Number.isFinite(logp)).toBe(true);
    expect(logp).toBeLessThan(-1e10 + 0);
    expect(logp).toBeGreaterThan(-1e10 - 10 * T);
    expectDistributions(gamma, xi, T, K);
    const path = new Int32Array(T);
    expect(Number.isFinite(make().hmm.viterbi(m.logB, T, K, m.start, m.trans, path))).toBe(true);
  });

  it('a state the past rules out but whose emissions are 1e5 nats better: exact log p, γ on the possible state', () => {
    const T = 100_000;
    const m: Model = { T, K: 2, logB: new Float64Array(2 * T), start: Float64Array.of(1, 0),
      trans: Float64Array.of(1, 0, 0, 1) };
    for (let t = 0; t < T; t++) m.logB[2 * t] = -1e5;
    const { logp, gamma, xi } = run(make(), m);
    expect(logp).toBe(-1e5 * T);
    for (let t = 0; t < T; t++) {
      if (gamma[2 * t] !== 1 || gamma[2 * t + 1] !== 0) expect.fail(`γ[${t}] = ${gamma[2 * t]}, ${gamma[2 * t + 1]}`);
    }
    expect(Array.from(xi)).toEqual([T - 1, 0, 0, 0]);
    const path = new Int32Array(T);
    expect(make().hmm.viterbi(m.logB, T, 2, m.start, m.trans, path)).toBe(-1e5 * T);
    expect(path.every((s) => s === 0)).toBe(true);
  });

  it('emission gaps of hundreds of nats (flushed exponentials, rescaled steps) still equal enumeration', () => {
    let cases = 0;
    for (let seed = 0; seed < 40; seed++) {
      const K = 2 + (seed % 2);
      const T = 3 + (seed % 4);
      const m = randomModel(T, K, 500 + seed, seed % 3 !== 0, 400);
      const bf = bruteForce(m);
      if (!Number.isFinite(bf.logp)) continue;
      const { logp, gamma, xi } = run(make(), m);
      expect(Math.abs(logp - bf.logp)).toBeLessThan(1e-12 * Math.abs(bf.logp));
      expectClose(gamma, bf.gamma, 1e-12);
      expectClose(xi, bf.xi, 1e-12);
      cases++;
    }
    expect(cases).toBeGreaterThan(20);
  });

  it('left-to-right model: zero start and transition entries, ξ exactly 0 where A is 0', () => {
    const K = 3;
    const T = 6;
    const m = randomModel(T, K, 11);
    m.start = Float64Array.of(1, 0, 0);
    m.trans = Float64Array.of(0.8, 0.2, 0, 0, 0.6, 0.4, 0, 0, 1);
    const bf = bruteForce(m);
    const { logp, gamma, xi } = run(make(), m);
    expect(logp).toBeCloseTo(bf.logp, 12);
    expectClose(gamma, bf.gamma, 1e-14);
    expectClose(xi, bf.xi, 1e-14);
    for (const q of [2, 3, 6, 7]) expect(xi[q]).toBe(0);
    expect(gamma[1]).toBe(0);
    expect(gamma[2]).toBe(0);
  });

  it('an impossible sequence gives −∞ and posteriors without NaN (T = 1 and K = 1 included)', () => {
    const m = randomModel(5, 2, 3);
    m.start = Float64Array.of(1, 0);
    m.trans = Float64Array.of(1, 0, 0, 1);
    m.logB[2 * 3] = -Infinity; // the only reachable state cannot emit x_3
    const { logp, gamma, xi } = run(make(), m);
    expect(logp).toBe(-Infinity);
    expectDistributions(gamma, xi, 5, 2);
    const path = new Int32Array(5);
    expect(make().hmm.viterbi(m.logB, 5, 2, m.start, m.trans, path)).toBe(-Infinity);
    const one: Model = { T: 1, K: 1, logB: Float64Array.of(-Infinity), start: Float64Array.of(1), trans: Float64Array.of(1) };
    const r = run(make(), one);
    expect(r.logp).toBe(-Infinity);
    expect(Array.from(r.gamma)).toEqual([1]);
    const k1: Model = { T: 4, K: 1, logB: Float64Array.of(-1, -2, -3, -4), start: Float64Array.of(1), trans: Float64Array.of(1) };
    const r1 = run(make(), k1);
    expect(r1.logp).toBe(-10);
    expect(Array.from(r1.gamma)).toEqual([1, 1, 1, 1]);
    expect(Array.from(r1.xi)).toEqual([3]);
  });

  it('checks the sizes of its arrays', () => {
    const b = make();
    const m = randomModel(4, 2, 1);
    expect(() => b.hmm.forwardBackward(m.logB, 0, 2, m.start, m.trans, new Float64Array(8), new Float64Array(4)))
      .toThrow(/T: expected/);
    expect(() => b.hmm.forwardBackward(m.logB, 4, 2, m.start, m.trans, new Float64Array(7), new Float64Array(4)))
      .toThrow(/gamma/);
    expect(() => b.hmm.viterbi(m.logB, 4, 2, m.start, m.trans.subarray(0, 3), new Int32Array(4))).toThrow(/transMat/);
    expect(() => b.hmm.viterbi(m.logB, 4, 2, m.start, m.trans, new Int32Array(3))).toThrow(/path/);
  });
});

describe('HMM kernels: wasm against the TypeScript twin', () => {
  const wasm = wasmBackend();
  it('random cases (T = 1 … 3000, K = 1 … 33, odd K, zeros): Viterbi bit for bit, forward–backward to 1e−13', () => {
    let worst = 0;
    let seed = 0;
    for (const K of [1, 2, 3, 5, 8, 17, 32, 33]) {
      for (const T of [1, 2, 7, 300, 3000]) {
        for (const zeros of [false, true]) {
          const m = randomModel(T, K, 9000 + seed++, zeros, 1 + (seed % 5) * 20);
          const js = run(jsBackend, m);
          const wa = run(wasm, m);
          const d = Math.max(Math.abs(wa.logp - js.logp) / Math.max(1, Math.abs(js.logp)),
            maxRelDiff(wa.gamma, js.gamma), maxRelDiff(wa.xi, js.xi));
          if (!(d <= 1e-13)) expect.fail(`K=${K} T=${T} zeros=${zeros}: relative difference ${d}`);
          worst = Math.max(worst, d);
          const pj = new Int32Array(T);
          const pw = new Int32Array(T);
          expect(wasm.hmm.viterbi(m.logB, T, K, m.start, m.trans, pw)).toBe(
            jsBackend.hmm.viterbi(m.logB, T, K, m.start, m.trans, pj));
          expect(pw).toEqual(pj);
        }
      }
    }
    console.log(`wasm vs twin, forward–backward: largest relative difference ${worst.toExponential(2)}`);
  });

  it('T = 1e6, K = 8 runs in bounded memory (O(T·K)) and gives distributions', () => {
    const T = 1_000_000;
    const K = 8;
    const m = randomModel(T, K, 42);
    const { logp, gamma, xi } = run(wasm, m);
    expect(Number.isFinite(logp)).toBe(true);
    expectDistributions(gamma, xi, T, K);
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
