import { UsageError } from '../errors.js'

/** "90", "90s", "5m", "1h", "1m30s" -> milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const t = text.trim()
  // A number alone is seconds.
  if (/^\d+(\.\d+)?$/.test(t)) {
    if (Number(t) > 0) return Number(t) * 1000
    throw new UsageError(`${flag} must be more than 0 (got "${text}")`)
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy
  let total = 0
  let matched = 0
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']
    total += Number(m[1]) * unit
    matched += m[0].length
  }
  if (matched !== t.length || matched === 0) throw new UsageError(`${flag} takes a duration such as 60s, 5m or 1h30m, or a number of seconds (got "${text}")`)
  if (total <= 0) throw new UsageError(`${flag} must be more than 0 (got "${text}")`)
  return total
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}
