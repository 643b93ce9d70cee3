/**
 * Weft's version, read from package.json (one level up from both `tangle/` and the
 * compiled `lib/`), so the manifest and cache keys always name the running version.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const WEFT_VERSION: string = (require('../package.json') as { version: string }).version;
