/**
 * What a generated scorer's header says about its model, as plain text lines for any printer:
 * model id, family, key params, leaderboard metric, training data, dates, mlkafka version, layout.
 * Lines may hold any text from the model (names, paths): printers make them safe for a comment.
 */
import { keyParams } from '../automl/space.js'
import type { ModelIR } from '../ir/model.js'
import { FAMILIES, type Family } from '../learners/learner.js'
import { MLKAFKA_VERSION } from '../version.js'
import type { PlanTreeNode, ScorerPlan } from './scorer-plan.js'

export interface HeaderFacts {
  title: string
  lines: string[]
  /** A few fields of a plausible record, for the usage example. */
  example: [string, number | string | boolean][]
}

function paramText(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return `[${value.join(', ')}]`
  return null
}

/** The params the leaderboard shows for the family; all simple params for a family this version does not know. */
function keyParamsText(ir: ModelIR): string {
  const known = (FAMILIES as readonly string[]).includes(ir.family)
  // A family's model with an ensemble body is its refit bagged (a net's: several nets averaged).
  if (ir.model?.type === 'ensemble' && Array.isArray(ir.model.members) && !known) {
    return `of ${ir.model.members.map((m) => `${m?.modelId} (${m?.family}, weight ${typeof m?.weight === 'number' ? Number(m.weight.toPrecision(3)) : '?'})`).join(', ')}`
  }
  const params = ir.params ?? {}
  const shown = known ? { ...keyParams(ir.family as Family, params, ir.target.task), ...(params.bag !== undefined ? { bag: params.bag } : {}) } : params
  const parts = Object.entries(shown).flatMap(([k, v]) => {
    const text = paramText(v)
    return text === null ? [] : [`${k}=${text}`]
  })
  return parts.length > 0 ? parts.join(' ') : '(defaults)'
}

const round = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v))

/** `command`: what wrote the code, for the header's `exported:` line. */
export function headerFacts(ir: ModelIR, plan: ScorerPlan, exportedAt: Date, command = 'mlkafka export scorer'): HeaderFacts {
  const what =
    plan.classes === null
      ? `${plan.task}: a number`
      : `${plan.task}: ${plan.classes.slice(0, 8).map((c) => JSON.stringify(c)).join(', ')}${plan.classes.length > 8 ? `, ... (${plan.classes.length} classes)` : ''}`
  const lines = [`model: ${plan.modelId} (${plan.family}) ${keyParamsText(ir)}`]
  const t = ir.training
  if (t?.metrics && Object.keys(t.metrics).length > 0) {
    const metrics = Object.entries(t.metrics).filter(([, v]) => typeof v === 'number')
    metrics.sort(([a], [b]) => (a === t.metric ? -1 : b === t.metric ? 1 : 0))
    lines.push(`leaderboard: ${metrics.map(([k, v]) => `${k} ${round(v)}${k === t.metric ? ' (ranking metric)' : ''}`).join(', ')}`)
  } else if (t?.metric) lines.push(`leaderboard metric: ${t.metric}`)
  if (t) {
    lines.push(`training data: ${t.source}, ${t.rows} rows, fingerprint ${t.fingerprint}`)
    lines.push(`trained: ${t.createdAt} with mlkafka ${t.mlkafkaVersion}`)
  } else lines.push('training data: not recorded in the model file')
  lines.push(`exported: ${exportedAt.toISOString()} by mlkafka ${MLKAFKA_VERSION} (\`${command}\`)`)
  lines.push(`inputs: ${plan.fields.length} fields -> ${plan.width} features; model printed as ${plan.layoutText}`)
  return { title: `mlkafka scorer: predicts ${JSON.stringify(plan.target)} (${what})`, lines, example: exampleRecord(plan) }
}

/** A value a tree splits feature `feature` at (the first split found), to make the example plausible. */
function splitValue(plan: ScorerPlan, feature: number): number | undefined {
  const m = plan.model
  if (m.kind !== 'trees') return undefined
  if (m.layout === 'compact') {
    // A split's left child is never itself (a leaf's is).
    for (let i = 0; i < m.threshold.length; i++) if (m.node[3 * i + 1] !== i && m.node[3 * i] >> 1 === feature) return m.threshold[i]
    return undefined
  }
  const stack: PlanTreeNode[] = [...m.trees]
  while (stack.length > 0) {
    const node = stack.shift()!
    if (node.leaf) continue
    if (node.feature === feature) return node.threshold
    stack.push(node.left, node.right)
  }
  return undefined
}

const plausible = (v: number | undefined): number => (v !== undefined && Number.isFinite(v) ? Number(v.toPrecision(3)) : 1)

/** The ISO date (UTC) `days` after 1970-01-01. */
function isoDateOf(days: number): string {
  const ms = Math.round(days) * 86_400_000
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString().slice(0, 10) : '2024-01-01'
}

/** Up to three fields with a typical value: the center of a numeric step or a split point, a known level, true. */
function exampleRecord(plan: ScorerPlan): [string, number | string | boolean][] {
  const out: [string, number | string | boolean][] = []
  for (const step of plan.steps) {
    if (out.length === 3) break
    if (out.some(([name]) => name === step.column)) continue
    if (step.reader === 'boolean') out.push([step.column, true])
    else if (step.kind === 'numeric' || step.kind === 'raw') {
      const v = step.kind === 'numeric' ? step.center : splitValue(plan, step.offset)
      // A date column is given as the ISO text it was trained from (it reads as days since 1970).
      out.push([step.column, step.isoDates ? isoDateOf(v ?? NaN) : plausible(v)])
    } else out.push([step.column, step.levels[0] ?? 'text'])
  }
  return out
}
