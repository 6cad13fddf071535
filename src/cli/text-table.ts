/** Renders rows as an aligned plain-text table (numbers right-aligned). */
export function renderTable(header: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, j) => (rightAligned[j] ? c.padStart(widths[j]) : c.padEnd(widths[j])))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** A number in at most `digits` significant digits, without exponent noise for ordinary sizes. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v)
  if (Number.isInteger(v) && Math.abs(v) < 1e12) return String(v)
  const abs = Math.abs(v)
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return v.toExponential(digits - 1)
  return String(Number(v.toPrecision(digits)))
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%`
}

/**
 * Shortens a user-supplied text for a table cell and makes control characters visible. `middle` cuts
 * out the middle instead of the end, for names that differ at the end (`..._front`, `..._rear`).
 */
export function cellSafe(s: string, max = 24, cut: 'end' | 'middle' = 'end'): string {
  const visible = JSON.stringify(s).slice(1, -1)
  if (visible.length <= max) return visible
  if (cut === 'end') return `${visible.slice(0, max - 1)}…`
  const head = Math.ceil((max - 1) / 2)
  return `${visible.slice(0, head)}…${visible.slice(visible.length - (max - 1 - head))}`
}
