import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/files.js'

const dir = tempDir()

/**
 * A person at a terminal: `script` gives the CLI a real pseudo-terminal, the test types the answers
 * (Enter, arrow keys) once each question shows, as a user would.
 */
describe('mlkafka automl train at a terminal', () => {
  it('asks for the file, the target, the task and the metric, trains, and offers the export', async () => {
    const out = join(dir, 'guided')
    const command = `node bin/run.js automl train --max-trials 2 --families decision_tree,logistic_regression --folds 2 --out ${out}`
    const env = { ...process.env, TERM: 'xterm', COLUMNS: '160', LINES: '50' }
    delete env.CI
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let screen = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d))
    const waitFor = async (text: string): Promise<void> => {
      const deadline = Date.now() + 120_000
      while (!screen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`never asked "${text}"; screen:\n${screen}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    const answer = async (question: string, keys: string): Promise<void> => {
      await waitFor(question)
      await new Promise((r) => setTimeout(r, 200))
      child.stdin.write(keys)
    }
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    await answer('CSV file to train on', '\r')
    // The last column (failure) is preselected.
    await answer('Column to predict', '\r')
    await answer('Task', '\r')
    await answer('Ranking metric', '\r')
    await answer('Export the winner', 'n\r')
    expect(await exited).toBe(0)
    expect(screen).toContain('binary (recommended)')
    expect(screen).toMatch(/winner: \S+ \((decision_tree|logistic_regression|ensemble)\), auc/)
    expect(screen).toContain(`later: mlkafka export scorer --model ${join(out, 'model.json')}`)
    expect(existsSync(join(out, 'model.json'))).toBe(true)
  }, 300_000)
})
