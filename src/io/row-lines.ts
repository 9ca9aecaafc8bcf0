/**
 * The file line of each row of a table read from CSV, kept in a few numbers: rows follow each other on consecutive
 * lines except after a quoted field that holds a line break, so only those jumps are stored.
 */
export class RowLines {
  /** Rows where a run of consecutive lines starts, and the line of that row (parallel, increasing). */
  private readonly runRows: number[] = [];
  private readonly runLines: number[] = [];
  private rows = 0;
  private nextLine = -1;

  /** Records that the next row (row `count`, 0-based) starts on 1-based file line `line`. */
  add(line: number): void {
    if (line !== this.nextLine) {
      this.runRows.push(this.rows);
      this.runLines.push(line);
    }
    this.rows++;
    this.nextLine = line + 1;
  }

  /** Number of rows recorded. */
  get count(): number {
    return this.rows;
  }

  /** The 1-based file line of row `row` (0-based); −1 when no such row was recorded. */
  line(row: number): number {
    if (!(row >= 0 && row < this.rows)) return -1;
    // The last run starting at or before `row`.
    let lo = 0;
    let hi = this.runRows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runRows[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return this.runLines[lo]! + (row - this.runRows[lo]!);
  }
}
