/**
 * This repository's own literate sources: the committed outputs in src-generated/ and
 * scripts/ must be exactly what docs/ tangles to (source maps are not part of this).
 */
import { describe, expect, it } from 'vitest';
import { REPO, weft } from './helpers.js';

describe('this repository', () => {
  it('has committed outputs that are up to date with docs/ (weft tangle --check)', () => {
    const run = weft(REPO, 'tangle', '--check', '--no-bundle');
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('all outputs are up to date');
  });
});
