import { describe, expect, it } from 'vitest'
import { buildUdfProject } from '../../../src/export/udf/index.js'
import type { ModelIR } from '../../../src/ir/model.js'
import { ridgeModel } from '../../helpers/ir-fixtures.js'

/** The ridge fixture as a softmax classifier over `n` classes. */
function manyClasses(n: number): ModelIR {
  const base = ridgeModel()
  const classes = Array.from({ length: n }, (_, i) => `c${i}`)
  return { ...base, target: { name: 'y', task: 'multiclass', classes }, model: { type: 'linear', link: 'softmax', weights: classes.map(() => [1]), intercepts: classes.map(() => 0) } }
}

describe('generated READMEs', () => {
  it('name the first 6 classes, and say there are more when there are (the rest were dropped without a word)', async () => {
    for (const target of ['kafkajs', 'kafka-streams', 'ksqldb'] as const) {
      const readme = (n: number) => buildUdfProject(manyClasses(n), { target }).then((p) => p.files.find((f) => f.path === 'README.md')!.content)
      const seven = await readme(7)
      expect(seven, target).toContain(target === 'ksqldb' ? '"c5", ... (7 in all)' : 'p\\_c5, ... (7 in all)')
      expect(seven).not.toContain('c6')
      expect(await readme(6)).not.toContain('in all)')
    }
  })
})

describe('the usage example in a scorer\'s header', () => {
  it('gives a date column as the ISO text it was trained from, not its days since 1970', async () => {
    const { exportScorer } = await import('../../../src/export/scorer.js')
    const ir: ModelIR = {
      ...ridgeModel(),
      input: { columns: [{ name: 'a', type: 'numeric', isoDates: true }] },
      features: { encoding: 'dense', width: 1, steps: [{ kind: 'numeric', column: 'a', impute: 19844, center: 19844.4, scale: 30 }] },
    }
    const { code } = exportScorer(ir, { lang: 'ts' })
    expect(code).toContain(' *   const { value } = score({ "a": "2024-05-01" })')
  })
})
