import { isUtf8 } from 'node:buffer'

/**
 * A message value as a record to score: UTF-8 text holding one JSON object. Anything else is
 * unscorable and goes to the dead-letter topic with the reason (the same wording as `data inspect`).
 */
export type DecodedMessage =
  | { ok: true; text: string; record: Record<string, unknown> }
  | { ok: false; kind: UnscorableKind; reason: string }

/** Why a message was not scored; the value of the `mlkafka-error-kind` header. */
export type UnscorableKind = 'tombstone' | 'not-utf8' | 'not-json' | 'not-object' | 'ill-typed-field'

function describeJson(v: unknown): string {
  if (v === null) return 'JSON null'
  if (Array.isArray(v)) return 'a JSON array'
  return `a JSON ${typeof v}`
}

export function decodeMessage(value: Buffer | null): DecodedMessage {
  if (value === null) return { ok: false, kind: 'tombstone', reason: 'no value (a tombstone)' }
  if (!isUtf8(value)) return { ok: false, kind: 'not-utf8', reason: 'not UTF-8 text' }
  const text = value.toString('utf8')
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return { ok: false, kind: 'not-json', reason: text.trim().length === 0 ? 'empty value' : 'not valid JSON' }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, kind: 'not-object', reason: `${describeJson(doc)}, not an object` }
  return { ok: true, text, record: doc as Record<string, unknown> }
}
