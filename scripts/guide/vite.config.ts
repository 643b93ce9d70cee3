// generated from docs/guide.lit.md by weft — edit the source, not this file
// Serve and test the guide with Vite and Vitest; Weft tangles inside the server.
import { defineConfig } from 'vite';
import { weft, weftTestDocs } from 'weft-lit/vite';

export default defineConfig({
  plugins: [weft()],
  test: { include: await weftTestDocs() },
} as Parameters<typeof defineConfig>[0]);
//# sourceMappingURL=vite.config.ts.map
