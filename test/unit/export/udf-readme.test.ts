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
