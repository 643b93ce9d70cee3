// generated from docs/guide.lit.md by weft — edit the source, not this file
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { Slugger, slugify } from './slug.js';

describe('slugify', () => {
  it('lower-cases and joins words with hyphens', () => {
    expect(slugify('The problem this example solves')).toBe('the-problem-this-example-solves');
  });

  it('drops punctuation but keeps letters of any script', () => {
    expect(slugify('Über uns: wer wir sind!')).toBe('über-uns-wer-wir-sind');
  });

  it('does not squeeze repeated spaces', () => {
    expect(slugify('a  b')).toBe('a--b');
  });
});

describe('Slugger', () => {
  it('numbers repeated headings', () => {
    const slugger = new Slugger();
    expect(['Example', 'Example', 'Example 1'].map((h) => slugger.slug(h))).toEqual(['example', 'example-1', 'example-1-1']);
  });
});

describe('the command', () => {
  it('refuses to run without headings', () => {
    expect(() => main([])).toThrow('usage: slug HEADING...');
  });
});
//# sourceMappingURL=slug.test.ts.map
