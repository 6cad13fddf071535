import { rmdirSync } from 'node:fs'
import { copyFile, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { UsageError, UserError } from '../errors.js'
import { saveModel } from '../ir/io.js'
import type { ModelIR } from '../ir/model.js'
import type { Table } from '../data/table.js'
import { MLKAFKA_VERSION } from '../version.js'
import type { Leaderboard, LeaderboardRow } from './leaderboard.js'
import type { SearchResult } from './search.js'

/** Where runs go without --out. */
export const DEFAULT_RUNS_DIR = 'mlkafka-runs'

export function defaultRunDir(target: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  // A long target name is cut: a folder name has at most 255 bytes.
  return join(DEFAULT_RUNS_DIR, `${stamp}-${target.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80)}`)
}

/**
 * The run directory, checked and made before the search, so that an --out that cannot hold a run fails
 * before the work rather than after it. Without --out: a new folder under mlkafka-runs/, with -2, -3...
 * after its name when a run started in the same second has it (parallel CI jobs). With --out: a new or
 * empty folder, or an earlier run's directory (with its run.json), whose files the new run replaces;
 * a folder of other files is refused, as is a file.
 */
export async function prepareRunDir(out: string | undefined, target: string, root = '.'): Promise<string> {
  const cannot = (dir: string, err: unknown): UserError =>
    new UserError(`${dir}: cannot create the run directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Check the path, or pass another with --out DIR`)
  if (out === undefined) {
    const base = join(root, defaultRunDir(target))
    await mkdir(dirname(base), { recursive: true }).catch((err: unknown) => {
      throw cannot(dirname(base), err)
    })
    for (let n = 1; ; n++) {
      const dir = n === 1 ? base : `${base}-${n}`
      try {
        await mkdir(dir)
        return dir
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw cannot(dir, err)
      }
    }
  }
  const existing = await stat(out).catch(() => null)
  if (existing && !existing.isDirectory()) throw new UsageError(`--out ${out} is a file: pass a folder for the run's files (it is created when missing)`)
  if (existing) {
    const entries = await readdir(out)
    if (entries.length > 0 && !entries.includes('run.json')) {
      throw new UsageError(`--out ${out} holds other files: pass a new or empty folder, or an earlier run's directory to replace that run`)
    }
  }
  await mkdir(out, { recursive: true }).catch((err: unknown) => {
    throw cannot(out, err)
  })
  return out
}

/**
 * Removes folders a run made (its run directory, then the runs folder it made for it) while they are
 * empty: the first that is not (or is gone) ends it. Synchronous, so a second Ctrl-C can call it on its
 * way out.
 */
export function dropEmptyDirs(dirs: string[]): void {
  for (const dir of dirs) {
    try {
      rmdirSync(dir)
    } catch {
      return
    }
  }
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
  // An earlier run in this directory leaves no model files behind that this run did not keep.
  const kept = new Set(models.map((ir) => `${ir.modelId}.json`))
  for (const name of await readdir(join(dir, 'models'))) if (name.endsWith('.json') && !kept.has(name)) await unlink(join(dir, 'models', name))
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

/**
 * A saved run's leaderboard. `path` is the run directory, or a file in it (model.json, leaderboard.json);
 * anything else is a one-line error that says what to pass.
 */
export async function readLeaderboard(path: string): Promise<{ dir: string; board: Leaderboard; stoppedBy?: string }> {
  const info = await stat(path).catch(() => null)
  if (info === null) throw new UserError(`${path}: no such directory. Pass a run directory written by \`mlkafka automl train\``)
  const dir = info.isDirectory() ? path : dirname(path)
  const file = join(dir, 'leaderboard.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    const what = info.isDirectory() ? `${path}: no leaderboard.json here` : `${path} is a file, and its folder has no leaderboard.json`
    throw new UserError(`${what}. Pass a run directory written by \`mlkafka automl train\``)
  }
  let board: Leaderboard
  try {
    board = JSON.parse(text) as Leaderboard
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`)
  }
  // A trial whose every fold scored NaN ranks last, and JSON wrote its NaN as null.
  const scoreOk = (v: unknown): boolean => typeof v === 'number' || v === null
  const rowOk = (r: unknown): boolean => {
    const row = r as Partial<LeaderboardRow> | null
    return row !== null && typeof row === 'object' && typeof row.modelId === 'string' && typeof row.family === 'string' && scoreOk(row.score) && typeof row.rank === 'number' && typeof row.metrics === 'object' && row.metrics !== null
  }
  if (board === null || typeof board !== 'object' || typeof board.metric !== 'string' || typeof board.task !== 'string' || !Array.isArray(board.rows) || board.rows.length === 0 || !board.rows.every(rowOk)) {
    throw new UserError(`${file}: not a leaderboard written by \`mlkafka automl train\` (it needs task, metric and ranked rows). Train again, or pass another run directory`)
  }
  const nan = (v: unknown): number => (v === null ? NaN : (v as number))
  for (const row of board.rows) {
    row.score = nan(row.score)
    row.scoreStd = nan(row.scoreStd)
    for (const [m, v] of Object.entries(row.metrics)) (row.metrics as Record<string, number>)[m] = nan(v)
  }
  // run.json says how the run ended (an interrupted run's board holds the trials that finished).
  const run = await readFile(join(dir, 'run.json'), 'utf8').then((t) => JSON.parse(t) as { stoppedBy?: unknown }).catch(() => null)
  return { dir, board, ...(typeof run?.stoppedBy === 'string' ? { stoppedBy: run.stoppedBy } : {}) }
}
