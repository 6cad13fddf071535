import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: keep test files from fighting over them.
    maxWorkers: 2,
    // Each test file's temp folders are removed when it ends (MLKAFKA_KEEP_TEMP=1 keeps them).
    setupFiles: ['test/setup/temp-cleanup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts'] } },
      // Integration tests talk to a real Kafka broker, started once per run (or KAFKA_BROKERS).
      { extends: true, test: { name: 'kafka', include: ['test/integration/**/*.test.ts'], globalSetup: ['test/setup/kafka-global-setup.ts'] } },
    ],
  },
})
