/**
 * Degenerate solutions of a Gaussian mixture: components whose likelihood comes from collapsing onto a few rows, not
 * from a cluster (DESIGN.md, "Trustworthy answers"). The likelihood of a Gaussian mixture is unbounded (a component
 * on one row has a density that grows without limit as its variance shrinks; Kiefer & Wolfowitz 1956, Day 1969), so
 * the highest likelihood is not the best answer: such fits are what mclust reports as singular.
 *
 * The rule (for a component c of effective size n_c = N·w_c, N the rows' total weight):
 * 1. **Too few rows** for its covariance model: n_c < d + 1 for a free full covariance (d + 1 points in general
 *    position span a non-singular covariance), n_c < 2 for diag and spherical (one row has zero variance), n_c < 1
 *    for tied (the pooled covariance needs no rows of the component, its mean needs one).
 * 2. **A variance at the floor**: a direction v of its covariance (an eigenvector of Σ_c; the axes for diag; any for
 *    spherical; the shared covariance's for tied) whose variance λ_v is at most
 *    max(10·regCovar, 1e-10·s_v) — regCovar is at least a tenth of it, the rows of the component coincide in v —
 *    while the data's spread s_v in that direction is at least 100·λ_v. The data's spread is
 *    s_v = min(vᵀ S v, Σ_j v_j² q_j), S the data's covariance and q_j the square of feature j's interquartile range
 *    over 1.349 (the variance of a normal with that IQR): a direction counts only when the bulk of the data varies
 *    in it, so a feature that is constant on most rows (a rare pixel, a 0/1 feature with few ones) does not make
 *    every cluster that lacks its rare values degenerate, while a component sitting on equal values of a feature
 *    that most rows spread over (Old Faithful's integer waiting times) is. And the component must hold more than half
 *    of the data's rows at its value in that direction (rows within 4·√λ_v of its mean there): a component that
 *    merely shares a value many other rows have (a pixel that is 0 in most images) is a cluster of a discrete
 *    feature, while one that takes nearly all the rows of a value has collapsed onto them.
 *
 * With a conjugate prior (`prior`, `src/families/gaussian-prior.ts`) a component cannot collapse: its covariance is
 * at least the prior's scale over (ν + n_c + d + 2), proper whatever n_c. Rule 1 is then not applied (a component of
 * a few rows is what the prior is for, as in mclust); rule 2 still is, and flags only a variance that the prior
 * leaves at the floor, far below the data's spread.
 *
 * Restarts and start candidates rank a solution without degenerate components above one with them, whatever their
 * likelihoods (`src/em/driver.ts`, `isBetterRun`); `selectModel` shows degenerate cells but does not choose them.
 */
import { COVARIANCE_MODELS, covarianceLayout, type CovarianceType, type GaussianParams } from './gaussian.js';
import type { InitData, Matrix } from '../matrix.js';
import { symmetricEigen } from '../linalg.js';
import { Rng } from '../rng.js';

/** Rows from which the data's spread is measured at most; more are represented by a uniform sample. */
export const SPREAD_SAMPLE_ROWS = 20_000;

/**
 * The data's spread that the variance rule compares with, measured on rows (all, or a uniform sample) with their
 * weights. The per-feature variances are computed at once; the covariance and the interquartile ranges only when a
 * variance of a fit is near the floor (they cost a pass of d² per row and a sort per feature).
 */
export class DataSpread {
  readonly d: number;
  /** Their total weight. */
  readonly total: number;
  /** Per feature, the weighted variance of its observed entries. */
  readonly variance: Float64Array;
  private readonly mean: Float64Array;
  private cov: Float64Array | null = null;
  private robust: Float64Array | null = null;

