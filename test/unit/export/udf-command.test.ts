/**
 * `mlkafka export udf` as a command (the class run in-process, as oclif runs it): files written, next
 * steps printed, one-line errors for bad flags.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import ExportUdf from '../../../commands/export/udf.js'
import { fitModel } from '../../../src/learners/fit-model.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { decisionTree } from '../../../src/learners/trees.js'
import { REPO_ROOT } from '../../helpers/cli.js'
import { tempDir } from '../../helpers/files.js'
import { mixedTable } from '../../helpers/scorer-parity.js'

const dir = tempDir('mlkafka-udf-command-')
afterAll(shutdownForestPool)
afterEach(() => vi.restoreAllMocks())

async function modelFile(): Promise<string> {
  const data = mixedTable({ rows: 120, task: 'binary', seed: 2 })
  const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
  const ir = await fitModel(decisionTree as never, data.table, data.target, train, { ...decisionTree.defaultParams('binary'), maxDepth: 3 }, { modelId: 'tree-cmd', seed: 1 })
  const file = join(dir, 'model.json')
  writeFileSync(file, JSON.stringify(ir))
  return file
}

async function run(args: string[]): Promise<{ out: string; err: string; exit?: number }> {
  let out = ''
  let err = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true))
  vi.spyOn(ExportUdf.prototype, 'log').mockImplementation((s?: string) => void (out += `${s ?? ''}\n`))
  vi.spyOn(ExportUdf.prototype as unknown as { logJson(j: unknown): void }, 'logJson').mockImplementation((j: unknown) => void (out += JSON.stringify(j)))
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true))
  try {
    await ExportUdf.run(args, REPO_ROOT)
    return { out, err }
  } catch (e) {
    return { out, err, exit: (e as { oclif?: { exit?: number } }).oclif?.exit ?? -1 }
  }
}

describe('mlkafka export udf', () => {
  it('writes each target and prints the files and next steps; bad flags are one-line errors', async () => {
    const model = await modelFile()
    for (const target of ['kafka-streams', 'ksqldb', 'kafkajs']) {
      const out = join(dir, target)
      const r = await run(['--model', model, '--target', target, '--out', out, ...(target === 'kafkajs' ? [] : ['--package', 'com.acme.models'])])
      expect(r.exit, r.err).toBeUndefined()
      expect(r.out).toMatch(new RegExp(`^wrote ${target} project .* for "target" \\(binary\\) with tree-cmd \\(decision_tree\\)`))
      expect(r.out).toContain('next:')
      expect(existsSync(join(out, 'README.md'))).toBe(true)
    }
    expect(existsSync(join(dir, 'kafka-streams', 'src/main/java/com/acme/models/TargetScorer.java'))).toBe(true)
    expect(existsSync(join(dir, 'ksqldb', 'src/main/java/com/acme/models/PredictTargetUdf.java'))).toBe(true)
    expect(existsSync(join(dir, 'kafkajs', 'src/scorer.ts'))).toBe(true)

    const json = await run(['--model', model, '--target', 'ksqldb', '--out', join(dir, 'j'), '--name', 'Failure', '--json'])
    expect(JSON.parse(json.out)).toMatchObject({ target: 'ksqldb', out: join(dir, 'j'), modelId: 'tree-cmd', task: 'binary' })
    for (const file of JSON.parse(json.out).files as string[]) expect(file.startsWith(join(dir, 'j') + '/')).toBe(true)

    const badName = await run(['--model', model, '--target', 'ksqldb', '--out', join(dir, 'x'), '--name', 'class'])
    expect(badName.exit).toBe(2)
    expect(badName.err.trim().split('\n')).toHaveLength(1)
    expect(badName.err).toMatch(/^Error: --name "class": /)
    const badPackage = await run(['--model', model, '--target', 'ksqldb', '--out', join(dir, 'x'), '--package', 'Com.Bad-Name'])
    expect(badPackage.err).toMatch(/^Error: --package "Com.Bad-Name": /)
    const missing = await run(['--model', model, '--out', join(dir, 'x')])
    expect(missing.err).toMatch(/^Error: missing --target/)
    const noParent = await run(['--model', model, '--target', 'kafkajs', '--out', join(dir, 'no', 'such', 'dir')])
    expect(noParent.err).toMatch(/^Error: --out .*: folder .* does not exist/)
  }, 60_000)
})
