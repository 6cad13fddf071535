import { describe, expect, it } from 'vitest'
import { StreamConsumer, type KafkaClient } from '../../../src/kafka/client.js'

type Offsets = { topic: string; partition: number; offset: string }[]

/** A StreamConsumer on a stand-in for kafkajs's consumer that only commits: each commit takes its outcome from `outcomes`. */
function committer(outcomes: (Error | null)[]): { stream: StreamConsumer; commits: Offsets[] } {
  const commits: Offsets[] = []
  const consumer = {
    commitOffsets: async (offsets: Offsets) => {
      commits.push(offsets)
      const outcome = outcomes.shift() ?? null
      if (outcome) throw outcome
    },
  }
  const client = { toUserError: (err: Error) => err } as unknown as KafkaClient
  const stream = new StreamConsumer(consumer as never, client, {}, () => {})
  ;(stream as unknown as { topic: string }).topic = 'in'
  return { stream, commits }
}

const kafkaError = (name: string, message: string): Error => Object.assign(new Error(message), { name })
const internals = (s: StreamConsumer) => s as unknown as { commitLater(p: number, o: number): void; committing: Promise<void> | null; fatal: Error | null }

describe('StreamConsumer commits', () => {
  it('a commit the broker did not answer in time is made again, with the newer offsets, and nothing fails', async () => {
    const { stream, commits } = committer([kafkaError('KafkaJSRequestTimeoutError', 'Request OffsetCommit(key: 8, version: 5) timed out')])
    const s = internals(stream)
    s.commitLater(0, 10)
    s.commitLater(1, 5)
    await new Promise((r) => setTimeout(r, 100))
    s.commitLater(0, 20) // handled while the broker was silent
    while (s.committing) await s.committing
    // The first commit went out with partition 0's offset alone (the commit of partition 1's queued behind it).
    expect(commits).toEqual([
      [{ topic: 'in', partition: 0, offset: '10' }],
      [{ topic: 'in', partition: 1, offset: '5' }, { topic: 'in', partition: 0, offset: '20' }],
    ])
    expect(s.fatal).toBeNull()
  })

  it('any other commit error still stops the consumer with it', async () => {
    const { stream, commits } = committer([kafkaError('KafkaJSProtocolError', 'Not authorized to access group')])
    const s = internals(stream)
    s.commitLater(0, 10)
    while (s.committing) await s.committing
    expect(commits).toHaveLength(1)
    await expect(stream.done()).rejects.toThrow('Not authorized to access group')
  })
})
