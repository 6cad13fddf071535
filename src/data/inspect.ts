import { describeTable, type ColumnSchema } from './schema.js'
import type { Table } from './table.js'
import { prepareTarget, type Task } from './target.js'

export interface TargetSummary {
  name: string
  task: Task
  rowsWithTarget: number
  missing: number
  /** Classification: each class with its row count and share. */
  classes?: { label: string; count: number; share: number }[]
  /** Regression: summary of the values. */
  stats?: { mean: number; std: number; min: number; max: number }
}

export interface InspectReport {
  source: string
  rows: number
  columns: ColumnSchema[]
  fingerprint: string
  target?: TargetSummary
}

export function inspectTable(table: Table, target?: string, task?: Task): InspectReport {
  const report: InspectReport = { source: table.source, rows: table.nRows, columns: describeTable(table), fingerprint: table.fingerprint }
  if (target === undefined) return report
  const t = prepareTarget(table, target, task)
  const summary: TargetSummary = { name: t.name, task: t.task, rowsWithTarget: t.rows.length, missing: t.missing }
  if (t.classes) {
    summary.classes = t.classes.map((label, k) => ({ label, count: t.classCounts![k], share: t.classCounts![k] / t.rows.length }))
  } else {
    let sum = 0
    let min = Infinity
    let max = -Infinity
    for (const v of t.y) {
      sum += v
      if (v < min) min = v
      if (v > max) max = v
    }
    const mean = sum / t.y.length
    let ss = 0
    for (const v of t.y) ss += (v - mean) ** 2
    summary.stats = { mean, std: Math.sqrt(ss / t.y.length), min, max }
  }
  report.target = summary
  return report
}
