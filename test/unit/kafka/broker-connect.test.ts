import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { installBrokerConnectFix, KAFKAJS_BROKER_MODULE } from '../../../src/kafka/broker-connect.js'

describe("kafkajs broker connect fix", () => {
  it('applies to the installed kafkajs, and counts a broker with an open socket but no API versions as not connected', () => {
    expect(installBrokerConnectFix()).toBe(true)
    const Broker = createRequire(import.meta.url)(KAFKAJS_BROKER_MODULE) as { prototype: { isConnected(this: object): boolean } }
    const socketOpen = { connectionPool: { sasl: null, isConnected: () => true } }
    // The first request (ApiVersions) timed out: kafkajs would return from connect() at once and fail every request after.
    expect(Broker.prototype.isConnected.call({ ...socketOpen, versions: null })).toBe(false)
    expect(Broker.prototype.isConnected.call({ ...socketOpen, versions: { 18: { minVersion: 0, maxVersion: 3 } } })).toBe(true)
    expect(Broker.prototype.isConnected.call({ connectionPool: { sasl: null, isConnected: () => false }, versions: {} })).toBe(false)
  })
})
