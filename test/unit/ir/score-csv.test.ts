import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { ModelIR } from '../../../src/ir/model.js'
import { overflowingModel } from '../../helpers/ir-fixtures.js'
import { scoreCsv } from '../../../src/ir/score-csv.js'
import { NO_SCORE } from '../../../src/export/record-rules.js'
import { tempDir, writeFixture } from '../../helpers/files.js'

const dir = tempDir()

const overflowing = overflowingModel()

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
    expect(problems).toEqual([{ line: 3, message: NO_SCORE }])
    expect(lines[2]).toBe(`1e10,-1e10,,,,,${NO_SCORE}`)
  })
})