  /** @param rows the rows measured; @param weights their weights (null: unit) */
  constructor(readonly rows: Matrix, readonly weights: Float64Array | null) {
    const { rows: n, cols: d, data } = rows;
    this.d = d;
    const mean = new Float64Array(d);
    const mass = new Float64Array(d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights === null ? 1 : weights[i];
      total += w;
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j];
        if (v === v) {
          mean[j] += w * v;
          mass[j] += w;
        }
      }
    }
    for (let j = 0; j < d; j++) mean[j] = mass[j] > 0 ? mean[j] / mass[j] : 0;
    const variance = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const w = weights === null ? 1 : weights[i];
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j];
        if (v === v) variance[j] += w * (v - mean[j]) ** 2;
      }
    }
    for (let j = 0; j < d; j++) variance[j] = mass[j] > 0 ? variance[j] / mass[j] : 0;
    this.mean = mean;
    this.variance = variance;
    this.total = total;
  }

  /** d×d covariance of the rows (weighted; a missing entry counts as its column's mean). */
  get covariance(): Float64Array {
    if (this.cov !== null) return this.cov;
    const { rows: n, cols: d, data } = this.rows;
    const covariance = new Float64Array(d * d);
    const diff = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const w = this.weights === null ? 1 : this.weights[i];
      for (let j = 0; j < d; j++) {
        const v = data[i * d + j];
        diff[j] = v === v ? v - this.mean[j] : 0;
      }
      for (let a = 0; a < d; a++) {
        const t = w * diff[a];
        if (t === 0) continue;
        for (let b = a; b < d; b++) covariance[a * d + b] += t * diff[b];
      }
    }
    const total = Math.max(this.total, Number.MIN_VALUE);
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) covariance[b * d + a] = covariance[a * d + b] /= total;
    }
    return (this.cov = covariance);
  }

  /** Per feature, (IQR / 1.349)² over its observed entries (weighted quantiles). */
  get robustVariance(): Float64Array {
    if (this.robust !== null) return this.robust;
    const { rows: n, cols: d, data } = this.rows;
    const robust = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const values: number[] = [];
      const weights: number[] = [];
      for (let i = 0; i < n; i++) {
        const v = data[i * d + j];
        const w = this.weights === null ? 1 : this.weights[i];
        if (v === v && w > 0) {
          values.push(v);
          weights.push(w);
        }
      }
      const iqr = values.length === 0 ? 0 : interquartileRange(values, this.weights === null ? null : weights);
      robust[j] = (iqr / 1.349) ** 2;
    }
    return (this.robust = robust);
  }
}

/** The weighted third minus first quartile (the lower value on a tie of the cumulative weight). */
function interquartileRange(values: number[], weights: number[] | null): number {
  if (weights === null) {
    const sorted = Float64Array.from(values).sort();
    const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
    return at(0.75) - at(0.25);
  }
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (const w of weights) total += w;
  const at = (p: number): number => {
    let acc = 0;
    for (const t of order) if ((acc += weights[t]) >= p * total) return values[t];
    return values[order[order.length - 1]];
  };
  return at(0.75) - at(0.25);
}

/**
 * A uniform sample of at most `SPREAD_SAMPLE_ROWS` rows of data fed block by block in row order (reservoir
 * sampling, Vitter 1985, Algorithm R, drawing from the seed's stream 3), so that a fit in memory and a streamed fit
 * over the same rows measure the same sample. All rows when there are no more.
 */
export class SpreadSample {
  private data = new Float64Array(0);
  private weights = new Float64Array(0);
  private held = 0;
  private seen = 0;
  private unit = true;
  private readonly rng: Rng;

  constructor(private readonly d: number, seed: number, private readonly capacity = SPREAD_SAMPLE_ROWS) {
    this.rng = new Rng(seed, 3);
  }

  /** Adds the rows of `block` (with their weights, null: unit). */
  add(block: Matrix, weights: Float64Array | null = null): void {
    const { d } = this;
    for (let i = 0; i < block.rows; i++, this.seen++) {
      const w = weights === null ? 1 : weights[i];
      let slot = this.held;
      if (this.seen < this.capacity) {
        if (this.held === this.weights.length) this.grow();
        this.held++;
      } else {
        slot = this.rng.int(this.seen + 1);
        if (slot >= this.capacity) continue;
      }
      const from = block.data;
      const to = this.data;
      for (let j = 0, a = i * d, b = slot * d; j < d; j++) to[b + j] = from[a + j];
      this.weights[slot] = w;
      if (w !== 1) this.unit = false;
    }
  }

  /** Doubles the room for rows, up to the capacity. */
  private grow(): void {
    const rows = Math.min(this.capacity, Math.max(1024, 2 * this.weights.length));
    const data = new Float64Array(rows * this.d);
    data.set(this.data);
    const weights = new Float64Array(rows);
    weights.set(this.weights);
    this.data = data;
    this.weights = weights;
  }

  /** The spread of the sample. */
  spread(): DataSpread {
    const m = this.held;
    return new DataSpread({ data: this.data.subarray(0, m * this.d), rows: m, cols: this.d },
      this.unit ? null : this.weights.subarray(0, m));
  }
}

/**
 * The data's spread (`DataSpread`) from the rows of `data` (all, or the `SpreadSample` of them when there are more
 * than `SPREAD_SAMPLE_ROWS`).
 * @example
 * const spread = dataSpread({ X: { data: Float64Array.of(0, 1, 2, 3), rows: 4, cols: 1 }, weights: null }, 0);
 * spread.robustVariance[0]; // (IQR 2 / 1.349)²
 */
