import { describe, expect, it } from 'vitest'
import type { TrialEvent } from '../../../src/automl/search.js'
import { fitWidth, searchProgress } from '../../../src/cli/search-progress.js'

/** A stand-in for process.stderr: what was written, as a terminal of `columns` or a log. */
function stream(tty: boolean, columns?: number): NodeJS.WriteStream & { text: string } {
  const s = { text: '', isTTY: tty, columns, write: (chunk: string) => ((s.text += chunk), true) }
  return s as unknown as NodeJS.WriteStream & { text: string }
}

const best = { modelId: 'logistic_regression_123', score: 0.929712, family: 'logistic_regression' }
const event = (done: number): TrialEvent =>
  ({ done, planned: 6, elapsedMs: done * 1000, budgetMs: null, trial: { ...best, trainMs: 5, params: {} }, rowFraction: 1, best }) as unknown as TrialEvent

describe('search progress', () => {
  it('on a terminal, every redraw fits in one row: a wrapped bar left its first row behind at each redraw', () => {
    const out = stream(true, 60)
    const progress = searchProgress('mean_per_class_error', out)
    for (let done = 1; done <= 6; done++) progress.onTrial(event(done))
    progress.end()
    const draws = out.text.split('\r\x1b[2K').filter(Boolean)
    expect(draws).toHaveLength(6)
    for (const d of draws) expect(Array.from(d.replace(/\n$/, '')).length).toBeLessThanOrEqual(59)
    expect(draws[5]).toBe('[####################] trials 6/6, best mean_per_class_err…\n')
  })

  it('a note clears the bar, takes its own line, and the bar comes back', () => {
    const out = stream(true, 200)
    const progress = searchProgress('auc', out)
    progress.onTrial(event(1))
    progress.note('stopping (SIGINT): finishing up')
    expect(out.text.endsWith('\r\x1b[2Kstopping (SIGINT): finishing up\n\r\x1b[2K[###.................] trials 1/6, best auc 0.9297 (logistic_regression_123), ETA 5s')).toBe(true)
  })

  it('in a log (no terminal): one line per trial, never cut, and a note is a plain line', () => {
    const out = stream(false)
    const progress = searchProgress('auc', out)
    progress.note('stopping')
    progress.onTrial(event(1))
    progress.end()
    expect(out.text).toBe('stopping\ntrial 1/6: logistic_regression_123 auc=0.9297 (5 ms); best auc 0.9297 (logistic_regression_123), ETA 5s\n')
  })

  it('fitWidth leaves a line that fits, and cuts one that does not (by characters, not bytes)', () => {
    expect(fitWidth('abc', 80)).toBe('abc')
    expect(fitWidth('abc', undefined)).toBe('abc')
    expect(fitWidth('é'.repeat(10), 6)).toBe('éééé…')
  })
})
