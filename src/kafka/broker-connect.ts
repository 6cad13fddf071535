import { createRequire } from 'node:module'

/**
 * A fix to kafkajs 2.2.4's broker connect. Connecting asks the broker for its API versions first; when
 * that request times out (a paused or overloaded broker), the socket stays open with no versions known,
 * and kafkajs's Broker.connect, retried, returns at once because the socket is connected: every request
 * after it throws "Broker not connected", so `topic load` against a broker that was silent for a few
 * seconds failed even after it answered again. Here a broker counts as connected only once its versions
 * are known, so a retried connect asks for them again. (kafkajs is unmaintained: this is kept to the
 * one method, and skipped if kafkajs's Broker is not laid out as expected.)
 */
export const KAFKAJS_BROKER_MODULE = 'kafkajs/src/broker/index.js'

interface BrokerLike {
  isConnected(): boolean
  versions?: unknown
}

/** Patches Broker.prototype.isConnected; returns whether it did. */
export function installBrokerConnectFix(): boolean {
  let Broker: { prototype: BrokerLike & { connect?: unknown } }
  try {
    Broker = createRequire(import.meta.url)(KAFKAJS_BROKER_MODULE) as typeof Broker
  } catch {
    return false
  }
  const proto = Broker?.prototype
  const connect = proto?.connect
  // Only on the layout this was written for: connect returns early on isConnected() and fetches versions when missing.
  if (typeof proto?.isConnected !== 'function' || typeof connect !== 'function' || !/this\.isConnected\(\)[\s\S]*if \(!this\.versions\)/.test(String(connect))) return false
  if ((proto.isConnected as { mlkafkaFixed?: boolean }).mlkafkaFixed) return true
  const original = proto.isConnected
  const fixed = function (this: BrokerLike): boolean {
    return original.call(this) && this.versions != null
  }
  ;(fixed as { mlkafkaFixed?: boolean }).mlkafkaFixed = true
  proto.isConnected = fixed
  return true
}

installBrokerConnectFix()
