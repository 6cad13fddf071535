import { join } from 'node:path'
import { Args, Flags } from '@oclif/core'
import { leaderboardJson } from '../src/automl/leaderboard.js'
import { readLeaderboard } from '../src/automl/run-files.js'
import { BaseCommand } from '../src/cli/base-command.js'
import { renderLeaderboard, SHOWN_ROWS } from '../src/cli/render-leaderboard.js'

export default class LeaderboardCommand extends BaseCommand {
  static override description = 'Print the saved leaderboard of an `automl train` run directory.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> mlkafka-runs/20261125T120000Z-failure',
    '<%= config.bin %> <%= command.id %> mlkafka-runs/20261125T120000Z-failure --all',
    '<%= config.bin %> <%= command.id %> ./run --json',
  ]

  static override enableJsonFlag = true

  static override flags = {
    all: Flags.boolean({ description: `every model, not only the best ${SHOWN_ROWS} (and the winner); --json always lists them all`, default: false }),
  }

  static override args = {
    runDir: Args.string({ description: 'run directory written by `mlkafka automl train` (or its model.json)', required: true, ignoreStdin: true }),
  }

  async run(): Promise<object> {
    const { args, flags } = await this.parse(LeaderboardCommand)
    const { dir, board, stoppedBy } = await readLeaderboard(args.runDir)
    if (!this.jsonEnabled()) {
      if (stoppedBy === 'interrupted') this.log(`note: this run was interrupted: the leaderboard holds the ${board.rows.length} models that finished`)
      this.log(renderLeaderboard(board, { limit: flags.all ? undefined : SHOWN_ROWS, runDir: dir }))
    }
    // The same winner and singleWinner as `automl train --json` gives.
    const entry = (modelId: string | undefined, modelPath: string): { modelId: string; family: string; modelPath: string } | null => {
      const row = board.rows.find((r) => r.modelId === modelId)
      return row ? { modelId: row.modelId, family: row.family, modelPath } : null
    }
    const winnerId = board.winner ?? board.rows[0]?.modelId
    const single = board.singleWinner ? entry(board.singleWinner, join(dir, 'models', `${board.singleWinner}.json`)) : null
    return {
      runDir: dir,
      task: board.task,
      target: board.target,
      metric: board.metric,
      ...(stoppedBy !== undefined ? { stoppedBy } : {}),
      leaderboard: leaderboardJson(board),
      winner: entry(winnerId, join(dir, 'model.json')),
      ...(single ? { singleWinner: single } : {}),
    }
  }
}
