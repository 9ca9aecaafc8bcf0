import { readFileSync } from 'node:fs';

/** A numeric table read from a fixture CSV. */
export interface CsvTable {
  /** Column names from the header row. */
  readonly header: string[];
  /** Row-major values, rows×cols. */
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** The same values as nested arrays. */
  readonly array: number[][];
}

/**
 * Reads a fixture CSV: one header row, then comma-separated numbers (no quoting). Deliberately independent of the
 * library's CSV reader so that tests do not trust the code under test to load their reference data. Columns listed in
 * `skip` (by name) are dropped, e.g. the species name of `iris.labels.csv`.
 */
export function loadCsv(path: string | URL, skip: readonly string[] = []): CsvTable {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const allNames = lines[0]!.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const keep = allNames.map((h, j) => (skip.includes(h) ? -1 : j)).filter((j) => j >= 0);
  const header = keep.map((j) => allNames[j]!);
  const array = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== allNames.length) {
      throw new Error(`${String(path)}: row ${i + 2} has ${cells.length} fields, header has ${allNames.length}`);
    }
    return keep.map((j) => {
      const v = Number(cells[j]);
      if (cells[j]!.trim() === '' || !Number.isFinite(v)) {
        throw new Error(`${String(path)}: row ${i + 2}, column ${allNames[j]}: not a number: ${cells[j]}`);
      }
      return v;
    });
  });
  const rows = array.length;
  const cols = header.length;
  const data = new Float64Array(rows * cols);
  array.forEach((r, i) => data.set(r, i * cols));
  return { header, data, rows, cols, array };
}

/** Directory of the reference fixtures (faithful, iris and the scikit-learn / mclust figures). */
export const referenceDir = new URL('../fixtures/reference/', import.meta.url);

/** Loads one of the reference data sets by name (`'faithful'` or `'iris'`). */
export function loadReference(name: 'faithful' | 'iris'): CsvTable {
  return loadCsv(new URL(`${name}.csv`, referenceDir));
}