export function dataSpread(data: InitData, seed: number): DataSpread {
  const { X, weights } = data;
  if (X.rows <= SPREAD_SAMPLE_ROWS) return new DataSpread(X, weights);
  const sample = new SpreadSample(X.cols, seed);
  sample.add(X, weights);
  return sample.spread();
}

/** `DataSpread` of all rows of X with weights w (null: unit). */
export function spreadOfRows(X: Matrix, w: Float64Array | null): DataSpread {
  return new DataSpread(X, w);
}

/** Why a component is degenerate. */
export interface DegenerateComponent {
  /** Component index, 0-based. */
  readonly component: number;
  /** `'size'`: fewer rows than its covariance model needs; `'variance'`: a variance at the regCovar floor. */
  readonly reason: 'size' | 'variance';
  /** Its effective number of rows, N·w_c. */
  readonly size: number;
  /** The rows its covariance model needs (rule 1). */
  readonly needed: number;
  /** For `'variance'`: the smallest variance found at the floor, and the data's spread in that direction. */
  readonly variance?: number;
  readonly dataSpread?: number;
}

/** Rows a component of the covariance type needs in d dimensions (rule 1 of this module). */
export function rowsNeeded(type: CovarianceType, d: number): number {
  return COVARIANCE_MODELS[type].rowsNeeded(d);
}

/**
 * The degenerate components of `p` fitted to rows of total weight `total` with `regCovar` (the module's rule),
 * in component order; empty for a sound solution. With `prior` (the fit had a conjugate prior) rule 1 is left out.
 * @example
 * degenerateComponents(gm.params, 150, spread, 1e-6); // [] or [{ component: 4, reason: 'size', size: 1.0, needed: 5 }]
 */
export function degenerateComponents(
  p: GaussianParams, total: number, spreadOf: DataSpread | DeferredSpread, regCovar: number, prior = false,
): DegenerateComponent[] {
  const { k, d, covarianceType: type } = p;
  const needed = rowsNeeded(type, d);
  const out: DegenerateComponent[] = [];
  const layout = covarianceLayout(type);
  const bound = spreadOf instanceof DataSpread ? spreadOf.variance : spreadOf.varianceBound;
  // The spread is measured only for a covariance that may have a variance at the floor (`mayBeAtFloor`).
  const measured = (): DataSpread => (spreadOf instanceof DataSpread ? spreadOf : spreadOf.spread);
  const shared = layout !== 'matrix' ? null
    : mayBeAtFloor(p, 0, bound, regCovar) ? floorDirections(p.covariances, 0, d, measured(), regCovar) : [];
  for (let c = 0; c < k; c++) {
    const size = total * p.weights[c];
    if (size < needed && !prior) {
      out.push({ component: c, reason: 'size', size, needed });
      continue;
    }
    if (shared === null && !mayBeAtFloor(p, c, bound, regCovar)) continue;
    const spread = measured();
    const directions = shared ?? (layout === 'matrices' ? floorDirections(p.covariances, c * d * d, d, spread, regCovar)
      : layout === 'vectors' ? floorAxes(p.covariances, c * d, d, spread, regCovar)
      : floorSpherical(p.covariances[c], spread, regCovar));
    let found: FloorDirection | null = null;
    for (const f of directions) {
      if ((found === null || f.variance < found.variance)
        && takesItsValue(f.v, p.means, c * d, f.variance, size, spread, total)) found = f;
    }
    if (found !== null) {
      out.push({ component: c, reason: 'variance', size, needed, variance: found.variance, dataSpread: found.dataSpread });
    }
  }
  return out;
}

/**
 * Whether component c of `p` (component 0: the shared matrix) may have a variance at the floor, judged from `bound`, a
 * per-feature upper bound of the data's variances: `atFloor` needs λ ≤ max(10·regCovar, 1e-10·s) with s at most the
 * trace of the spread (matrices), its variance on the axis (diagonals) or the largest variance (spherical), and the
 * smallest eigenvalue of Σ is at least 1 / tr(Σ⁻¹). False settles the rule without measuring the spread.
 */
function mayBeAtFloor(p: GaussianParams, c: number, bound: Float64Array, regCovar: number): boolean {
  const { d, covariances: cov } = p;
  const floor = (s: number): number => Math.max(10 * regCovar, 1e-10 * s);
  switch (covarianceLayout(p.covarianceType)) {
    case 'matrices':
    case 'matrix': {
      let trace = 0;
      for (let j = 0; j < d; j++) trace += bound[j];
      const inverseTrace = traceOfInverse(cov, c * d * d, d);
      return inverseTrace === null || !(1 / inverseTrace > floor(trace));
    }
    case 'vectors':
      for (let j = 0; j < d; j++) if (!(cov[c * d + j] > floor(bound[j]))) return true;
      return false;
    case 'scalars':
      return !(cov[c] > floor(Math.max(...bound)));
  }
}

