// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The script the transport tests' workers and child processes run, bundled by the tests themselves.
import { isMainThread } from 'node:worker_threads';
import { serveCellInChildProcess } from '../child-host.js';
import { serveCellInWorker } from '../worker-host.js';
import { probeCells } from './probe-cells.js';

if (isMainThread) serveCellInChildProcess(probeCells);
else serveCellInWorker(probeCells);
//# sourceMappingURL=host-entry.ts.map
