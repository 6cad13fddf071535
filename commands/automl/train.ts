import { existsSync, statSync } from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { leaderboardJson, SELECTIONS, type Selection } from '../../src/automl/leaderboard.js'
import { DEFAULT_METRIC, METRICS_BY_TASK, type MetricName } from '../../src/automl/metrics.js'
import { DEFAULT_RUNS_DIR, dropEmptyDirs, prepareRunDir, writeRunDir } from '../../src/automl/run-files.js'
import { REPEAT_CV_UP_TO_ROWS, runSearch, SMALL_TABLE_REPEATS, useHoldoutFor } from '../../src/automl/search.js'
import { BaseCommand } from '../../src/cli/base-command.js'
import { parseDuration } from '../../src/cli/durations.js'
import { renderLeaderboard, SHOWN_ROWS } from '../../src/cli/render-leaderboard.js'
import { formatNumber } from '../../src/cli/text-table.js'
import { searchProgress } from '../../src/cli/search-progress.js'
import { rejectTopicOnlyFlags, topicSourceFlags } from '../../src/cli/kafka-flags.js'
import { csvFileOf, DELIMITER_HELP, readCsvFromFlags, readTopicFromFlags, type TopicReadSummary } from '../../src/cli/table-source.js'
import { textCellNotes } from '../../src/data/schema.js'
import { checkIgnored, freeTextNotes, identifierNotes, selectTrainingColumns } from '../../src/data/select-columns.js'
import type { Table } from '../../src/data/table.js'
import { parseTask, prepareTarget, TASKS } from '../../src/data/target.js'
import { UsageError, UserError } from '../../src/errors.js'
import { dirname, join } from 'node:path'
import { availableParallelism } from 'node:os'
import { resolveLang, writeScorer, usageHint } from '../../src/export/write-scorer.js'
import { loadModel } from '../../src/ir/io.js'
import { DEFAULT_PIPELINE_OPTIONS } from '../../src/features/pipeline.js'
import { canPrompt, promptConfirm, promptChoice, promptCsvFile, promptMany, promptTarget, promptText } from '../../src/cli/prompts.js'
import { defaultWorkers } from '../../src/learners/forest-pool.js'
import { FAMILIES, type Family } from '../../src/learners/learner.js'
import { mlpBackendLine } from '../../src/learners/mlp-backend.js'