/**
 * The data's spread measured when first needed (`degenerateComponents` rarely needs it), with a per-feature upper
 * bound of its variances known at once: `(max_j − min_j)² / 4` over the rows (Popoviciu's inequality), which bounds
 * the variance of any weighted subset of them, the sample included.
 */
export class DeferredSpread {
  private value: DataSpread | null = null;

  /** @param measure computes the spread (as `dataSpread`); @param varianceBound d upper bounds of its variances */
  constructor(private readonly measure: () => DataSpread, readonly varianceBound: Float64Array) {}

  /** The spread, measured on first use. */
  get spread(): DataSpread {
    return (this.value ??= this.measure());
  }
}

/**
 * The spread of `dataSpread(data, seed)`, measured when first needed, with variances bounded by the column extremes
 * `mins`, `maxs` of the rows.
 */
export function deferredSpread(data: InitData, seed: number, mins: Float64Array, maxs: Float64Array): DeferredSpread {
  const bound = mins.map((lo, j) => (Number.isFinite(lo) && Number.isFinite(maxs[j]) ? (maxs[j] - lo) ** 2 / 4 : Infinity));
  return new DeferredSpread(() => dataSpread(data, seed), bound);
}

/** A variance λ at the floor in a direction whose data spread s is far larger (rule 2's first part). */
function atFloor(lambda: number, s: number, regCovar: number): boolean {
  return lambda <= Math.max(10 * regCovar, 1e-10 * s) && s >= 100 * lambda && s > 0;
}

/**
 * Rule 2's second part: the weight of the data's rows within 4·√λ of the component's mean `mu` in direction `v`
 * (scaled from the measured rows to all `total`) is less than twice the component's size.
 */
function takesItsValue(
  v: Float64Array, mu: Float64Array, muOff: number, lambda: number, size: number, spread: DataSpread, total: number,
): boolean {
  const { rows, weights } = spread;
  const d = rows.cols;
  let centre = 0;
  for (let j = 0; j < d; j++) centre += v[j] * mu[muOff + j];
  const width = 4 * Math.sqrt(lambda);
  let at = 0;
  for (let i = 0; i < rows.rows; i++) {
    let t = 0;
    for (let j = 0; j < d; j++) if (v[j] !== 0) t += v[j] * rows.data[i * d + j];
    if (Math.abs(t - centre) <= width) at += weights === null ? 1 : weights[i];
  }
  return (at * total) / Math.max(spread.total, Number.MIN_VALUE) < 2 * size;
}

/** A direction v of a covariance with its variance at the floor where the data spread far more (rule 2, first part). */
interface FloorDirection {
  readonly v: Float64Array;
  readonly variance: number;
  readonly dataSpread: number;
}

function axis(d: number, j: number): Float64Array {
  const v = new Float64Array(d);
  v[j] = 1;
  return v;
}

function floorSpherical(lambda: number, spread: DataSpread, regCovar: number): FloorDirection[] {
  const { d, variance } = spread;
  // The spread is at most the largest variance: the rule cannot hold when it fails with that.
  if (!atFloor(lambda, Math.max(...variance), regCovar)) return [];
  const { covariance, robustVariance } = spread;
  let s = 0;
  let at = 0;
  for (let j = 0; j < d; j++) {
    const sj = Math.min(covariance[j * d + j], robustVariance[j]);
    if (sj > s) {
      s = sj;
      at = j;
    }
  }
  return atFloor(lambda, s, regCovar) ? [{ v: axis(d, at), variance: lambda, dataSpread: s }] : [];
}

function floorAxes(cov: Float64Array, off: number, d: number, spread: DataSpread, regCovar: number): FloorDirection[] {
  const out: FloorDirection[] = [];
  for (let j = 0; j < d; j++) {
    // The spread is at most the variance: the rule cannot hold when it fails with that.
    if (!atFloor(cov[off + j], spread.variance[j], regCovar)) continue;
    const s = Math.min(spread.variance[j], spread.robustVariance[j]);
    if (atFloor(cov[off + j], s, regCovar)) out.push({ v: axis(d, j), variance: cov[off + j], dataSpread: s });
  }
  return out;
}

/**
 * Rule 2 for a full d×d covariance at `off`: the eigen-directions of Σ with λ ≤ max(10·regCovar, 1e-10·trace S)
 * span the floor space; within it the directions of the data's covariance are examined (so that several equal floor
 * variances, whose eigenvectors are any basis of their space, do not hide one the data spreads over).
 */
