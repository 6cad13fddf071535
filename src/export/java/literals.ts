/**
 * Text and numbers from a model reach generated Java only through these functions. Java translates
 * `\uXXXX` escapes before it reads the code, so a backslash in a comment could become a line break or a
 * quote: comments get printable ASCII only, and string literals escape quotes, backslashes and controls
 * with the ordinary escapes (octal for other controls), everything beyond ASCII as `\uXXXX`.
 */

/** A Java string literal that evaluates to exactly `s` (UTF-16 units kept, lone surrogates included). */
export function javaString(s: string): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x22) out += '\\"'
    else if (c === 0x5c) out += '\\\\'
    else if (c === 0x0a) out += '\\n'
    else if (c === 0x0d) out += '\\r'
    else if (c === 0x09) out += '\\t'
    else if (c < 0x20 || c === 0x7f) out += `\\${c.toString(8).padStart(3, '0')}`
    else if (c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`
    else out += s[i]
  }
  return out + '"'
}

/** Text safe in Java `//` and block comments: printable ASCII, no backslash (unicode escapes), no `*\/`. */
export function javaComment(s: string): string {
  return s
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\\/g, '/')
    .replace(/\*\//g, '*_/')
}

/** A double literal that evaluates to exactly `n`: JS's shortest round-trip text parses to the same double in Java. */
export function javaDouble(n: number): string {
  if (Object.is(n, -0)) return '-0.0'
  if (Number.isNaN(n)) return 'Double.NaN'
  if (n === Infinity) return 'Double.POSITIVE_INFINITY'
  if (n === -Infinity) return 'Double.NEGATIVE_INFINITY'
  const s = String(n)
  // An integer text would be an int literal (and too large beyond 2^31): make it a double.
  return /^-?\d+$/.test(s) ? `${s}.0` : s
}


const JAVA_RESERVED = new Set(
  'abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null var record yield sealed permits _'.split(
    ' ',
  ),
)

/** A Java class name: a letter, then letters, digits or _, not a reserved word. */
export function isJavaClassName(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(s) && !JAVA_RESERVED.has(s)
}

/** A Java package: dot-separated lower-case identifiers, none reserved. */
export function isJavaPackage(s: string): boolean {
  return s.split('.').every((p) => /^[a-z][a-z0-9_]{0,63}$/.test(p) && !JAVA_RESERVED.has(p))
}
