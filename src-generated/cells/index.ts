// generated from docs/cells/overview.lit.md by weft — edit the source, not this file
// The public surface of the cells runtime: define cells, start them on a bus in process or in a
// worker, send to them, observe them, and decide where they belong. Everything else is internal.

export { createBus, type Bus, type BusOptions, type StartOptions } from './bus.js';
export {
  defineCell,
  type Cell,
  type CellContext,
  type CellSpec,
  type Contract,
  type EventTopic,
  type Grants,
  type RequestTopic,
  type Sender,
  type UntypedCell,
} from './cell.js';
export { defaultBudget, type Budget } from './budget.js';
export { CellError, isCellError, type CellErrorCode, type CellErrorData } from './errors.js';
export {
  defaultRestartPolicy,
  restartDelayMs,
  type CellHealth,
  type CellState,
  type RestartPolicy,
  type SupervisionEvent,
} from './supervisor.js';
export { inProcess, type CellTransport, type TransportFactory } from './transport.js';
export { inWorker, type WorkerPlacement } from './worker.js';
export { serveCellInWorker } from './worker-host.js';
export { inChildProcess, type ChildProcessPlacement } from './child-process.js';
export { isCellChildProcess, serveCellInChildProcess } from './child-host.js';
export { hostedTransport, type HostTimeouts } from './hosted.js';
export { serveCell } from './cell-host.js';
export { closeConnection, outboxOf, overNats, partitionOf, serveCellOverNats, type NatsPlacement, type NatsServing, type NatsServingOptions } from './nats.js';
export type { FromHost, HostChannel, ParentChannel, ToHost } from './host-protocol.js';
export {
  defaultThresholds,
  shouldLeaveTheMonolith,
  type CellProfile,
  type Placement,
  type Thresholds,
  type Verdict,
} from './criteria.js';
//# sourceMappingURL=index.ts.map
