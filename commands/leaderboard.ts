import { join } from 'node:path'
import { Args } from '@oclif/core'
import { leaderboardJson } from '../src/automl/leaderboard.js'
import { readLeaderboard } from '../src/automl/run-files.js'
import { BaseCommand } from '../src/cli/base-command.js'
import { renderLeaderboard } from '../src/cli/render-leaderboard.js'

export default class LeaderboardCommand extends BaseCommand {
  static override description = 'Print the saved leaderboard of an `automl train` run directory.'

  static override examples = ['<%= config.bin %> <%= command.id %> mlkafka-runs/20261125T120000Z-failure', '<%= config.bin %> <%= command.id %> ./run --json']

  static override enableJsonFlag = true

  static override args = {
    runDir: Args.string({ description: 'run directory written by `mlkafka automl train`', required: true, ignoreStdin: true }),
  }

  async run(): Promise<object> {
    const { args } = await this.parse(LeaderboardCommand)
    const board = await readLeaderboard(args.runDir)
    if (!this.jsonEnabled()) this.log(renderLeaderboard(board))
    // The same winner and singleWinner as `automl train --json` gives.
    const entry = (modelId: string | undefined, modelPath: string): { modelId: string; family: string; modelPath: string } | null => {
      const row = board.rows.find((r) => r.modelId === modelId)
      return row ? { modelId: row.modelId, family: row.family, modelPath } : null
    }
    const winnerId = board.winner ?? board.rows[0]?.modelId
    const single = board.singleWinner ? entry(board.singleWinner, join(args.runDir, 'models', `${board.singleWinner}.json`)) : null
    return {
      runDir: args.runDir,
      task: board.task,
      target: board.target,
      metric: board.metric,
      leaderboard: leaderboardJson(board),
      winner: entry(winnerId, join(args.runDir, 'model.json')),
      ...(single ? { singleWinner: single } : {}),
    }
  }
}
