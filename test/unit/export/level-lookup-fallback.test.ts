/**
 * The perfect-hash level lookups (src/export/typescript/level-table.ts) on level sets a trained ordinal
 * column can hold (at most 254 levels, any text) that no small table fits: the printer falls back to a
 * Map lookup, quickly, and the scorer still agrees with the evaluator.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { headerFacts } from '../../../src/export/header.js'
import { planScorer } from '../../../src/export/scorer-plan.js'
import { levelTable } from '../../../src/export/typescript/level-table.js'
import { printTypeScript } from '../../../src/export/typescript/print.js'
import type { FlatTree, ModelIR } from '../../../src/ir/model.js'
import { tempDir } from '../../helpers/files.js'
import { compareWithEvaluator, compileScorers, importScorer, writeModule, type RawRecord } from '../../helpers/scorer-parity.js'

const dir = tempDir('mlkafka-scorer-review-')

/** The 32 multipliers level-table.ts tries (copied: MIX is not exported). */
const MIX = Array.from({ length: 32 }, (_, i) => Math.imul(2 * i + 1, 0x9e3779b1))

/**
 * 65 two-character levels. The hash is imul(imul(imul(2, m) ^ c0, m) ^ c1, m) (positions [0, -1]); for
 * each multiplier m a pair (c0, c1), (c0', c1') with imul(X ^ c0, m) and imul(X ^ c0', m) equal in their
 * top 16 bits, and c1 ^ c1' equal to the low 16 bits' difference, hashes alike. One pair per multiplier,
 * plus one level sharing a first character so that the hash must read both characters.
 */
function collidingLevels(): string[] {
  const levels: string[] = []
  const used = new Set<number>()
  for (const m of MIX) {
    const X = Math.imul(2, m)
    const byTop = new Map<number, number>()
    let pair: [number, number] | null = null
    for (let c = 0x100; c < 0xd800 && pair === null; c++) {
      if (used.has(c)) continue
      const top = Math.imul(X ^ c, m) >>> 16
      const other = byTop.get(top)
      if (other !== undefined) pair = [other, c]
      else byTop.set(top, c)
    }
    const [a, b] = pair!
    used.add(a)
    used.add(b)
    const delta = (Math.imul(X ^ a, m) ^ Math.imul(X ^ b, m)) & 0xffff
    levels.push(String.fromCharCode(a, 0x100), String.fromCharCode(b, 0x100 ^ delta))
  }
  levels.push(levels[0][0] + 'Z')
  return levels
}

function ordinalForest(levels: string[]): ModelIR {
  // Two trees splitting the level codes in halves and quarters.
  const split = (t: number): FlatTree => ({
    feature: [0, -1, -1],
    threshold: [t, 0, 0],
    left: [1, -1, -1],
    right: [2, -1, -1],
    missingLeft: [1, 0, 0],
    value: [0, t, -t],
  })
  const n = levels.length
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'colliding-levels',
    family: 'random_forest',
    params: {},
    input: { columns: [{ name: 'c', type: 'categorical' }] },
    target: { name: 'v', task: 'regression' },
    features: { encoding: 'tree', width: 1, steps: [{ kind: 'ordinal', column: 'c', levels, other: true }] },
    model: { type: 'trees', combine: 'average', outputs: 1, trees: [split(n / 2 - 0.5), split(n / 4 - 0.5), split((3 * n) / 4 - 0.5)] },
  }
}

describe('level tables on hostile level sets', () => {
  it('print a scorer for levels that collide under every multiplier, and score them like the evaluator', async () => {
    const levels = collidingLevels()
    expect(new Set(levels).size).toBe(65)
    const ir = ordinalForest(levels)
    const plan = planScorer(ir, { layout: 'compact' })
    const facts = headerFacts(ir, plan, new Date('2026-01-01T00:00:00Z'))
    const ts = printTypeScript(plan, facts, { lang: 'ts', name: 'Review', importPath: './scorer.js' })
    const file = writeModule(join(dir, 'ts'), 'colliding.ts', ts)
    expect(compileScorers(dir, [file]).output).toBe('')
    const records: RawRecord[] = [...levels, 'other', '', 'NA', null].map((c) => ({ c }))
    const report = compareWithEvaluator(ir, await importScorer(join(dir, 'out', 'ts', 'colliding.js')), records)
    expect(report.mismatches).toEqual([])
  }, 60_000)

  it('254 bitmask-like levels (each differs from the rest at one position): a Map lookup, printed at once, scoring like the evaluator', async () => {
    // "1000...", "0100...": telling them apart takes 253 characters; the greedy position search used to
    // take 104 s on these before it was bounded.
    const n = 254
    const levels = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, p) => (p === i ? '1' : '0')).join(''))
    expect(levelTable(levels.map((l, i): [string, number] => [l, i]))).toBeNull()
    const ir = ordinalForest(levels)
    const plan = planScorer(ir, { layout: 'compact' })
    const facts = headerFacts(ir, plan, new Date('2026-01-01T00:00:00Z'))
    const ts = printTypeScript(plan, facts, { lang: 'ts', name: 'Bitmask', importPath: './scorer.js' })
    expect(ts).toContain('new Map')
    const file = writeModule(join(dir, 'ts2'), 'bitmask.ts', ts)
    expect(compileScorers(dir, [file]).output).toBe('')
    const records: RawRecord[] = [...levels, levels[0].slice(1), 'other', '', null].map((c) => ({ c }))
    const report = compareWithEvaluator(ir, await importScorer(join(dir, 'out', 'ts2', 'bitmask.js')), records)
    expect(report.mismatches).toEqual([])
  }, 20_000)
})
