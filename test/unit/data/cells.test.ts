import { describe, expect, it } from 'vitest'
import { canonicalLevel, isMissingText, parseBoolean, parseIsoDate, parseNumber } from '../../../src/data/cells.js'

describe('cells: white space at the ends', () => {
  it('is trimmed as trim() trims it, ASCII or not (a no-break space alone at an end was kept)', () => {
    for (const blank of [' ', '\t', '\u00a0', '\u3000', '\ufeff', '\u2028']) {
      expect(isMissingText(`${blank}NA`), JSON.stringify(blank)).toBe(true)
      expect(isMissingText(`NA${blank}`)).toBe(true)
      expect(parseNumber(`${blank}12`)).toBe(12)
      expect(parseNumber(`-3.5${blank}`)).toBe(-3.5)
      expect(parseBoolean(`${blank}TRUE`)).toBe(true)
      expect(parseIsoDate(`${blank}2024-05-01`)).toBe(parseIsoDate('2024-05-01'))
      expect(canonicalLevel(`${blank}red`)).toBe('red')
    }
    // Not white space: stays, and is no number or marker.
    expect(isMissingText('\u00e9NA')).toBe(false)
    expect(parseNumber('\u00e912')).toBeNaN()
    expect(parseNumber('\u200b12')).toBeNaN() // a zero-width space is not white space to trim()
  })
})
