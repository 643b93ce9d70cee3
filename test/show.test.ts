/**
 * `weft show` prints one chunk expanded, or one output as a tangle writes it, like
 * `notangle -R`. Each test runs the real CLI in a temporary project.
 */
import { describe, expect, it } from 'vitest';
import { fence, makeProject, read, weft } from './helpers.js';

const DOC = `# A

${fence('ts file=src-generated/a.ts', 'export function f() {\n  <<body-of-f>>\n}')}
${fence('ts #body-of-f', 'const x = 1;\n<<return-x>>')}
${fence('ts #return-x', 'return x;')}`;

describe('weft show', () => {
  it('prints a chunk expanded, with the indentation of nested references', () => {
    const dir = makeProject({ 'docs/a.lit.md': DOC });
    const run = weft(dir, 'show', '<<body-of-f>>');
    expect(run).toEqual({ code: 0, stdout: 'const x = 1;\nreturn x;\n', stderr: '' });
    expect(weft(dir, 'show', 'body-of-f').stdout).toBe('const x = 1;\nreturn x;\n');
    expect(weft(dir, 'show', 'docs/a.lit.md#return-x').stdout).toBe('return x;\n');
  });

  it('prints an output exactly as weft tangle writes it', () => {
    const dir = makeProject({ 'docs/a.lit.md': DOC });
    const shown = weft(dir, 'show', 'src-generated/a.ts').stdout;
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(shown).toBe(read(dir, 'src-generated/a.ts'));
    expect(shown).toContain('  const x = 1;\n  return x;\n');
  });

  it('--json names what was shown', () => {
    const dir = makeProject({ 'docs/a.lit.md': DOC });
    expect(JSON.parse(weft(dir, 'show', '<<return-x>>', '--json').stdout)).toEqual({ ok: true, kind: 'chunk', name: 'return-x', document: 'docs/a.lit.md', text: 'return x;\n', diagnostics: [] });
  });

  it('reports the errors of an expansion at the Markdown, exit 1', () => {
    const dir = makeProject({ 'docs/a.lit.md': `# A\n\n${fence('ts #broken', '<<nowhere>>')}` });
    const run = weft(dir, 'show', 'broken');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('docs/a.lit.md:4:1: error: chunk `nowhere` is not defined [undefined-chunk]\n');
  });

  it('a name that matches nothing, or several documents, is exit 1 with the candidates', () => {
    const dir = makeProject({ 'docs/a.lit.md': DOC, 'docs/b.lit.md': `# B\n\n${fence('ts #return-x', 'return 2;')}` });
    expect(weft(dir, 'show', 'nothing-here')).toMatchObject({ code: 1, stderr: 'weft show: no chunk or output named nothing-here\n' });
    expect(weft(dir, 'show', 'return-x')).toMatchObject({
      code: 1,
      stderr: 'weft show: chunk `return-x` is defined in 2 documents; name one as DOCUMENT#NAME\n  docs/a.lit.md#return-x\n  docs/b.lit.md#return-x\n',
    });
    expect(weft(dir, 'show', 'docs/b.lit.md#return-x').stdout).toBe('return 2;\n');
  });

  it('without a name is a usage error', () => {
    expect(weft(makeProject({}), 'show').code).toBe(2);
  });
});
