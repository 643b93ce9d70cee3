// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The worker side of inWorker. The worker's script calls `serveCellInWorker(cells)`; the host picks
// the cell named in `workerData`, starts one incarnation, runs the handlers the parent sends, and
// forwards the cell's own sends to the parent, which checks their grants. It never chooses a
// sender name: the protocol has no field for one.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Outbox, Reply, UntypedCell } from './cell.js';
import { reasonOf } from './errors.js';
import type { FromWorker, ToWorker, WorkerData } from './worker-protocol.js';

/** Serve, in this worker, whichever of `cells` the parent's `inWorker` placement asked for. */
export function serveCellInWorker(cells: readonly UntypedCell[]): void {
  const port = parentPort;
  if (isMainThread || port === null) {
    throw new TypeError('Cannot `serveCellInWorker` on the main thread: call it from the script an `inWorker({ script })` placement runs');
  }
  const post = (message: FromWorker): void => port.postMessage(message);
  const { cell: name } = workerData as WorkerData;
  const cell = cells.find((candidate) => candidate.name === name);
  if (cell === undefined) {
    const known = cells.map((candidate) => `"${candidate.name}"`).join(', ');
    post({ type: 'start-failed', reason: `its worker script has no cell named "${name}" (it has ${known})` });
    return;
  }

  const awaitingReply = new Map<number, (reply: Reply) => void>();
  let nextSendId = 0;
  const outbox: Outbox = (outgoing) =>
    new Promise<Reply>((resolve) => {
      const id = ++nextSendId;
      awaitingReply.set(id, resolve);
      post({ type: 'send', id, outgoing });
    });

  const incarnation = cell.start(outbox);
  incarnation.then(
    () => post({ type: 'started' }),
    (error: unknown) => post({ type: 'start-failed', reason: reasonOf(error) }),
  );

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'handle':
        incarnation
          .then((started) => started.handle(message.envelope))
          .then(
            (body) => post({ type: 'handled', id: message.id, ok: true, body }),
            (error: unknown) => post({ type: 'handled', id: message.id, ok: false, reason: reasonOf(error) }),
          );
        return;
      case 'reply':
        awaitingReply.get(message.id)?.(message.reply);
        awaitingReply.delete(message.id);
        return;
      case 'stop':
        void incarnation
          .then((started) => started.stop())
          .catch(() => {})
          .then(() => post({ type: 'stopped' }));
        return;
    }
  });
}
//# sourceMappingURL=worker-host.ts.map
