// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// inChildProcess: each incarnation of a cell runs in its own Node process, forked from a script that
// calls `serveCellInChildProcess`, and speaks the host protocol over the IPC channel. This is the
// placement for crash containment, lower trust and independent deployment: a killed child takes
// nothing else with it; the supervisor restarts it like any crashed cell. A forced stop is SIGKILL.

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { hostedTransport, type HostTimeouts } from './hosted.js';
import type { FromHost, HostChannel, ToHost } from './host-protocol.js';
import type { TransportFactory } from './transport.js';

/** The environment variable that tells a forked script which cell to host. */
export const childCellVariable = 'CELLS_CHILD_PROCESS_CELL';

/** Where and how to run a cell in a child process. */
export interface ChildProcessPlacement extends HostTimeouts {
  /** The JavaScript module the child runs; it must call `serveCellInChildProcess` with this cell among its cells. */
  readonly script: URL | string;
  /** The child's environment. @default a copy of the parent's */
  readonly env?: Readonly<Record<string, string>>;
  /** Node options for the child, e.g. `--max-old-space-size=64`. @default none */
  readonly execArgv?: readonly string[];
}

/** Run the cell in a child process running `placement.script`. */
export function inChildProcess(placement: ChildProcessPlacement): TransportFactory {
  const script = typeof placement.script === 'string' ? placement.script : fileURLToPath(placement.script);
  return (cell) =>
    hostedTransport(
      'child-process',
      (): HostChannel => {
        const child = fork(script, [], {
          env: { ...(placement.env ?? process.env), [childCellVariable]: cell.name },
          execArgv: [...(placement.execArgv ?? [])],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        return {
          post(message: ToHost) {
            if (child.connected) child.send(message, (error) => void error); // a dying child's channel may refuse; its exit reports it
          },
          listen(message, ended) {
            child.on('message', (received) => message(received as FromHost));
            child.on('error', (error: Error) => ended(`its process failed: ${error.message}`));
            child.on('exit', (code, signal) =>
              ended(signal === null ? `its process exited with code ${String(code)}` : `its process was killed by ${signal}`),
            );
          },
          terminate: () => killAndWait(child),
          pid: child.pid,
        };
      },
      placement,
    );
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
//# sourceMappingURL=child-process.ts.map
