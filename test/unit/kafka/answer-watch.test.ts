import { describe, expect, it } from 'vitest'
import { AnswerWatch, type AnsweringAgain, type SilentBroker } from '../../../src/kafka/answer-watch.js'

function watched(): { watch: AnswerWatch; events: (SilentBroker | AnsweringAgain)[] } {
  const watch = new AnswerWatch()
  const events: (SilentBroker | AnsweringAgain)[] = []
  watch.listen({ silent: (e) => events.push(e), answering: (e) => events.push(e) })
  return { watch, events }
}

describe('AnswerWatch', () => {
  it('tells once that a broker went silent (the first timeout) and once that it answers again, with how long', () => {
    const { watch, events } = watched()
    watch.answered('b1:9092', 1000) // answering all along: nothing to tell
    watch.timedOut('b1:9092', 'Fetch', 2000, 5000)
    watch.timedOut('b1:9092', 'Heartbeat', 3000, 6000)
    expect(watch.silentBrokers()).toEqual(['b1:9092'])
    watch.answered('b1:9092', 9500)
    watch.answered('b1:9092', 9600)
    expect(events).toEqual([
      { broker: 'b1:9092', api: 'Fetch', waitedMs: 3000 },
      { broker: 'b1:9092', silentMs: 7500 },
    ])
    expect(watch.silentBrokers()).toEqual([])
  })

  it('keeps brokers apart: one silent broker does not make another one silent or answering', () => {
    const { watch, events } = watched()
    watch.timedOut('b1:9092', 'Produce', 0, 30_000)
    watch.answered('b2:9092', 31_000)
    expect(events).toEqual([{ broker: 'b1:9092', api: 'Produce', waitedMs: 30_000 }])
    expect(watch.silentBrokers()).toEqual(['b1:9092'])
  })

  it('a request sent during the silence that times out after the broker is back is no new silence; a later one is', () => {
    const { watch, events } = watched()
    watch.timedOut('b1:9092', 'Fetch', 1000, 3000)
    watch.answered('b1:9092', 10_000)
    watch.timedOut('b1:9092', 'Heartbeat', 8500, 10_500)
    expect(events).toHaveLength(2)
    watch.timedOut('b1:9092', 'Fetch', 20_000, 22_000)
    expect(events.at(-1)).toEqual({ broker: 'b1:9092', api: 'Fetch', waitedMs: 2000 })
  })

  it('stops telling a listener that stopped listening', () => {
    const { watch, events } = watched()
    const other: unknown[] = []
    const stop = watch.listen({ silent: (e) => other.push(e) })
    stop()
    watch.timedOut('b1:9092', 'Fetch', 0, 1000)
    expect(events).toHaveLength(1)
    expect(other).toHaveLength(0)
  })
})
