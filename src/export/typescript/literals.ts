/**
 * Text from a model (column names, levels, classes, paths) only ever reaches generated code through
 * these functions: as a JSON-based string literal, or inside a comment made safe. Never as an identifier.
 */

// Line and paragraph separators end a `//` comment; bidi controls, zero-width and other invisible or
// unassigned characters could make the code read differently than it runs (Trojan Source). JSON.stringify
// already escapes C0 controls and lone surrogates.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu

function escapeUnits(ch: string): string {
  let out = ''
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`
  return out
}

/** A double-quoted string literal valid in TypeScript, JavaScript and JSON, that evaluates to exactly `s`. */
export function stringLiteral(s: string): string {
  return JSON.stringify(s).replace(UNSAFE, escapeUnits)
}

/**
 * A property name for an object literal: `"__proto__": v` would set the prototype instead of making a
 * field, so that one name is written as a computed key.
 */
export function propertyKey(name: string): string {
  return name === '__proto__' ? `[${stringLiteral(name)}]` : stringLiteral(name)
}

/** Text safe inside `//` and `/* *\/` comments: one line, no `*\/`, visible characters only. */
export function commentText(s: string): string {
  return s.replace(/\r\n?|\n/g, ' ').replace(UNSAFE, escapeUnits).replace(/\*\//g, '*\\/')
}

/** A string literal for a JSDoc type (`@typedef {{ "a"?: number }}`): also no `*\/` and no `@` tag start. */
export function jsdocStringLiteral(s: string): string {
  return stringLiteral(s).replace(/\*\//g, '*\\/').replace(/@/g, '\\u0040')
}

/**
 * A number literal that evaluates to exactly `n`: String(n) is the shortest text that round-trips a
 * double; -0, NaN and the infinities need their own spelling.
 */
export function numberLiteral(n: number): string {
  if (Object.is(n, -0)) return '-0'
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return 'Infinity'
  if (n === -Infinity) return '-Infinity'
  return String(n)
}
