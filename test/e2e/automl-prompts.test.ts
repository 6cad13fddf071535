import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/cli.js'
import { tempDir, writeFixture } from '../helpers/files.js'

const dir = tempDir()
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * A person at a terminal: `script` gives the CLI a real pseudo-terminal, the test types the answers
 * (Enter, arrow keys) once each question shows, as a user would.
 */
function atTerminal(command: string) {
  const env = { ...process.env, TERM: 'xterm', COLUMNS: '160', LINES: '50' }
  delete env.CI
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] })
  let screen = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  /** Waits until `text` shows (at or after `from` in the screen's text). */
  const waitFor = async (text: string, from = 0): Promise<void> => {
    const deadline = Date.now() + 120_000
    while (!screen.includes(text, from)) {
      if (Date.now() > deadline) throw new Error(`never showed "${text}"; screen:\n${screen}`)
      await pause(100)
    }
  }
  const type = (keys: string): void => void child.stdin.write(keys)
  return {
    screen: () => screen,
    exited,
    waitFor,
    type,
    /** Waits for the question, then types the keys. */
    answer: async (question: string, keys: string, from = 0): Promise<void> => {
      await waitFor(question, from)
      await pause(200)
      type(keys)
    },
  }
}

describe('mlkafka automl train at a terminal', () => {
  it('asks for the file, the target, the task and the metric, trains, and offers the export (a bad path is asked again)', async () => {
    const out = join(dir, 'guided')
    const t = atTerminal(`node bin/run.js automl train --max-trials 2 --families decision_tree,logistic_regression --folds 2 --out ${out}`)
    await t.answer('CSV file to train on', '\r')
    // The last column (failure) is preselected.
    await t.answer('Column to predict', '\r')
    await t.answer('Task', '\r')
    await t.answer('Ranking metric', '\r')
    await t.answer('Export the winner', 'y\r')
    // A path it cannot write is asked again, not the end of the run.
    await t.answer('Write it to', 'no-such-folder/scorer.ts\r')
    await t.waitFor('folder no-such-folder does not exist')
    t.type('\x7f'.repeat(40) + `${join(out, 'failure-scorer.ts')}\r`)
    expect(await t.exited).toBe(0)
    const screen = t.screen()
    expect(screen).toContain('binary (recommended)')
    // A yes/no column is no multiclass or regression target: the Task prompt offers what fits.
    expect(screen).not.toContain('multiclass')
    expect(screen).toMatch(/winner: \S+ \((decision_tree|logistic_regression|ensemble)\), auc/)
    expect(screen).toContain(`wrote ${join(out, 'failure-scorer.ts')}`)
    expect(existsSync(join(out, 'model.json'))).toBe(true)
    expect(existsSync(join(out, 'failure-scorer.ts'))).toBe(true)
  }, 300_000)

  it('asks for the target again when the column picked cannot be one (a name on every row), saying why', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `person-${i},${(i * 0.37) % 1},${i % 3 === 0 ? 'yes' : 'no'}`).join('\n')
    const csv = writeFixture(dir, 'names.csv', `name,x,y\n${rows}\n`)
    const out = join(dir, 'names-run')
    const t = atTerminal(`node bin/run.js automl train --csv ${csv} --task binary --metric auc --max-trials 1 --families logistic_regression --folds 2 --out ${out}`)
    // From the preselected last column (y) up twice: name.
    await t.answer('Column to predict', '\x1b[A')
    await pause(100)
    t.type('\x1b[A')
    await pause(100)
    t.type('\r')
    await t.waitFor('target column "name" has 40 different values in 40 rows')
    await t.answer('Column to predict', '\r', t.screen().lastIndexOf('target column "name"'))
    await t.answer('Export the winner', 'n\r')
    expect(await t.exited).toBe(0)
    expect(t.screen()).toContain('target y (binary)')
    expect(existsSync(join(out, 'model.json'))).toBe(true)

    // An --ignore no column has cannot be mended by another pick: an error before any prompt, not a prompt forever.
    const bad = atTerminal(`node bin/run.js automl train --csv ${csv} --ignore nosuch --max-trials 1`)
    expect(await bad.exited).toBe(2)
    expect(bad.screen()).toContain('--ignore: no column "nosuch"')
    expect(bad.screen()).not.toContain('Column to predict')
  }, 300_000)
})