function floorDirections(
  cov: Float64Array, off: number, d: number, spread: DataSpread, regCovar: number,
): FloorDirection[] {
  let traceS = 0;
  for (let j = 0; j < d; j++) traceS += spread.variance[j];
  const threshold = Math.max(10 * regCovar, 1e-10 * traceS);
  // Cheap exclusion, without an eigendecomposition: λ_min ≥ 1 / trace(Σ⁻¹), so no eigenvalue is at the floor when
  // 1 / trace(Σ⁻¹) exceeds the threshold.
  const inverseTrace = traceOfInverse(cov, off, d);
  if (inverseTrace !== null && 1 / inverseTrace > threshold) return [];
  const { values, vectors } = symmetricEigen(cov, off, d);
  const floor: number[] = [];
  for (let t = 0; t < d; t++) if (values[t] <= threshold) floor.push(t);
  if (floor.length === 0) return [];
  const S = spread.covariance;
  const m = floor.length;
  // B = Vᵀ S V over the floor space (m×m), and its eigenvectors rotate the floor basis.
  const V = new Float64Array(d * m);
  floor.forEach((t, col) => { for (let j = 0; j < d; j++) V[j * m + col] = vectors[j * d + t]; });
  const SV = new Float64Array(d * m);
  for (let i = 0; i < d; i++) {
    for (let b = 0; b < m; b++) {
      let si = 0;
      for (let j = 0; j < d; j++) si += S[i * d + j] * V[j * m + b];
      SV[i * m + b] = si;
    }
  }
  const B = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let t = 0;
      for (let i = 0; i < d; i++) t += V[i * m + a] * SV[i * m + b];
      B[a * m + b] = B[b * m + a] = t;
    }
  }
  const rotation = symmetricEigen(B, 0, m);
  const out: FloorDirection[] = [];
  for (let t = 0; t < m; t++) {
    const w = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let x = 0;
      for (let a = 0; a < m; a++) x += V[j * m + a] * rotation.vectors[a * m + t];
      w[j] = x;
    }
    let plain = 0;
    let robust = 0;
    let lambda = 0;
    for (let a = 0; a < d; a++) {
      robust += w[a] * w[a] * spread.robustVariance[a];
      for (let b = 0; b < d; b++) {
        plain += w[a] * S[a * d + b] * w[b];
        lambda += w[a] * cov[off + a * d + b] * w[b];
      }
    }
    const s = Math.min(plain, robust);
    if (atFloor(lambda, s, regCovar)) out.push({ v: w, variance: lambda, dataSpread: s });
  }
  return out;
}

/** trace(Σ⁻¹) of the d×d matrix at `off` by a Cholesky factorization, or null when it is not positive definite. */
function traceOfInverse(A: Float64Array, off: number, d: number): number | null {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[off + i * d + j];
      for (let t = 0; t < j; t++) s -= L[i * d + t] * L[j * d + t];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * d + i] = Math.sqrt(s);
      } else {
        L[i * d + j] = s / L[j * d + j];
      }
    }
  }
  // trace(Σ⁻¹) = ‖L⁻¹‖_F²: solve L X = I column by column.
  let trace = 0;
  const x = new Float64Array(d);
  for (let col = 0; col < d; col++) {
    for (let i = 0; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let t = col; t < i; t++) s -= L[i * d + t] * x[t];
      x[i] = i < col ? 0 : s / L[i * d + i];
      trace += x[i] * x[i];
    }
  }
  return trace;
}

/**
 * What `onWarning` says of degenerate components: which, why, and what to do (`prior`: the fit had one, so a
 * stronger one is the advice).
 */
export function degenerateMessage(
  found: readonly DegenerateComponent[], type: CovarianceType, k: number, prior = false,
): string {
  const parts = found.map((f) => f.reason === 'size'
    ? `component ${f.component} holds ${f.size.toPrecision(3)} rows (its ${type} covariance needs ${f.needed})`
    : `component ${f.component} has a variance of ${f.variance!.toPrecision(3)} at the regCovar floor where the ` +
      `data spread ${f.dataSpread!.toPrecision(3)}`);
  return `the fitted mixture is degenerate: ${parts.join('; ')}. Its likelihood comes from collapsing onto a few ` +
    `rows, not from a cluster. Use fewer components than ${k}, ` +
    (prior ? 'a stronger prior (a larger prior.scale or prior.dof)' : "a prior (prior: 'default')") +
    ', or a simpler covariance ' +
    `model than '${type}' (e.g. 'tied' or 'diag')`;
}
