import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { ModelIR } from '../../../src/ir/model.js'
import { scoreCsv } from '../../../src/ir/score-csv.js'
import { tempDir, writeFixture } from '../../helpers/files.js'

const dir = tempDir()

/** A softmax model whose first class's score overflows to Infinity - Infinity (NaN) on big enough inputs. */
const overflowing: ModelIR = {
  format: 'mlkafka.model',
  version: 1,
  modelId: 'lin-overflow',
  family: 'logistic_regression',
  params: { C: 1 },
  input: { columns: [{ name: '__proto__', type: 'numeric' }, { name: 'b', type: 'numeric' }] },
  target: { name: 'y', task: 'multiclass', classes: ['x', 'y', 'z'] },
  features: {
    encoding: 'dense',
    width: 2,
    steps: [
      { kind: 'numeric', column: '__proto__', impute: 0, center: 0, scale: 1 },
      { kind: 'numeric', column: 'b', impute: 0, center: 0, scale: 1 },
    ],
  },
  model: { type: 'linear', link: 'softmax', weights: [[1e300, 1e300], [1, 0], [0, 1]], intercepts: [0, 0, 0] },
}

async function score(ir: ModelIR, csv: string): Promise<{ lines: string[]; problems: { line: number; message: string }[] }> {
  const out = new PassThrough()
  let text = ''
  out.on('data', (d: Buffer) => (text += d.toString('utf8')))
  const result = await scoreCsv(ir, writeFixture(dir, 'in.csv', csv), out)
  return { lines: text.trimEnd().split('\n'), problems: result.problems }
}

describe('scoreCsv (mlkafka predict)', () => {
  it('a column named __proto__ is read like any other (a plain object dropped it)', async () => {
    const { lines } = await score(overflowing, '__proto__,b\n0,0\n3,0\n')
    expect(lines[1]).toMatch(/^0,0,x,0\.333/)
    // 3e300 for x against 3 for y: x, with probability 1.
    expect(lines[2]).toBe('3,0,x,1,0,0,')
  })

  it('a row the model gives no number for (NaN) is a row problem with its line, not a prediction', async () => {
    const { lines, problems } = await score(overflowing, '__proto__,b\n1,1\n1e10,-1e10\n')
    expect(problems).toEqual([{ line: 3, message: 'the model gives no number for this row: a value is far outside the range training saw (near the limits of a double)' }])
    expect(lines[2]).toBe('1e10,-1e10,,,,,the model gives no number for this row: a value is far outside the range training saw (near the limits of a double)')
  })
})
