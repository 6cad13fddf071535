import { UsageError } from '../errors.js'

/** Kafka's rule for topic names (org.apache.kafka.common.internals.Topic): at most 249 of these characters, not "." or "..". */
const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/

/**
 * A topic name Kafka accepts, or a usage error that says what is wrong with it (the broker's own answer
 * is "Topic creation errors", after serve may have created the other topics).
 */
export function checkTopicName(flag: string, name: string): string {
  if (name === '') throw new UsageError(`${flag}: a topic name cannot be empty`)
  if (name === '.' || name === '..') throw new UsageError(`${flag} ${name}: "." and ".." are not topic names`)
  if (name.length > 249) throw new UsageError(`${flag}: a topic name has at most 249 characters (this one has ${name.length})`)
  if (!LEGAL.test(name)) {
    const bad = [...new Set(Array.from(name).filter((c) => !/[a-zA-Z0-9._-]/.test(c)))].map((c) => JSON.stringify(c)).join(', ')
    throw new UsageError(`${flag} ${JSON.stringify(name)}: a topic name may hold only letters, digits, ".", "_" and "-" (not ${bad})`)
  }
  return name
}
