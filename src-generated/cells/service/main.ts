// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// Entry of the cells key-value service, bundled to dist/cells/service/main.js. The same bundle is
// the program and, loaded by a worker thread or forked as a child process, the host of whichever cell
// CELLS_IN_WORKER or CELLS_IN_CHILD_PROCESS placed there — so a deployment ships one file, and moving
// a cell is configuration.
// This is the service's CLI: the only place that calls process.exit.

import { isMainThread } from 'node:worker_threads';
import { isCellChildProcess, serveCellInChildProcess } from '../child-host.js';
import { reasonOf } from '../errors.js';
import { serveCellInWorker } from '../worker-host.js';
import { serviceCells } from './cells.js';
import { loadServiceConfig } from './config.js';
import { startService } from './service.js';

async function main(): Promise<void> {
  const config = loadServiceConfig(process.env);
  const service = await startService(config, {
    workerScript: new URL(import.meta.url),
    log: (line) => console.log(line),
  });
  const listed = (cells: readonly string[]) => (cells.length === 0 ? 'none' : cells.join(', '));
  console.log(
    `cells-kv: listening on ${service.url} (cells in workers: ${listed(config.inWorker)}; in child processes: ${listed(config.inChildProcess)})`,
  );
  const stop = (signal: NodeJS.Signals) => {
    console.log(`cells-kv: ${signal}, stopping`);
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`cells-kv: stop failed: ${reasonOf(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (!isMainThread) {
  serveCellInWorker(serviceCells(loadServiceConfig(process.env)));
} else if (isCellChildProcess()) {
  serveCellInChildProcess(serviceCells(loadServiceConfig(process.env)));
} else {
  main().catch((error: unknown) => {
    console.error(`cells-kv: ${reasonOf(error)}`);
    process.exit(1);
  });
}
//# sourceMappingURL=main.ts.map
