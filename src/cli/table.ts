/** Plain-text tables for the terminal. */

/** A column: its title and how its cells align. */
export interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
}

/**
 * Cells padded into aligned columns separated by two spaces, one line per row after the title line; trailing spaces
 * are trimmed. Every line ends with `\n`.
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, j) => Math.max(c.title.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    columns
      .map((c, j) => {
        const cell = cells[j] ?? '';
        return c.align === 'left' ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!);
      })
      .join('  ')
      .trimEnd() + '\n';
  return line(columns.map((c) => c.title)) + rows.map(line).join('');
}
