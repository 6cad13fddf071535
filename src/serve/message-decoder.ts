import { isUtf8 } from 'node:buffer'
import { parseCsvMessage } from '../data/csv.js'

/**
 * A message value as a record to score: UTF-8 text holding one JSON object, or (serve --format csv) one
 * CSV line whose fields --columns names, read as texts. Anything else is unscorable and goes to the
 * dead-letter topic with the reason (the same wording as `data inspect` and `automl train --topic`).
 */
export type DecodedMessage =
  | { ok: true; text: string; record: Record<string, unknown> }
  | { ok: false; kind: UnscorableKind; reason: string }

/** Why a message was not scored; the value of the `mlkafka-error-kind` header. */
export type UnscorableKind = 'tombstone' | 'not-utf8' | 'not-json' | 'not-object' | 'not-csv' | 'ill-typed-field'

function describeJson(v: unknown): string {
  if (v === null) return 'JSON null'
  if (Array.isArray(v)) return 'a JSON array'
  return `a JSON ${typeof v}`
}

/** `csvColumns`: the messages are CSV lines with these fields (serve --format csv --columns); else JSON objects. */
export function decodeMessage(value: Buffer | null, csvColumns?: readonly string[]): DecodedMessage {
  if (value === null) return { ok: false, kind: 'tombstone', reason: 'no value (a tombstone)' }
  if (!isUtf8(value)) return { ok: false, kind: 'not-utf8', reason: 'not UTF-8 text' }
  const text = value.toString('utf8')
  if (csvColumns) return decodeCsvLine(text, csvColumns)
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return { ok: false, kind: 'not-json', reason: text.trim().length === 0 ? 'empty value' : 'not valid JSON' }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, kind: 'not-object', reason: `${describeJson(doc)}, not an object` }
  return { ok: true, text, record: doc as Record<string, unknown> }
}

/**
 * One CSV line as a record of texts, one per --columns name (a blank field is an empty text: missing),
 * parsed as a CSV file's lines are (a byte-order mark and blank lines ignored). A header line (the
 * --columns names themselves, as `kafka-console-producer < file.csv` sends first) is no row.
 */
function decodeCsvLine(text: string, columns: readonly string[]): DecodedMessage {
  const line = parseCsvMessage(text, columns)
  if ('bad' in line) return { ok: false, kind: 'not-csv', reason: line.bad }
  const { fields } = line
  // No prototype: a field named __proto__ is a field like any other (as predict reads it).
  const record: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  for (let j = 0; j < columns.length; j++) record[columns[j]] = fields[j]
  return { ok: true, text, record }
}
