// Types for scripts/kafka/broker.mjs (plain Node ESM, no build step).
import type { ChildProcess } from 'node:child_process';

export declare const DEFAULT_KAFKA_VERSION: string;
/** Version that is fetched and run: $MLKAFKA_KAFKA_VERSION or DEFAULT_KAFKA_VERSION. */
export declare const KAFKA_VERSION: string;
/** `code` of errors meaning java or mvn is missing (tests may skip instead of failing). */
export declare const MISSING_TOOL: 'ERR_MLKAFKA_MISSING_TOOL';

export declare class KafkaBrokerError extends Error {
  constructor(message: string, code?: string, details?: unknown);
  /** ERR_MLKAFKA_MISSING_TOOL | ERR_MLKAFKA_PORT_IN_USE | ERR_MLKAFKA_BROKER_START | ERR_MLKAFKA_BROKER */
  code: string;
  details?: { logTail?: string; log?: string };
}

export interface StartBrokerOptions {
  /** PLAINTEXT port on 127.0.0.1; default $KAFKA_PORT or 9092; 0 picks a free port. */
  port?: number;
  /** Empty or missing directory for the broker's data; default a fresh temp dir. Removed by stop(). */
  dataDir?: string;
  /** Kafka version; default KAFKA_VERSION. */
  version?: string;
  /** Run the JVM in its own session (survives the parent and its terminal). Default true. */
  detached?: boolean;
  /** Give up after this long (default 60 000 ms). */
  readyTimeoutMs?: number;
}

export interface RunningBroker {
  /** Bootstrap servers, '127.0.0.1:<port>'. */
  brokers: string;
  port: number;
  pid: number;
  dataDir: string;
  logFile: string;
  version: string;
  /** SIGTERM, SIGKILL after 15 s, then removes dataDir. */
  stop(): Promise<void>;
}

export declare function startBroker(options?: StartBrokerOptions): Promise<RunningBroker>;
export declare function stopBroker(broker: { pid: number; dataDir?: string; child?: ChildProcess }): Promise<void>;
export declare function checkPrerequisites(version?: string): { ok: true } | { ok: false; reason: string };
export declare function ensureJars(version?: string): Promise<{ libs: string; fetched: boolean; ms: number }>;
export declare function findJava(version?: string): string;
export declare function findMaven(): string;
export declare function freePort(): Promise<number>;
export declare function probeKafka(port: number, host?: string, timeoutMs?: number): Promise<boolean>;
export declare function cacheRoot(): string;
export declare function libsDir(version?: string): string;
export declare function stateFile(): string;
