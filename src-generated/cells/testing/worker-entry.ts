// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The script the transport tests' workers run, bundled by the tests themselves.
import { serveCellInWorker } from '../worker-host.js';
import { probeCells } from './probe-cells.js';

serveCellInWorker(probeCells);
//# sourceMappingURL=worker-entry.ts.map
