import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { UserError } from '../errors.js'
import { saveModel } from '../ir/io.js'
import type { ModelIR } from '../ir/model.js'
import type { Table } from '../data/table.js'
import { MLKAFKA_VERSION } from '../version.js'
import type { Leaderboard } from './leaderboard.js'
import type { SearchResult } from './search.js'

export function defaultRunDir(target: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return join('mlkafka-runs', `${stamp}-${target.replace(/[^A-Za-z0-9_.-]+/g, '_')}`)
}

export interface RunInfo {
  command: string[]
  seed: number
  source: string
  fingerprint: string
  rows: number
  /** Rows left out as their target was missing. */
  rowsWithoutTarget?: number
  /** Columns left out of training (--ignore, constant, row numbers). */
  columnsLeftOut?: { column: string; reason: string }[]
  options: Record<string, unknown>
}

/**
 * Writes a run directory: leaderboard.json, model.json (the winner refit on all rows, with its CV
 * metrics and the data's fingerprint), models/<id>.json for the kept models, run.json.
 */
export async function writeRunDir(dir: string, table: Table, result: SearchResult, info: RunInfo): Promise<{ modelPath: string }> {
  await mkdir(join(dir, 'models'), { recursive: true })
  const board = result.leaderboard
  const byId = new Map(board.rows.map((r) => [r.modelId, r]))
  const withTraining = (ir: ModelIR): ModelIR => {
    const row = byId.get(ir.modelId)!
    return {
      ...ir,
      training: {
        source: table.source,
        rows: info.rows,
        fingerprint: table.fingerprint,
        createdAt: new Date().toISOString(),
        mlkafkaVersion: MLKAFKA_VERSION,
        metric: board.metric,
        metrics: row.metrics as Record<string, number>,
      },
    }
  }
  const models = result.models.map(withTraining)
  for (const ir of models) await saveModel(join(dir, 'models', `${ir.modelId}.json`), ir)
  const modelPath = join(dir, 'model.json')
  // The winner's file again (a big forest is tens of MB: copied, not serialized twice).
  if (models.length > 0) await copyFile(join(dir, 'models', `${models[0].modelId}.json`), modelPath)
  await writeFile(join(dir, 'leaderboard.json'), JSON.stringify({ ...board, validation: result.validation }, null, 2) + '\n')
  await writeFile(
    join(dir, 'run.json'),
    JSON.stringify(
      {
        ...info,
        mlkafkaVersion: MLKAFKA_VERSION,
        node: process.version,
        validation: result.validation,
        strategy: result.strategy,
        rungs: result.rungs,
        screened: result.screened,
        stoppedBy: result.stoppedBy,
        elapsedMs: Math.round(result.elapsedMs),
        trials: board.rows.length,
        trialsFailed: result.trialsFailed,
        keptModels: models.map((m) => m.modelId),
      },
      null,
      2,
    ) + '\n',
  )
  return { modelPath }
}

export async function readLeaderboard(dir: string): Promise<Leaderboard> {
  const file = join(dir, 'leaderboard.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new UserError(`${file}: no leaderboard here. Pass a run directory written by \`mlkafka automl train\``)
  }
  try {
    return JSON.parse(text) as Leaderboard
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`)
  }
}