export default class AutomlTrain extends BaseCommand {
  static override description =
    'Search decision trees, random forests, logistic regression and neural nets on a CSV file or a Kafka topic, rank them on a cross-validated leaderboard, and save the winner (refit on all rows) as a model IR.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --csv examples/car-sensors.csv --target failure',
    '<%= config.bin %> <%= command.id %> --csv examples/car-sensors.csv --target failure --max-trials 12 --seed 7 --json',
    '<%= config.bin %> <%= command.id %> --csv houses.csv --target price --metric mae --time-budget 5m --families random_forest,mlp',
    '<%= config.bin %> <%= command.id %> --csv customers.csv --target churned --ignore customer_id,signup_date',
    '<%= config.bin %> <%= command.id %> --topic car-sensors --brokers 127.0.0.1:9092 --target failure --max-messages 100000',
  ]

  static override enableJsonFlag = true

  static override args = {
    file: Args.string({ description: 'CSV file with a header row: the same as --csv', ignoreStdin: true }),
  }

  static override flags = {
    csv: Flags.string({ description: 'CSV file with a header row (or read a topic with --topic)' }),
    target: Flags.string({ char: 't', description: 'column to predict' }),
    task: Flags.string({ description: 'override the inferred task', options: [...TASKS] }),
    metric: Flags.string({ description: 'ranking metric (default: auc for binary, logloss for multiclass, rmse for regression)' }),
    ignore: Flags.string({ description: 'comma-separated columns to leave out of training (IDs, leaks); constant columns and row numbers are left out anyway' }),
    families: Flags.string({ description: `comma-separated model families (default: all: ${FAMILIES.join(',')})` }),
    'time-budget': Flags.string({ description: 'hard wall-clock limit for the whole run, e.g. 60s, 5m (default 60s unless --max-trials is given)' }),
    'max-trials': Flags.integer({ description: 'stop after this many trials (with --seed: an exactly reproducible run)', min: 1 }),
    strategy: Flags.string({ description: 'halving: successive halving (cheap trials on 1/9 and 1/3 of the rows, the best third promoted to all rows); random: every trial on all rows', options: ['halving', 'random'], default: 'halving' }),
    folds: Flags.integer({ description: 'cross-validation folds (left out: 5, or fewer for a tiny table or a binary class of 2 to 4 rows, with a note)', default: 5, min: 2, max: 20 }),
    repeats: Flags.integer({ description: `k-fold partitions averaged per trial (default: ${SMALL_TABLE_REPEATS} up to ${REPEAT_CV_UP_TO_ROWS.toLocaleString('en-US')} rows, where scores are noisy and trials cheap; else 1)`, min: 1, max: 10 }),
    selection: Flags.string({ description: 'how the winner is picked: one-se (a logistic/ridge regression within one standard error of the best score, else rank 1) or best (rank 1)', options: [...SELECTIONS], default: 'one-se' }),
    ensemble: Flags.boolean({
      description: 'also build an ensemble of the best models (a weighted average, chosen on their out-of-fold predictions); it wins when its CV score beats every single model. --no-ensemble: single models only (smaller, faster scorers)',
      default: true,
      allowNo: true,
    }),
    validation: Flags.string({ description: 'cv, holdout (20%), or auto (holdout above 100,000 rows; above 10,000 rows also when rows x columns exceed 10,000 per second of --time-budget)', options: ['auto', 'cv', 'holdout'], default: 'auto' }),
    seed: Flags.integer({ description: 'random seed', default: 1 }),
    workers: Flags.integer({ description: 'trials run at once, each on a worker thread (default: number of cores)', min: 1 }),
    out: Flags.string({ char: 'o', description: "run directory: a new or empty folder, or an earlier run's to replace it (default ./mlkafka-runs/<timestamp>-<target>)" }),
    delimiter: Flags.string({ char: 'd', description: DELIMITER_HELP }),
    ...topicSourceFlags,
  }

  async run(): Promise<object> {
    // The budget counts from the process's start (where performance.now() is 0): loading node and the
    // CLI is part of the wait a user times.
    let startedAt = 0
    const { args, flags: given } = await this.parse(AutomlTrain)
    const flags = { ...given, csv: csvFileOf(args.file, given.csv) }
    // A person at a terminal who left out --csv or --target is guided; CI and scripts get a usage error.
    const interactive = canPrompt(this.jsonEnabled())
    if (flags.csv !== undefined && flags.topic !== undefined) throw new UsageError('pass either --csv FILE or --topic NAME, not both')
    const fromTopic = flags.topic !== undefined
    const guided = interactive && ((!fromTopic && flags.csv === undefined) || flags.target === undefined)
    if (!interactive && !fromTopic && flags.csv === undefined) throw new UsageError('missing --csv FILE (or --topic NAME): the data to train on (no prompts without a terminal or in CI)')
    if (!interactive && flags.target === undefined) throw new UsageError('missing --target COL: the column to predict (see `mlkafka data inspect` for the columns)')
    let table: Table
    let topic: TopicReadSummary | undefined
    if (fromTopic) {
      if (flags.delimiter !== undefined) throw new UsageError('--delimiter only applies to a CSV file; for messages that are CSV lines use --format csv --columns a,b,c')
      ;({ table, topic } = await readTopicFromFlags({ ...flags, topic: flags.topic! }, this.jsonEnabled()))
    } else {
      rejectTopicOnlyFlags(flags, 'a CSV file')
      table = await readCsvFromFlags(flags.csv ?? (await promptCsvFile()), flags.delimiter)
    }
    // Header names are trimmed when read, so a target name is too.
    const ignore = (flags.ignore ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    const givenTask = parseTask(flags.task)
    // Mistakes no pick of a target column can mend end the session before the prompt (it would ask forever).
    checkIgnored(table, ignore)
    const prompted = (): Promise<string> => promptTarget(table, (name) => prepareTarget(selectTrainingColumns(table, name, ignore).table, name, givenTask))
    const targetName = (flags.target ?? (await prompted())).trim()
    const selected = selectTrainingColumns(table, targetName, ignore)
    table = selected.table
    let target = prepareTarget(table, targetName, givenTask)
    if (guided && flags.task === undefined) {
      // Only the tasks this column can be: a text column is no regression target, 2 classes no multiclass one.
      const fitting = TASKS.filter((task) => {
        try {
          return task === target.task || prepareTarget(table, targetName, task) !== undefined
        } catch (err) {
          if (err instanceof UserError) return false
          throw err
        }
      })
      const task = await promptChoice('Task', fitting, target.task)
      if (task !== target.task) target = prepareTarget(table, targetName, task)
    }
    const metric = guided && flags.metric === undefined ? await promptChoice('Ranking metric', METRICS_BY_TASK[target.task], DEFAULT_METRIC[target.task]) : parseMetric(flags.metric, target.task)
    let budgetText = flags['time-budget']
    if (guided && budgetText === undefined && flags['max-trials'] === undefined) {
      budgetText = await promptText('Time budget', '60s', (v) => {
        try {
          parseDuration('--time-budget', v)
          return true
        } catch (err) {
          return (err as Error).message
        }
      })
    }
    const families = guided && flags.families === undefined ? await promptMany('Model families', FAMILIES) : parseFamilies(flags.families)
    // Time spent answering prompts is the user's, not the budget's.
    if (guided) startedAt = performance.now()
    const timeBudgetMs = budgetText !== undefined ? parseDuration('--time-budget', budgetText) : flags['max-trials'] === undefined ? 60_000 : undefined
    const log = (line: string): void => {
      process.stderr.write(line + '\n')
    }
    // Ctrl-C (SIGINT) or a SIGTERM (`timeout`, a cancelled CI job) stops the search, and the run still
    // writes what it has; a second signal quits at once (a folder the run made, still empty, goes).
    const interrupt = new AbortController()
    let signalExit = 130
    let runDir: string | undefined
    const madeRunDir = flags.out === undefined || !existsSync(flags.out)
    // The folders above the run directory that prepareRunDir will make (mlkafka-runs/, or --out's missing parents), deepest first.
    const madeParents: string[] = []
    for (let d = dirname(flags.out ?? join(DEFAULT_RUNS_DIR, 'x')); !existsSync(d) && dirname(d) !== d; d = dirname(d)) madeParents.push(d)
    const dropRunDir = (): void => {
      if (madeRunDir && runDir !== undefined) dropEmptyDirs([runDir, ...madeParents])
    }
    const progress = searchProgress(metric)
    const onSignal = (signal: NodeJS.Signals): void => {
      if (interrupt.signal.aborted) {
        dropRunDir()
        process.exit(signalExit)
      }
      signalExit = signal === 'SIGTERM' ? 143 : 130
      progress.note(`stopping (${signal}): finishing up with the trials done so far (Ctrl-C again to quit now)`)
      interrupt.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    let folds = flags.folds
    let result: Awaited<ReturnType<typeof runSearch>>
    try {
      const withoutTarget = target.missing > 0 ? ` (${target.missing} without a value for ${target.name} left out)` : ''
      log(`training on ${table.source}: ${target.y.length} rows${withoutTarget}, target ${target.name} (${target.task}), ranking by ${metric}`)
      for (const { column, reason } of selected.leftOut) log(`column ${column} left out: ${reason}`)
      for (const note of [...textCellNotes(table), ...identifierNotes(table, target.name), ...freeTextNotes(table, target.name, DEFAULT_PIPELINE_OPTIONS.minLevelCount)]) log(note)
      // --folds and --repeats shape cross-validation only: say so when a holdout is what validates.
      const holdout = flags.validation === 'holdout' || (flags.validation === 'auto' && useHoldoutFor(table, target, timeBudgetMs ?? null))
      for (const name of ['folds', 'repeats']) {
        if (holdout && onCommandLine(this.argv, name)) {
          log(`warning: --${name} does not apply: trials are scored on a 20% holdout${flags.validation === 'auto' ? ' (a big table for the time budget; --validation cv cross-validates)' : ''}`)
        }
      }
      // Without --folds, a table too small for 5 folds, or a rare class AUC cannot find in every fold,
      // gets fewer folds (stratified: one of the class's rows in each) and a note; --folds given is kept,
      // and the search says what to change when it cannot work.
      const foldsGiven = onCommandLine(this.argv, 'folds')
      if (!holdout && !foldsGiven) {
        const rare = target.task === 'binary' && (metric === 'auc' || metric === 'aucpr') ? Math.min(...target.classCounts!) : Infinity
        const fit = Math.min(folds, target.y.length, rare)
        if (fit >= 2 && fit < folds) {
          const why = rare === fit ? `class "${target.classes![target.classCounts!.indexOf(rare)]}" of ${target.name} has ${rare} rows, and ${metric} needs both classes in every fold` : `there are ${target.y.length} rows`
          log(`note: ${fit}-fold CV instead of ${folds}: ${why} (--folds sets it)`)
          folds = fit
        }
      }
      const workers = flags.workers ?? defaultWorkers()
      // The search gives each MLP trial cores / workers threads.
      if (families.includes('mlp')) log(await mlpBackendLine(Math.max(1, Math.floor(availableParallelism() / workers))))

      // A folder the run makes is removed again if the run ends with nothing in it; a user's own is left.
      runDir = await prepareRunDir(flags.out, target.name)
      result = await runSearch(table, target, {
        families,
        metric,
        seed: flags.seed,
        strategy: flags.strategy as 'halving' | 'random',
        maxTrials: flags['max-trials'],
        timeBudgetMs,
        startedAt,
        folds,
        repeats: flags.repeats,
        selection: flags.selection as Selection,
        ensemble: flags.ensemble,
        validation: flags.validation as 'auto' | 'cv' | 'holdout',
        workers,
        keep: 5,
        signal: interrupt.signal,
        onTrial: progress.onTrial,
      })
    } catch (err) {
      dropRunDir()
      throw err
    } finally {
      // Also when the checks before the search throw: no handler outlives the search.
      progress.end()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    if (result.leaderboard.rows.length === 0 && result.stoppedBy === 'interrupted') {
      dropRunDir()
      throw new UserError('interrupted before any trial finished: nothing was saved', signalExit)
    }
    if (result.leaderboard.rows.length === 0) {
      dropRunDir()
      throw new UserError(`no trial finished (${result.stoppedBy}): raise --time-budget or use fewer rows`)
    }
    // NaN ranks last: a NaN winner means no trial gave a score. Nothing is saved then.
    if (Number.isNaN(result.winner.row?.score ?? NaN)) {
      dropRunDir()
      const huge = table.columns.find((c) => c.type === 'numeric' && c.values.some((v) => Math.abs(v) > 1e150 && Number.isFinite(v)))
      throw new UserError(
        `no trial gave a ${metric} score (not a number in every fold)${huge ? `: column ${huge.name} holds values near the limits of a double (beyond 1e150), too large for the linear models and nets; clip them, leave the column out with --ignore ${huge.name}, or add the tree families` : ''}`,
      )
    }
    const { modelPath } = await writeRunDir(runDir, table, result, {
      command: ['mlkafka', 'automl', 'train', ...this.argv],
      seed: flags.seed,
      source: table.source,
      fingerprint: table.fingerprint,
      rows: target.y.length,
      rowsWithoutTarget: target.missing,
      columnsLeftOut: selected.leftOut,
      options: { families, metric, strategy: flags.strategy, maxTrials: flags['max-trials'] ?? null, timeBudgetMs: timeBudgetMs ?? null, folds, repeats: result.validation.repeats, selection: flags.selection, ensemble: flags.ensemble, validation: flags.validation },
    })
    const winner = result.winner.row!
    // Next to an ensemble winner: the best single model, when it was refit and saved.
    const singleId = result.leaderboard.singleWinner
    const singleRow = singleId !== undefined && result.models.some((m) => m.modelId === singleId) ? result.leaderboard.rows.find((r) => r.modelId === singleId) : undefined
    const single = singleRow ? { modelId: singleRow.modelId, family: singleRow.family, modelPath: join(runDir, 'models', `${singleRow.modelId}.json`) } : undefined
    // Interrupted runs still write their results, and say so in the exit code.
    if (result.stoppedBy === 'interrupted') process.exitCode = signalExit
    if (!this.jsonEnabled()) {
      if (result.stoppedBy === 'interrupted') log(`interrupted: the leaderboard holds the ${result.leaderboard.rows.length} trials that finished`)
      // Before its budget or --max-trials: only logistic regression, whose grid of C ends.
      if (result.stoppedBy === 'search-space') log(`note: every configuration of ${families.join(', ')} was tried (logistic regression searches a grid of C), so the search ended before its ${timeBudgetMs !== undefined ? 'time budget' : '--max-trials'}`)
      this.log(renderLeaderboard({ ...result.leaderboard, validation: result.validation }, { singleNote: false, limit: SHOWN_ROWS, runDir }))
      this.log('')
      const v = result.validation
      const by = v.kind === 'holdout' ? 'holdout' : v.repeats > 1 ? `${v.repeats} x ${v.folds}-fold CV` : `${v.folds}-fold CV`
      const why = winner.rank === 1 && winner.family !== 'ensemble' ? '' : `; ${winner.rank === 1 ? '' : `rank ${winner.rank}, `}${result.winner.reason}`
      // A holdout's one score has no spread to show.
      const spread = v.kind === 'holdout' ? '' : ` ± ${formatNumber(winner.scoreStd, 2)}`
      this.log(`winner: ${winner.modelId} (${winner.family}), ${metric} ${formatNumber(winner.score)}${spread} by ${by}${why}`)
      // A forest refit with more trees than its trials grew (see REFIT_TREES) says so.
      const refit = result.models[0]
      const trees = refit?.modelId === winner.modelId && refit.family === 'random_forest' && refit.params.nTrees !== winner.params.nTrees ? `, ${String(refit.params.nTrees)} trees where its trials grew ${String(winner.params.nTrees)}` : ''
      this.log(`saved: ${modelPath} (refit on all ${target.y.length} rows${trees}); leaderboard and run files in ${runDir}/`)
      if (single) {
        // Its scorer is smaller and faster than the ensemble's, by how much its file says (a member can be most of an ensemble).
        const kB = (file: string): string => `${Math.ceil(statSync(file).size / 1e3)} kB`
        this.log(`best single model: ${single.modelId} (${single.family}), ${metric} ${formatNumber(singleRow!.score)}: ${single.modelPath} (${kB(single.modelPath)}; the winner's: ${kB(modelPath)})`)
      }
      this.log(`next: mlkafka predict --model ${modelPath} --csv FILE`)
    }
    if (guided && result.stoppedBy !== 'interrupted') await offerExport(modelPath, runDir, (line) => this.log(line))
    return {
      runDir,
      ...(topic ? { topic } : {}),
      task: target.task,
      target: target.name,
      metric,
      stoppedBy: result.stoppedBy,
      leaderboard: leaderboardJson(result.leaderboard),
      winner: { modelId: winner.modelId, family: winner.family, modelPath },
      ...(single ? { singleWinner: single } : {}),
    }
  }
}

/** Whether the command line sets this flag (`--name value` or `--name=value`), not its default. */
function onCommandLine(argv: readonly string[], name: string): boolean {
  return argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`))
}

function parseFamilies(text: string | undefined): Family[] {
  if (text === undefined) return [...FAMILIES]
  const names = text.split(',').map((s) => s.trim()).filter(Boolean)
  for (const n of names) if (!(FAMILIES as readonly string[]).includes(n)) throw new UsageError(`--families: unknown family "${n}" (choose from ${FAMILIES.join(', ')})`)
  if (names.length === 0) throw new UsageError(`--families needs at least one of ${FAMILIES.join(', ')}`)
  return [...new Set(names)] as Family[]
}

function parseMetric(text: string | undefined, task: 'binary' | 'multiclass' | 'regression'): MetricName {
  if (text === undefined) return DEFAULT_METRIC[task]
  const allowed = METRICS_BY_TASK[task]
  text = text.trim().toLowerCase()
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--metric ${text} does not fit a ${task} task: use one of ${allowed.join(', ')}`)
  return text as MetricName
}

/** What is wrong with a scorer path typed at the prompt (asked again then), or null. */
function scorerPathProblem(out: string): string | null {
  if (out.length === 0) return 'a file path, e.g. scorer.ts'
  try {
    resolveLang(out, undefined)
  } catch (err) {
    if (err instanceof UserError) return err.message
    throw err
  }
  if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) return `folder ${dirname(out)} does not exist: create it first, or pick another path`
  if (existsSync(out) && statSync(out).isDirectory()) return `${out} is a folder: add a file name, e.g. ${join(out, 'scorer.ts')}`
  return null
}

/** At the end of a guided run: write the winner as a TypeScript scorer, if the user wants it. */
async function offerExport(modelPath: string, runDir: string, log: (line: string) => void): Promise<void> {
  if (!(await promptConfirm('Export the winner as a dependency-free TypeScript scorer?', true))) {
    log(`later: mlkafka export scorer --model ${modelPath} --out scorer.ts`)
    return
  }
  const out = await promptText('Write it to', join(runDir, 'scorer.ts'), (v) => scorerPathProblem(v.trim()) ?? true)
  const written = await writeScorer(await loadModel(modelPath), { out: out.trim(), source: modelPath })
  log(`wrote ${written.file}`)
  for (const line of usageHint(written)) log(`  ${line}`)
}
