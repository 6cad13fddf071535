import { createRequire } from 'node:module'

/**
 * Replaces one of kafkajs's internal modules (kafkajs 2.2.4's file layout) before kafkajs loads: the
 * modules that require it keep what they got, so this must run before client.ts imports kafkajs. kafkajs
 * is unmaintained; these replacements fix its hot spots on the thread that runs the client (crc32c.ts,
 * record-framing.ts, message-grouping.ts).
 *
 * `replace` gets the module's exports and returns what to put in their place, or null to leave them
 * (kafkajs laid out differently, or a self-check failed). `user` is the kafkajs module that requires it
 * and keeps what it got: if that is loaded already, replacing would change nothing, so nothing is
 * replaced. Returns whether the module was replaced.
 */
export function replaceKafkajsModule(modulePath: string, user: string, replace: (original: unknown, require: NodeJS.Require) => unknown): boolean {
  const require = createRequire(import.meta.url)
  let path: string
  try {
    path = require.resolve(modulePath)
    if (require.cache[require.resolve(user)]) return false
  } catch {
    return false
  }
  let original: unknown
  try {
    original = require(path)
  } catch {
    return false
  }
  const entry = require.cache[path]
  if (!entry) return false
  const replacement = replace(original, require)
  if (replacement === null || replacement === undefined) return false
  entry.exports = replacement
  return true
}
