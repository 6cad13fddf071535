import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../../src/cli/durations.js'

describe('durations', () => {
  it('read units, their sums, and a number alone as seconds', () => {
    expect(parseDuration('--time-budget', '60s')).toBe(60_000)
    expect(parseDuration('--time-budget', '1h30m')).toBe(5_400_000)
    expect(parseDuration('--time-budget', ' 1.5m ')).toBe(90_000)
    expect(parseDuration('--time-budget', '250ms')).toBe(250)
    expect(parseDuration('--time-budget', '10')).toBe(10_000)
  })

  it('a zero is "must be more than 0", not "takes a duration" (and a plain 0 was taken as no time at all)', () => {
    expect(() => parseDuration('--metrics-interval', '0s')).toThrow('--metrics-interval must be more than 0 (got "0s")')
    expect(() => parseDuration('--time-budget', '0')).toThrow('--time-budget must be more than 0 (got "0")')
    expect(() => parseDuration('--time-budget', 'often')).toThrow('--time-budget takes a duration such as 60s, 5m or 1h30m, or a number of seconds (got "often")')
    expect(() => parseDuration('--time-budget', '-5s')).toThrow(/takes a duration/)
  })

  it('formats what is left as the progress bar shows it', () => {
    expect(formatDuration(59_400)).toBe('59s')
    expect(formatDuration(61_000)).toBe('1m01s')
    expect(formatDuration(3_660_000)).toBe('1h01m')
  })
})
