// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The host side of every hosted placement. The host's script serves a list of cells; the host picks
// the one its parent named, starts one incarnation, runs the handlers the parent sends, and forwards
// the cell's own sends to the parent, which checks their grants. It never chooses a sender name: the
// protocol has no field for one. worker-host.ts and child-host.ts adapt it to their channels.

import type { Outbox, Reply, UntypedCell } from './cell.js';
import { reasonOf } from './errors.js';
import type { ParentChannel } from './host-protocol.js';

/** Serve the cell named `name`, one of `cells`, to the parent at the other end of `parent`. */
export function serveCell(cells: readonly UntypedCell[], name: string, parent: ParentChannel, kind: string): void {
  const post = parent.post;
  const cell = cells.find((candidate) => candidate.name === name);
  if (cell === undefined) {
    const known = cells.map((candidate) => `"${candidate.name}"`).join(', ');
    post({ type: 'start-failed', reason: `its ${kind} script has no cell named "${name}" (it has ${known})` });
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

  parent.listen((message) => {
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
//# sourceMappingURL=cell-host.ts.map
