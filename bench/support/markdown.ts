/** Markdown rendering of the benchmark's tables: what it prints is what the results file holds. */

export type Cell = string | number;

/** A GitHub-flavoured table; numbers are grouped (1,234), and columns of figures are right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = rows.map((row) => row.map(formatCell));
  const isFigure = (cell: Cell) => typeof cell === 'number' || /^(\*\*)?[\d.,]+(\*\*)?( |×|%|$)/.test(cell);
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => isFigure(row[column])));
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${numeric.map((right) => (right ? '---:' : '---')).join('|')}|`,
    ...text.map((row) => `| ${row.join(' | ')} |`),
  ];
  return lines.join('\n');
}

export function formatCell(value: Cell): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `ok` or a plainly visible failure, for target and limit columns. */
export function verdict(met: boolean): string {
  return met ? 'met' : '**NOT MET**';
}
