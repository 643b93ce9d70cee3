import { defineConfig } from 'vitest/config';

// The engine's tests (test/) and the literate test plans tangled from docs/
// (src-generated/**/*.test.ts) run together in `npm test`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src-generated/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
