import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import '../../../src/kafka/client.js'
import { groupMessagesPerPartition, KAFKAJS_GROUPING_MODULE } from '../../../src/kafka/message-grouping.js'
import { replaceKafkajsModule } from '../../../src/kafka/kafkajs-modules.js'

const require = createRequire(import.meta.url)

/** kafkajs 2.2.4's own grouping, evaluated from its file (the module cache holds ours). */
function kafkajsGrouping(): typeof groupMessagesPerPartition {
  const module = { exports: null as unknown }
  new Function('module', readFileSync(require.resolve(KAFKAJS_GROUPING_MODULE), 'utf8'))(module)
  return module.exports as typeof groupMessagesPerPartition
}

describe('message grouping', () => {
  it('is the one kafkajs uses once the client module is loaded', () => {
    expect(require.cache[require.resolve(KAFKAJS_GROUPING_MODULE)]?.exports).toBe(groupMessagesPerPartition)
  })

  it('is not replaced again once the kafkajs module that keeps it is loaded (it would change nothing)', () => {
    expect(replaceKafkajsModule(KAFKAJS_GROUPING_MODULE, 'kafkajs/src/producer/sendMessages.js', () => () => ({}))).toBe(false)
    expect(require.cache[require.resolve(KAFKAJS_GROUPING_MODULE)]?.exports).toBe(groupMessagesPerPartition)
  })

  it("groups as kafkajs's does: each partition's messages in order; no partitions, no groups", () => {
    const theirs = kafkajsGrouping()
    const partitionMetadata = [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }]
    const partitioner = ({ message }: { message: unknown }): number => (message as { p: number }).p
    for (const n of [0, 1, 7, 500]) {
      const messages = Array.from({ length: n }, (_, i) => ({ p: (i * 7919) % 3, i }))
      const args = { topic: 't', partitionMetadata, messages, partitioner }
      expect(groupMessagesPerPartition(args)).toEqual(theirs(args))
      expect(groupMessagesPerPartition({ ...args, partitionMetadata: [] })).toEqual({})
    }
  })
})
