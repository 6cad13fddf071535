/**
 * Whether each broker answers. A broker that stops answering but keeps its connections open (paused,
 * swapping, its disk stuck) shows no socket error: the client's requests to it just time out and are
 * retried, and a long-running command (serve) would go quiet. This turns the client's request
 * timeouts and completed requests into two events per broker: it stopped answering (the first timeout
 * since it last answered) and it answers again (the first completed request after that), with how long
 * it was silent.
 */

export interface SilentBroker {
  /** host:port, as the client names it. */
  broker: string
  /** The request that timed out (Fetch, Produce, Heartbeat, ...). */
  api: string
  /** How long that request waited, ms. */
  waitedMs: number
}

export interface AnsweringAgain {
  broker: string
  /** From when the first timed-out request was sent to the answer, ms. */
  silentMs: number
}

export interface AnswerListener {
  silent?: (e: SilentBroker) => void
  answering?: (e: AnsweringAgain) => void
}

export class AnswerWatch {
  /** When each silent broker's first timed-out request was sent (epoch ms). */
  private readonly silentSince = new Map<string, number>()
  /**
   * When each broker last answered again after a silence: a request sent before then, during the
   * silence, that times out only after it tells nothing new (the broker catching up after a pause).
   */
  private readonly backAt = new Map<string, number>()
  private readonly listeners = new Set<AnswerListener>()

  /** Listens until the returned function is called. */
  listen(listener: AnswerListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A request to `broker` timed out after waiting since `sentAt`. */
  timedOut(broker: string, api: string, sentAt: number, now = Date.now()): void {
    if (this.silentSince.has(broker) || sentAt < (this.backAt.get(broker) ?? -Infinity)) return
    this.silentSince.set(broker, sentAt)
    for (const l of this.listeners) l.silent?.({ broker, api, waitedMs: Math.max(0, now - sentAt) })
  }

  /** A request to `broker` was answered. */
  answered(broker: string, now = Date.now()): void {
    const since = this.silentSince.get(broker)
    if (since === undefined) return
    this.silentSince.delete(broker)
    this.backAt.set(broker, now)
    for (const l of this.listeners) l.answering?.({ broker, silentMs: Math.max(0, now - since) })
  }

  /** Brokers that have not answered since a request to them timed out. */
  silentBrokers(): string[] {
    return [...this.silentSince.keys()]
  }
}

/** The warning line's text (after its prefix) when a broker goes silent. */
export function describeSilence(e: SilentBroker): string {
  return `warning: Kafka at ${e.broker} did not answer ${/^[AEIOU]/.test(e.api) ? 'an' : 'a'} ${e.api} request in ${(e.waitedMs / 1000).toFixed(1)} s; still trying (is the broker paused or overloaded?)`
}

/** The line's text (after its prefix) when a silent broker answers again. */
export function describeAnswering(e: AnsweringAgain): string {
  return `Kafka at ${e.broker} answers again after ${(e.silentMs / 1000).toFixed(1)} s`
}
