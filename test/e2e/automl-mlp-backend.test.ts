import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadModel } from '../../src/ir/io.js'
import { packageInstalled, tfjsNodeInstalled } from '../../src/learners/mlp-backend.js'
import { Random } from '../../src/learners/random.js'
import { runCli } from '../helpers/cli.js'
import { tempDir, writeFixture } from '../helpers/files.js'

const dir = tempDir()
const random = new Random(3)
const lines = ['a,b,c,y']
// Small and noisy: early stopping ends the default 64x64 net's fits in a few dozen epochs (TensorFlow.js's cpu backend is slow).
for (let i = 0; i < 120; i++) {
  const [a, b, c] = [random.normal(), random.normal(), random.normal()]
  lines.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${a * b + c + random.normal() > 0 ? 'yes' : 'no'}`)
}
const csv = writeFixture(dir, 'small.csv', lines.join('\n') + '\n')

function train(out: string, families: string, env: Record<string, string> = {}) {
  return runCli(['automl', 'train', '--csv', csv, '--target', 'y', '--families', families, '--max-trials', '1', '--folds', '2', '--workers', '1', '--json', '--out', join(dir, out)], { env, timeoutMs: 120_000 })
}

const backendLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('mlp backend:'))

describe('automl train says which backend trains its neural nets', () => {
  it.skipIf(tfjsNodeInstalled())('by default (no tfjs-node): one line, typed arrays', () => {
    const r = train('typed', 'mlp', { MLKAFKA_NN_BACKEND: '' })
    expect(r.status, r.stderr).toBe(0)
    expect(backendLines(r.stderr)).toEqual([expect.stringMatching(/^mlp backend: typed arrays \(\d+ threads?\)$/)])
  })

  it('MLKAFKA_NN_BACKEND=tfjs: TensorFlow.js trains, the line names its backend, the model file is an ordinary bag of mlp IRs', async () => {
    const expected = tfjsNodeInstalled() ? 'tensorflow' : packageInstalled('@tensorflow/tfjs-backend-wasm') ? 'wasm' : 'cpu'
    const r = train('tfjs', 'mlp', { MLKAFKA_NN_BACKEND: 'tfjs' })
    expect(r.status, r.stderr).toBe(0)
    expect(backendLines(r.stderr)).toEqual([`mlp backend: tfjs ${expected}`])
    // Nothing else of TensorFlow.js's on the terminal (it prints an "install tfjs-node" banner unless told not to).
    expect(r.stderr).not.toMatch(/TensorFlow\.js|tfjs-node/)
    const model = await loadModel(JSON.parse(r.stdout).winner.modelPath)
    // A net's refit is a bag of nets (see NET_BAG), each an ordinary mlp body.
    expect(model).toMatchObject({ family: 'mlp', params: { bag: 5 } })
    if (model.model.type !== 'ensemble') throw new Error('expected a bag of nets')
    expect(model.model.members.map((m) => m.model.type)).toEqual(['mlp', 'mlp', 'mlp', 'mlp', 'mlp'])
    expect(model.params).not.toHaveProperty('backend')
  })

  it('no line without the mlp family; a wrong MLKAFKA_NN_BACKEND is a one-line error before training', () => {
    const trees = train('trees', 'decision_tree')
    expect(trees.status, trees.stderr).toBe(0)
    expect(backendLines(trees.stderr)).toEqual([])
    const bad = train('bad', 'mlp', { MLKAFKA_NN_BACKEND: 'gpu' })
    expect(bad.status).toBe(1)
    // With --json the error comes as JSON on stdout.
    expect(JSON.parse(bad.stdout).error).toMatchObject({ kind: 'UserError', message: 'MLKAFKA_NN_BACKEND must be one of auto, typed, tfjs (got "gpu")' })
    expect(bad.stderr).not.toMatch(/trial 1/)
  })
})
