/**
 * The marble jars, with a model written by hand for `em()`.
 *
 * Two jars hold red and blue marbles in unknown proportions. Each of 300 students secretly picks a jar (the red-rich
 * one with an unknown probability), draws 20 marbles from it with replacement, and reports only how many were red.
 * The colors are reported, the jar is never seen: a two-component binomial mixture of the per-student counts,
 *   p(x) = Σ_c π_c · C(m, x) · θ_c^x · (1 − θ_c)^(m − x),
 * whose EM updates are π_c = N_c / N and θ_c = Σ_i r_ic x_i / (m N_c) (Bishop 2006, §9.3.3, for the Bernoulli case).
 * Run after `npm run build`: `node examples/marbles.mjs`.
 */
import { em } from 'wasm-em';

const m = 20; // marbles drawn per student
const truth = { share: 0.35, red: [0.8, 0.25] }; // share of students at jar 0; red fraction of jars 0 and 1

// Seeded draws (xorshift32), so the output is the same on every run.
let s = 7;
const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
const jars = Array.from({ length: 300 }, () => (u() < truth.share ? 0 : 1));
const counts = jars.map((jar) => {
  let red = 0;
  for (let t = 0; t < m; t++) if (u() < truth.red[jar]) red++;
  return red;
});

/** log C(m, x), from log-gamma by summation (m is small). */
const logChoose = (n, x) => {
  let v = 0;
  for (let i = 1; i <= x; i++) v += Math.log(n - x + i) - Math.log(i);
  return v;
};

/** The binomial mixture: parameters { weights: [π0, π1], red: [θ0, θ1] }; statistics N_c and Σ r x per jar. */
const binomialMixture = {
  nComponents: 2,
  logProb(p, x, out) {
    for (let c = 0; c < 2; c++) {
      out[c] = Math.log(p.weights[c]) + logChoose(m, x) + x * Math.log(p.red[c]) + (m - x) * Math.log1p(-p.red[c]);
    }
  },
  emptyStats: () => ({ n: [0, 0], red: [0, 0] }),
  accumulate(stats, x, r, w) {
    for (let c = 0; c < 2; c++) {
      stats.n[c] += w * r[c];
      stats.red[c] += w * r[c] * x;
    }
  },
  maximize(stats) {
    const total = stats.n[0] + stats.n[1];
    // A floor keeps θ inside (0, 1) when a jar's students all reported 0 or all m red marbles.
    const clamp = (v) => Math.min(1 - 1e-9, Math.max(1e-9, v));
    return {
      weights: stats.n.map((n) => n / total),
      red: stats.red.map((r, c) => clamp(r / (m * stats.n[c]))),
    };
  },
  init: (rng) => ({ weights: [0.5, 0.5], red: [0.05 + 0.9 * rng.random(), 0.05 + 0.9 * rng.random()] }),
};

const result = em(counts, binomialMixture, { nInit: 5, seed: 3, tol: 1e-10, maxIter: 500 });
// Label the jars: the redder one first, as in `truth`.
const order = result.params.red[0] >= result.params.red[1] ? [0, 1] : [1, 0];
const fitted = { share: result.params.weights[order[0]], red: order.map((c) => result.params.red[c]) };

console.log(`${counts.length} students, ${m} marbles each; reported red counts 0…${m}:`);
console.log(Array.from({ length: m + 1 }, (_, x) => counts.filter((c) => c === x).length).join(' '));
console.log(`\nEM: ${result.nIter} iterations, converged ${result.converged}, mean log-likelihood ${result.lowerBound.toFixed(4)}`);
const drawn = jars.filter((jar) => jar === 0).length / jars.length;
console.log(`share of students at the red jar: true ${truth.share} (${drawn.toFixed(3)} in this sample), fitted ${fitted.share.toFixed(3)}`);
console.log(`red fraction, red jar:  true ${truth.red[0]}, fitted ${fitted.red[0].toFixed(3)}`);
console.log(`red fraction, blue jar: true ${truth.red[1]}, fitted ${fitted.red[1].toFixed(3)}`);
const agree = counts.filter((x, i) => (result.posteriors(x)[order[0]] > 0.5 ? 0 : 1) === jars[i]).length;
console.log(`students whose jar the posteriors guess right: ${agree} of ${counts.length}`);
