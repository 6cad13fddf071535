import { describe, expect, it, vi } from 'vitest'
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

  it('under a time budget the bar counts the time left down between trials, from the search\'s start, and stops at the end', () => {
    vi.useFakeTimers()
    try {
      const out = stream(true, 200)
      const progress = searchProgress('auc', out)
      // The search's first event: no trial yet.
      progress.onTrial({ done: 0, planned: null, elapsedMs: 1000, budgetMs: 60_000, trial: null, rowFraction: 1, best: null } as unknown as TrialEvent)
      expect(out.text).toContain('trials 0, no trial finished yet, 59s left')
      vi.advanceTimersByTime(3000)
      expect(out.text.split('\r\x1b[2K').at(-1)).toBe('[#...................] trials 0, no trial finished yet, 56s left')
      progress.end()
      const before = out.text
      vi.advanceTimersByTime(5000)
      expect(out.text).toBe(before)
    } finally {
      vi.useRealTimers()
    }
  })

  it('fitWidth leaves a line that fits, and cuts one that does not (by characters, not bytes)', () => {
    expect(fitWidth('abc', 80)).toBe('abc')
    expect(fitWidth('abc', undefined)).toBe('abc')
    expect(fitWidth('é'.repeat(10), 6)).toBe('éééé…')
  })
})
