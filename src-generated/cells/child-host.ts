// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The child side of inChildProcess: the forked script calls `serveCellInChildProcess(cells)`, and the
// cell host serves the cell named in the environment over the IPC channel. When the channel closes
// the parent is gone, and the child exits rather than outlive its supervisor.

import type { UntypedCell } from './cell.js';
import { serveCell } from './cell-host.js';
import { childCellVariable } from './child-process.js';
import type { FromHost, ToHost } from './host-protocol.js';

/** True in a process that an `inChildProcess` placement forked to host a cell. */
export function isCellChildProcess(): boolean {
  return process.send !== undefined && process.env[childCellVariable] !== undefined;
}

/** Serve, in this child process, whichever of `cells` the parent's `inChildProcess` placement asked for. */
export function serveCellInChildProcess(cells: readonly UntypedCell[]): void {
  const send = process.send?.bind(process);
  const name = process.env[childCellVariable];
  if (send === undefined || name === undefined) {
    throw new TypeError('Cannot `serveCellInChildProcess` outside a child process: call it from the script an `inChildProcess({ script })` placement forks');
  }
  process.once('disconnect', () => process.exit(0));
  serveCell(cells, name, { post: (message: FromHost) => void send(message), listen: (message) => process.on('message', (received) => message(received as ToHost)) }, 'child process');
}
//# sourceMappingURL=child-host.ts.map
