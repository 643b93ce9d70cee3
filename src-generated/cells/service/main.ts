// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// Entry of the cells key-value service, bundled to dist/cells/service/main.js. The same bundle is
// the program and, loaded by a worker thread, the host of whichever cell CELLS_IN_WORKER placed
// there — so a deployment ships one file, and moving a cell into a worker is configuration.
// This is the service's CLI: the only place that calls process.exit.

import { isMainThread } from 'node:worker_threads';
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
  const workers = config.inWorker.length === 0 ? 'none' : config.inWorker.join(', ');
  console.log(`cells-kv: listening on ${service.url} (cells in workers: ${workers})`);
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

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(`cells-kv: ${reasonOf(error)}`);
    process.exit(1);
  });
} else {
  serveCellInWorker(serviceCells(loadServiceConfig(process.env)));
}
//# sourceMappingURL=main.ts.map
