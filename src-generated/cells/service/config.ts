// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// The key-value service's configuration: read from the environment, in the main thread and again in
// each worker, so both see the same values. Every variable is checked, and a bad one is a TypeError
// naming it; `serviceConfigToEnv` is the inverse, for the workers' environment.

/** The service's cells, by name. */
export const serviceCellNames = ['kv', 'audit'] as const;
export type ServiceCellName = (typeof serviceCellNames)[number];

export interface ServiceConfig {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 8787 */
  readonly port: number;
  /** Cells to run in worker threads instead of the main thread. @default [] */
  readonly inWorker: readonly ServiceCellName[];
  /** File the audit cell appends one JSON line per change to. @default none: memory only */
  readonly auditLogFile?: string;
  /** Most keys the store holds. @default 10000 */
  readonly maxKeys: number;
  /** Largest value, in UTF-8 bytes. @default 16384 */
  readonly maxValueBytes: number;
  /** Requests that may wait in the kv cell's mailbox before more are refused with 503. @default 128 */
  readonly kvQueueDepth: number;
  /** Cells to run in child processes instead of the main thread. @default [] */
  readonly inChildProcess: readonly ServiceCellName[];
  /** The broker this process shares work through (broker.lit.md). @default none: one process */
  readonly nats?: NatsConfig;
}

/** How one process of a service spread over several takes part, through NATS. */
export interface NatsConfig {
  /** The broker, e.g. `nats://127.0.0.1:4222`. */
  readonly url: string;
  /** How many processes share the keys, each owning one partition. @default 1 */
  readonly partitions: number;
  /** The partition this process owns, from 0. @default 0 */
  readonly partition: number;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The configuration in `env`: PORT, CELLS_IN_WORKER, CELLS_IN_CHILD_PROCESS, AUDIT_LOG, KV_MAX_KEYS,
 * KV_MAX_VALUE_BYTES, KV_QUEUE_DEPTH, and NATS_URL with CELLS_PARTITIONS and CELLS_PARTITION.
 */
export function loadServiceConfig(env: Environment): ServiceConfig {
  const auditLogFile = env['AUDIT_LOG'];
  const config: ServiceConfig = Object.freeze({
    port: integerFrom(env, 'PORT', 8787, 0, 65_535),
    inWorker: Object.freeze(cellNamesFrom(env, 'CELLS_IN_WORKER')),
    inChildProcess: Object.freeze(cellNamesFrom(env, 'CELLS_IN_CHILD_PROCESS')),
    ...(auditLogFile ? { auditLogFile } : {}),
    maxKeys: integerFrom(env, 'KV_MAX_KEYS', 10_000, 1, Number.MAX_SAFE_INTEGER),
    maxValueBytes: integerFrom(env, 'KV_MAX_VALUE_BYTES', 16_384, 1, 16 * 1024 * 1024),
    kvQueueDepth: integerFrom(env, 'KV_QUEUE_DEPTH', 128, 1, 1_000_000),
  });
  const natsUrl = env['NATS_URL'];
  if (natsUrl) {
    const partitions = integerFrom(env, 'CELLS_PARTITIONS', 1, 1, 1024);
    const partition = integerFrom(env, 'CELLS_PARTITION', 0, 0, partitions - 1);
    if (auditLogFile) throw new TypeError('AUDIT_LOG and NATS_URL are both set; with NATS_URL the audit trail is the broker\'s stream');
    if ([...config.inWorker, ...config.inChildProcess].includes('kv')) {
      throw new TypeError('With NATS_URL the kv cell runs behind the broker; it cannot also be in CELLS_IN_WORKER or CELLS_IN_CHILD_PROCESS');
    }
    return Object.freeze({ ...config, nats: Object.freeze({ url: natsUrl, partitions, partition }) });
  }
  const twice = config.inWorker.find((cell) => config.inChildProcess.includes(cell));
  if (twice !== undefined) {
    throw new TypeError(`CELLS_IN_WORKER and CELLS_IN_CHILD_PROCESS both name "${twice}"; a cell runs in one place`);
  }
  return config;
}

/** The environment that makes `loadServiceConfig` return `config`. */
export function serviceConfigToEnv(config: ServiceConfig): Record<string, string> {
  return {
    PORT: String(config.port),
    CELLS_IN_WORKER: config.inWorker.join(','),
    CELLS_IN_CHILD_PROCESS: config.inChildProcess.join(','),
    ...(config.auditLogFile === undefined ? {} : { AUDIT_LOG: config.auditLogFile }),
    KV_MAX_KEYS: String(config.maxKeys),
    KV_MAX_VALUE_BYTES: String(config.maxValueBytes),
    KV_QUEUE_DEPTH: String(config.kvQueueDepth),
    ...(config.nats === undefined
      ? {}
      : { NATS_URL: config.nats.url, CELLS_PARTITIONS: String(config.nats.partitions), CELLS_PARTITION: String(config.nats.partition) }),
  };
}

function integerFrom(env: Environment, name: string, fallback: number, least: number, most: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < least || value > most) {
    throw new TypeError(`${name} must be an integer from ${least} to ${most}, got "${text}"`);
  }
  return value;
}

function cellNamesFrom(env: Environment, variable: string): ServiceCellName[] {
  const names = (env[variable] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.map((name) => {
    const known = serviceCellNames.find((cell) => cell === name);
    if (known === undefined) {
      throw new TypeError(`${variable} names "${name}", which is not a cell; the cells are ${serviceCellNames.join(', ')}`);
    }
    return known;
  });
}
//# sourceMappingURL=config.ts.map
