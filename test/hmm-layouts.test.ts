/**
 * What each shape of observations means to every HMM class (both backends): hmmlearn's `(X, lengths)` — X one
 * matrix of rows, a categorical X one column of symbols — and our list of sequences; the ambiguous shapes are refused
 * with a message that shows how to write each meaning.
 */
import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, InputError, PoissonHMM } from '../src/index.js';

const BACKENDS = ['js', 'wasm'] as const;

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe.each(BACKENDS)('HMM layouts (%s backend)', (backend) => {
  const symbols = [0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 1, 1, 2, 2];
  const fitCat = (X: unknown, options?: { lengths?: number[] } | number[]) =>
    new CategoricalHMM({ nStates: 3, seed: 3, maxIter: 20, backend }).fit(X as number[][], options);

  it("categorical: hmmlearn's (N, 1) column is one sequence, as the flat array", () => {
    const column = fitCat(symbols.map((s) => [s]));
    const flat = fitCat(symbols);
    expect(column.transMat.map((r) => Array.from(r))).toEqual(flat.transMat.map((r) => Array.from(r)));
    // One sequence of 24 has transitions to learn: the matrix is no longer the uniform start.
    expect(Math.max(...column.transMat.flatMap((r) => Array.from(r)))).toBeGreaterThan(0.5);
    expect(column.score(symbols.map((s) => [s]))).toBe(flat.score(symbols));
  });

  it('categorical: a column split by lengths equals the list of those sequences', () => {
    const lengths = [12, 12];
    const split = fitCat(symbols.map((s) => [s]), { lengths });
    const list = fitCat([symbols.slice(0, 12), symbols.slice(12)]);
    const flat = fitCat(symbols, { lengths });
    const columns = fitCat([symbols.slice(0, 12).map((s) => [s]), symbols.slice(12).map((s) => [s])]);
    for (const other of [list, flat, columns]) {
      expect(other.transMat.map((r) => Array.from(r))).toEqual(split.transMat.map((r) => Array.from(r)));
      expect(other.logLikelihood).toBe(split.logLikelihood);
    }
    expect(split.predict([[0], [1], [2]], { lengths: [2, 1] }).length).toBe(3);
  });

  it('categorical: sequences of length 1 are written with lengths; a list of sequences takes no lengths', () => {
    const ones = new CategoricalHMM({ nStates: 2, seed: 1, maxIter: 5, backend }).fit([[0], [1], [1], [0]], { lengths: [1, 1, 1, 1] });
    // No transition was observed, so the transition matrix keeps its uniform start.
    expect(ones.transMat.flatMap((r) => Array.from(r))).toEqual([0.5, 0.5, 0.5, 0.5]);
    const e = thrown(() => fitCat([[0, 1, 2], [1, 0]], { lengths: [3, 2] }));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).argument).toBe('options.lengths');
    expect(e.message).toMatch(/one column of symbols \(\[\[s0\], \[s1\], …\]\) or a flat array/);
  });

  it('categorical: bad rows name their place and say what a row may be', () => {
    expect(() => fitCat([[0], [1, 2], 3])).toThrow(/X\[2\]: expected a row like X\[0\]/);
    expect(() => fitCat([[[0], [1]], [[2, 1]]])).toThrow(/X\[1\]\[0\]: expected a one-symbol row \[s\]/);
    expect(() => fitCat([[0], [1.5]])).toThrow(/X\[1\]\[0\]: expected an integer symbol/);
    expect(() => fitCat({ data: [0, 1, 2, 3], rows: 2, cols: 2 })).toThrow(/X\.cols: expected 1/);
    expect(fitCat({ data: Int32Array.from(symbols), rows: 24, cols: 1 }).logLikelihood).toBe(fitCat(symbols).logLikelihood);
  });

  it('gaussian and poisson: number[][] is one matrix of rows; number[][][] a list of sequences', () => {
    const rows = [[0], [0.2], [5], [5.1], [0.1], [5.2]];
    const g = new GaussianHMM({ nStates: 2, seed: 1, maxIter: 10, backend }).fit(rows);
    expect(g.nFeatures).toBe(1);
    const byLengths = new GaussianHMM({ nStates: 2, seed: 1, maxIter: 10, backend }).fit(rows, { lengths: [3, 3] });
    const list = new GaussianHMM({ nStates: 2, seed: 1, maxIter: 10, backend }).fit([rows.slice(0, 3), rows.slice(3)]);
    expect(list.means.map((r) => Array.from(r))).toEqual(byLengths.means.map((r) => Array.from(r)));
    const counts = [[0], [1], [9], [8], [0], [10]];
    const p = new PoissonHMM({ nStates: 2, seed: 1, maxIter: 10, backend }).fit(counts, { lengths: [3, 3] });
    const pl = new PoissonHMM({ nStates: 2, seed: 1, maxIter: 10, backend }).fit([counts.slice(0, 3), counts.slice(3)]);
    expect(pl.lambdas.map((r) => Array.from(r))).toEqual(p.lambdas.map((r) => Array.from(r)));
  });

  it('gaussian and poisson: fewer rows than features (sequences written as rows) is refused, with each meaning', () => {
    const X = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]];
    for (const make of [() => new GaussianHMM({ nStates: 1, backend }), () => new PoissonHMM({ nStates: 1, backend })]) {
      const e = thrown(() => make().fit(X));
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).argument).toBe('X');
      expect(e.message).toMatch(/2 rows of 6 features: fewer observations than features/);
      expect(e.message).toMatch(/number\[\]\[\]\[\]/);
      expect(e.message).toMatch(/\{ nFeatures: 6 \}/);
      // Each meaning, written as the message says.
      expect(make().fit(X, { nFeatures: 6 }).nStates).toBe(1);
      expect(make().fit(X.map((s) => s.map((v) => [v]))).nStates).toBe(1);
    }
    // A fitted model's feature count decides; a mismatch says how X is read.
    const g = new GaussianHMM({ nStates: 1, backend }).fit([[1], [2], [3]]);
    expect(() => g.score([[1, 2, 3], [4, 5, 6]])).toThrow(/read as one matrix whose rows are observations/);
  });

  it('gaussian and poisson: rows of different lengths say how to write sequences', () => {
    for (const make of [() => new GaussianHMM({ nStates: 1, backend }), () => new PoissonHMM({ nStates: 1, backend })]) {
      const e = thrown(() => make().fit([[1, 2, 3], [4, 5]]));
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).argument).toBe('X[1]');
      expect(e.message).toMatch(/a list of T×d sequences \(number\[\]\[\]\[\]/);
    }
  });

  it("hmmlearn's positional lengths: an array in place of the options is { lengths }", () => {
    const rows = [[0], [0.2], [5], [5.1], [0.1], [5.2]];
    const a = new GaussianHMM({ nStates: 2, seed: 1, maxIter: 10, backend }).fit(rows, [3, 3]);
    const b = new GaussianHMM({ nStates: 2, seed: 1, maxIter: 10, backend }).fit(rows, { lengths: [3, 3] });
    expect(a.logLikelihood).toBe(b.logLikelihood);
    expect(a.score(rows, [3, 3])).toBe(b.score(rows, { lengths: [3, 3] }));
    expect(a.score(rows, Int32Array.of(2, 4))).toBe(b.score(rows, { lengths: [2, 4] }));
    expect(Array.from(a.predict(rows, [3, 3]))).toEqual(Array.from(b.predict(rows, { lengths: [3, 3] })));
    expect(a.decode(rows, [3, 3]).logProb).toBe(b.decode(rows, { lengths: [3, 3] }).logProb);
    expect(a.scoreSamples(rows, [1, 5]).logProb).toBe(b.scoreSamples(rows, { lengths: [1, 5] }).logProb);
    expect(() => a.score(rows, [3, 4])).toThrow(/options\.lengths: expected lengths summing to the number of observations \(6\)/);
    const c = fitCat(symbols.map((s) => [s]), [12, 12]);
    expect(c.logLikelihood).toBe(fitCat(symbols, { lengths: [12, 12] }).logLikelihood);
  });

  it('a flat number[] is a Gaussian error, a categorical sequence', () => {
    expect(() => new GaussianHMM({ nStates: 1, backend }).fit([1, 2, 3] as never)).toThrow(InputError);
    expect(fitCat([0, 1, 2, 1]).nSymbols).toBe(3);
  });
});
