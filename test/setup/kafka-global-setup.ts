// Vitest globalSetup: gives the Kafka integration tests a real Kafka cluster.
//
// - KAFKA_BROKERS set: use that cluster, start nothing.
// - Otherwise: start a single-node KRaft broker (scripts/kafka/broker.mjs) on a free
//   port of 127.0.0.1 (never 9092, so it does not collide with `npm run kafka:up`)
//   and stop it after the run.
// - java / mvn missing: with CI=true the run fails with the one-line reason; elsewhere
//   the reason is printed once and kafkaBrokers is '' so Kafka tests skip themselves:
//
//     import { inject, describe } from 'vitest';
//     const brokers = inject('kafkaBrokers');
//     describe.skipIf(!brokers)(`kafka ${brokers || `(skipped: ${inject('kafkaSkipReason')})`}`, () => { ... });
//
// Tests may also read process.env.KAFKA_BROKERS (set here before the workers start).
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { MISSING_TOOL, startBroker, type RunningBroker } from '../../scripts/kafka/broker.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers ('host:port[,host:port]') of the Kafka cluster for tests; '' = no Kafka. */
    kafkaBrokers: string;
    /** Why kafkaBrokers is '' (empty when Kafka is available). */
    kafkaSkipReason: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.KAFKA_BROKERS?.trim();
  if (existing) {
    project.provide('kafkaBrokers', existing);
    project.provide('kafkaSkipReason', '');
    return async () => {};
  }

  let broker: RunningBroker;
  const t0 = Date.now();
  try {
    // detached: false, so a Ctrl-C on the test run reaches the broker JVM too.
    broker = await startBroker({ port: 0, detached: false });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e?.code === MISSING_TOOL && process.env.CI !== 'true') {
      const reason = String(e.message).split('\n')[0];
      process.stderr.write(`[kafka] Kafka integration tests will be skipped: ${reason}\n`);
      project.provide('kafkaBrokers', '');
      project.provide('kafkaSkipReason', reason);
      return async () => {};
    }
    throw err;
  }

  process.env.KAFKA_BROKERS = broker.brokers;
  project.provide('kafkaBrokers', broker.brokers);
  project.provide('kafkaSkipReason', '');
  process.stderr.write(
    `[kafka] Kafka ${broker.version} broker for tests at ${broker.brokers} ` +
      `(pid ${broker.pid}, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s, log: ${broker.logFile})\n`,
  );

  // If the run is interrupted (Ctrl-C) vitest exits without calling teardowns:
  // still stop the JVM and remove its data dir.
  const onExit = (): void => {
    try {
      process.kill(broker.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    rmSync(broker.dataDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  return async () => {
    process.off('exit', onExit);
    await broker.stop();
    if (process.env.KAFKA_BROKERS === broker.brokers) delete process.env.KAFKA_BROKERS;
  };
}
