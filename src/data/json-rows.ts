import { ColumnBuilder } from './column-builder.js'
import type { Column, Table } from './table.js'

/**
 * Rows as JSON objects, one per Kafka message: reading a message's cells as the texts the CSV reader
 * would see (so types are inferred by the same rules), and writing a table's rows back out.
 */

/** A message's cells as [column, text] in the object's key order; null is '' (missing). */
export type JsonRowResult = { cells: [string, string][] } | { bad: string }

const utf8 = new TextDecoder('utf-8', { fatal: true })

function describeJson(v: unknown): string {
  if (v === null) return 'JSON null'
  if (Array.isArray(v)) return 'a JSON array'
  return `a JSON ${typeof v}`
}

/** Canonical array-index keys: JSON.parse moves them before the others, so their order must be read from the text. */
const INDEX_KEY = /^(0|[1-9]\d{0,9})$/

/**
 * The top-level keys of a JSON object text in written order, each once (first place wins).
 * Only called when an index-like key makes Object.keys disagree with the text.
 */
export function topLevelKeyOrder(text: string): string[] {
  const keys: string[] = []
  const seen = new Set<string>()
  let depth = 0
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string
        if (!seen.has(key)) {
          seen.add(key)
          keys.push(key)
        }
        expectKey = false
      }
      i = j
    } else if (ch === '{' || ch === '[') {
      depth++
      if (depth === 1) expectKey = true
    } else if (ch === '}' || ch === ']') {
      depth--
    } else if (ch === ',' && depth === 1) {
      expectKey = true
    }
  }
  return keys
}

/**
 * Decodes one message value. Bad: not UTF-8, not JSON, not an object, or a field holding an object or
 * an array. Numbers and booleans become their text (`String(v)`), strings stay as they are.
 */
export function parseJsonRow(value: Uint8Array): JsonRowResult {
  let text: string
  try {
    text = utf8.decode(value)
  } catch {
    return { bad: 'not UTF-8 text' }
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return { bad: text.trim().length === 0 ? 'empty value' : 'not valid JSON' }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { bad: `${describeJson(doc)}, not an object` }
  const obj = doc as Record<string, unknown>
  let keys = Object.keys(obj)
  if (keys.some((k) => INDEX_KEY.test(k))) keys = topLevelKeyOrder(text)
  const cells: [string, string][] = []
  for (const key of keys) {
    const v = obj[key]
    if (v === null) cells.push([key, ''])
    else if (typeof v === 'string') cells.push([key, v])
    else if (typeof v === 'number') cells.push([key, Object.is(v, -0) ? '-0' : String(v)]) // String(-0) is "0"
    else if (typeof v === 'boolean') cells.push([key, String(v)])
    else return { bad: `field ${JSON.stringify(key)} holds ${Array.isArray(v) ? 'an array' : 'a nested object'}` }
  }
  return { cells }
}

/**
 * Builds a table from JSON rows whose keys may differ: the columns are the union of keys in first-seen
 * order (a column first seen at row i is missing in rows 0..i-1), or exactly `columns` when given.
 */
export class JsonTableBuilder {
  private readonly builders: ColumnBuilder[] = []
  private readonly index = new Map<string, number>()
  private readonly fixed: boolean
  private readonly seen: boolean[] = []
  private row: (string | undefined)[] = []
  rows = 0

  constructor(columns?: string[]) {
    this.fixed = columns !== undefined
    for (const name of columns ?? []) this.addColumn(name)
  }

  private addColumn(name: string): number {
    const builder = new ColumnBuilder(name)
    for (let i = 0; i < this.rows; i++) builder.push('')
    this.index.set(name, this.builders.length)
    this.builders.push(builder)
    this.seen.push(false)
    return this.builders.length - 1
  }

  add(cells: [string, string][]): void {
    const row = this.row
    row.length = this.builders.length
    row.fill(undefined)
    for (const [key, text] of cells) {
      let j = this.index.get(key)
      if (j === undefined) {
        if (this.fixed) continue
        j = this.addColumn(key)
      }
      row[j] = text
      this.seen[j] = true
    }
    for (let j = 0; j < this.builders.length; j++) this.builders[j].push(row[j] ?? '')
    this.rows++
  }

  /** Names of the fixed columns that no row had (a likely typo in --columns). */
  neverSeen(): string[] {
    return this.builders.filter((_, j) => !this.seen[j]).map((b) => b.name)
  }

  finish(): Column[] {
    return this.builders.map((b) => b.finish())
  }
}

/** Writes rows as JSON objects: numbers as numbers, booleans as booleans, missing as null, categories as strings. */
export class JsonRowEncoder {
  private readonly parts: ((row: number) => string)[]

  constructor(table: Table) {
    this.parts = table.columns.map((c, j) => {
      const prefix = `${j === 0 ? '' : ','}${JSON.stringify(c.name)}:`
      if (c.type === 'categorical') {
        const levels = c.levels.map((l) => JSON.stringify(l))
        return (i) => prefix + (c.codes[i] < 0 ? 'null' : levels[c.codes[i]])
      }
      if (c.type === 'boolean') return (i) => prefix + (Number.isNaN(c.values[i]) ? 'null' : c.values[i] === 1 ? 'true' : 'false')
      // JSON has no Infinity; "1e999" is read back as Infinity by the same number rules.
      return (i) => {
        const v = c.values[i]
        if (Number.isNaN(v)) return `${prefix}null`
        if (!Number.isFinite(v)) return prefix + (v > 0 ? '"1e999"' : '"-1e999"')
        return prefix + (Object.is(v, -0) ? '-0' : JSON.stringify(v))
      }
    })
  }

  encode(row: number): string {
    let s = '{'
    for (const part of this.parts) s += part(row)
    return `${s}}`
  }
}
