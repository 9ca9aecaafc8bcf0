// Market regimes with a Gaussian hidden Markov model: daily returns and volatility generated from a known 3-state HMM
// (calm, nervous, crash), fitted back by Baum–Welch, then decoded with Viterbi.
//   node examples/hmm-regimes.mjs
import { GaussianHMM } from 'wasm-em';

const names = ['calm', 'nervous', 'crash'];
// The generating model, loaded from the model-file format: features are [daily return %, absolute range %].
const truth = GaussianHMM.fromJSON({
  format: 'wasm-em/gaussian-hmm', version: 1, nStates: 3, nFeatures: 2, covarianceType: 'diag',
  startProb: [0.8, 0.15, 0.05],
  transMat: [[0.97, 0.025, 0.005], [0.05, 0.92, 0.03], [0.05, 0.15, 0.8]],
  means: [[0.05, 0.6], [-0.05, 1.5], [-1.5, 3.5]],
  covariances: [[0.25, 0.04], [1, 0.2], [4, 0.8]],
  learn: 'stmc', emptyStates: [], converged: true, nIter: 0, logLikelihood: null,
});

// Four years of trading days, in two sequences (the market was closed in between: no transition across the gap).
const lengths = [500, 500];
const seqs = lengths.map((n, i) => truth.sample(n, { seed: 11 + i }));
const X = seqs.map(({ X: m }) => Array.from({ length: m.rows }, (_, t) => [m.data[2 * t], m.data[2 * t + 1]]));
const trueStates = seqs.flatMap((s) => Array.from(s.states));

const hmm = new GaussianHMM({ nStates: 3, covarianceType: 'diag', nInit: 3, maxIter: 200, tol: 1e-4, seed: 1 });
hmm.fit(X, { onWarning: (m) => console.warn(`warning: ${m}`) });

// Fitted states are in arbitrary order: label them by their mean return (highest = calm, lowest = crash).
const order = hmm.means.map((m, k) => [m[0], k]).sort((a, b) => b[0] - a[0]).map(([, k]) => k);
const label = new Map(order.map((k, i) => [k, i]));

console.log(`Fitted ${hmm.nStates}-state Gaussian HMM on ${trueStates.length} days in ${lengths.length} sequences: ` +
  `${hmm.converged ? 'converged' : 'did not converge'} after ${hmm.nIter} Baum–Welch iterations, ` +
  `log-likelihood ${hmm.logLikelihood.toFixed(2)}`);
console.log('\nFitted transition matrix (rows: from, columns: to):');
console.log(`${''.padEnd(9)}${names.map((n) => n.padStart(9)).join('')}`);
for (let i = 0; i < 3; i++) {
  const row = hmm.transMat[order[i]];
  console.log(`${names[i].padEnd(9)}${order.map((k) => row[k].toFixed(3).padStart(9)).join('')}`);
}
console.log('\nFitted means [return %, range %]:');
for (let i = 0; i < 3; i++) console.log(`${names[i].padEnd(9)}[${Array.from(hmm.means[order[i]], (v) => v.toFixed(3)).join(', ')}]`);

const path = hmm.predict(X);
let agree = 0;
for (let t = 0; t < path.length; t++) if (label.get(path[t]) === trueStates[t]) agree++;
console.log(`\nViterbi path agrees with the true regimes on ${agree} of ${path.length} days ` +
  `(${((100 * agree) / path.length).toFixed(1)}%)`);
