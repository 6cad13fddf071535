import { describe, expect, it } from 'vitest'
import { commentText, jsdocStringLiteral, numberLiteral, propertyKey, stringLiteral } from '../../../src/export/typescript/literals.js'

const HOSTILE = [
  '',
  'plain',
  'quote " and \' and `',
  'back\\slash \\u0041 \\n',
  'new\nline\r\rcr\r\n',
  '*/ /* // -->',
  '${x} `${y}`',
  '\u2028\u2029',
  '\ud800',
  'a\udc00b',
  '\ud83d\ude00',
  '\u202e\u2066bidi\u2069',
  '\u0000\u001f\u007f\u0085\u00a0\ufeff',
  'ünïcödé 温度',
  '__proto__',
  '@param {string} x',
]

describe('literals for generated code', () => {
  it('string literals evaluate back to exactly the same text, whatever it holds', () => {
    for (const s of HOSTILE) {
      const lit = stringLiteral(s)
      expect(new Function(`return ${lit}`)()).toBe(s)
      expect(JSON.parse(lit)).toBe(s)
      expect(lit).not.toMatch(/[\u2028\u2029\u202e\u2066\u2069\ufeff\u00a0\n\r]/)
      expect(lit).not.toMatch(/\p{Cs}/u)
      // As a JSDoc string: also no comment end and no tag start, and still the same text.
      const doc = jsdocStringLiteral(s)
      expect(doc).not.toContain('*/')
      expect(doc).not.toContain('@')
      expect(new Function(`return ${doc}`)()).toBe(s)
    }
  })

  it('comment text stays on one line and inside its comment', () => {
    for (const s of HOSTILE) {
      const c = commentText(s)
      expect(c).not.toMatch(/[\n\r\u2028\u2029]/)
      expect(c).not.toContain('*/')
      // Inside both comment kinds, followed by code that must still run.
      expect(new Function(`// ${c}\n/* ${c} */ return 1`)()).toBe(1)
    }
  })

  it('number literals round-trip every double, -0, NaN and the infinities', () => {
    const values = [0, -0, 1, -1, 0.1, 1 / 3, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1e21, 1e-7, 123456789012345680000, NaN, Infinity, -Infinity, 2 ** 53 + 2]
    for (const v of values) {
      const text = numberLiteral(v)
      expect(Object.is(new Function(`return ${text}`)(), v), text).toBe(true)
      expect(Object.is(new Function(`return [${text}]`)()[0], v), text).toBe(true)
      expect(Object.is(new Function(`return 2 - ${text}`)(), 2 - v), text).toBe(true)
    }
  })

  it('a __proto__ key is computed, so an object literal keeps it as a field', () => {
    const obj = new Function(`return { ${propertyKey('__proto__')}: 1, ${propertyKey('a"b')}: 2 }`)()
    expect(Object.keys(obj)).toEqual(['__proto__', 'a"b'])
  })
})
