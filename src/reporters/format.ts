/** Dollars as a person reads them: $1.26, and $0.039 for sub-cent image prices. */
export function usd(amount: number): string {
  if (amount !== 0 && Math.abs(amount) < 0.1) return `$${amount.toFixed(3)}`;
  return `$${amount.toFixed(2)}`;
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A plain text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Past this many, a list of sequences is one line, not one line each. */
export const longList = 10;

/** "1,500 sequences wait for a pick: SEQ00001, SEQ00004, SEQ00007, … (cg status)" for a long list. */
export function summarized(ids: readonly string[], what: string, where: string): string {
  const shown = ids.slice(0, 3).join(', ');
  return `  ${thousands(ids.length)} sequences ${what}: ${shown}, … (${where})`;
}

/**
 * Warnings as printed: past `longList`, the first few and how many more (`where` says where to
 * see every one). A plan of 10,000 sequences without song times would otherwise print 10,000 lines.
 */
export function shortened(lines: readonly string[], where: string): string[] {
  if (lines.length <= longList) return [...lines];
  return [...lines.slice(0, 3), `… and ${thousands(lines.length - 3)} more like these (${where})`];
}

/** 1500 → "1,500", as en-US writes it (toLocaleString would load ICU's number formats: ~50 ms). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
