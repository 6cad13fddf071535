import type { InspectReport } from '../data/inspect.js'
import { columnNotes } from '../data/schema.js'
import { freeTextNote } from '../data/select-columns.js'
import { DEFAULT_PIPELINE_OPTIONS } from '../features/pipeline.js'
import { cellSafe, formatNumber, formatPercent, renderTable } from './text-table.js'

/** Days since 1970-01-01 as an ISO date, with the time when there is one. */
function isoDay(days: number): string {
  const text = new Date(Math.round(days * 86_400_000)).toISOString()
  return Number.isInteger(days) ? text.slice(0, 10) : text.slice(0, 19).replace('T', ' ')
}

export function renderInspectReport(report: InspectReport): string {
  const out: string[] = []
  out.push(`${report.source}: ${report.rows} rows x ${report.columns.length} columns`)
  out.push('')
  const rows = report.columns.map((c) => {
    let range = ''
    if (c.topLevels) range = c.topLevels.map((l) => `${cellSafe(l.level, 16)} (${l.count})`).join(', ')
    else if (c.min !== undefined) range = c.dateCells ? `${isoDay(c.min)} .. ${isoDay(c.max!)}` : `${formatNumber(c.min)} .. ${formatNumber(c.max!)}`
    const marker = report.target?.name === c.name ? ' (target)' : ''
    return [cellSafe(c.name, 32, 'middle') + marker, c.dateCells ? 'date' : c.type, formatPercent(c.missing / report.rows), String(c.distinct), range]
  })
  out.push(renderTable(['column', 'type', 'missing', 'distinct', 'range / top levels'], rows, [false, false, true, true, false]))
  for (const c of report.columns) {
    out.push(...columnNotes(c, (row) => `data row ${row + 1}`))
    const freeText = c.type === 'categorical' && c.name !== report.target?.name && c.thousandsCells === undefined ? freeTextNote(c.name, c.distinct, report.rows - c.missing, report.rows, c.topLevels?.[0]?.count ?? 0, DEFAULT_PIPELINE_OPTIONS.minLevelCount) : null
    if (freeText !== null) out.push(freeText)
  }
  const t = report.target
  if (t) {
    out.push('')
    const dropped = t.missing > 0 ? `; ${t.missing} rows without a target are left out of training` : ''
    out.push(`target: ${t.name} -> ${t.task} (${t.rowsWithTarget} rows${dropped})`)
    if (t.classes) {
      out.push(
        renderTable(
          ['class', 'rows', 'share'],
          t.classes.map((c) => [cellSafe(c.label, 32, 'middle'), String(c.count), formatPercent(c.share)]),
          [false, true, true],
        ),
      )
      const shares = t.classes.map((c) => c.share)
      if (Math.min(...shares) < 0.1) out.push('note: the classes are imbalanced; training weighs classes as part of the search')
    } else if (t.stats) {
      const s = t.stats
      out.push(`mean ${formatNumber(s.mean)}, std ${formatNumber(s.std)}, min ${formatNumber(s.min)}, max ${formatNumber(s.max)}`)
    }
  }
  return out.join('\n')
}
