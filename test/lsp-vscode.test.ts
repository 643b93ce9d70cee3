/**
 * The VS Code extension (editors/vscode/): a build smoke test. It builds with esbuild,
 * the bundle loads with only `vscode` provided by the host and exports activate/deactivate,
 * and the injection grammar colours a `<<name>>` line.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const EXTENSION = join(REPO, 'editors', 'vscode');

describe('the VS Code extension', () => {
  it('builds into one CommonJS file that needs nothing but vscode', () => {
    const build = spawnSync(process.execPath, [join(EXTENSION, 'build.mjs')], { encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const bundle = readFileSync(join(EXTENSION, 'out', 'extension.js'), 'utf8');
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!).filter((name) => !name.startsWith('node:') && !/^[a-z_]+$/.test(name));
    expect(required).toEqual([]);
    const module = { exports: {} as Record<string, unknown> };
    const real = createRequire(join(EXTENSION, 'out', 'extension.js'));
    // VS Code's API as loading sees it: any property is a class (extended at load time) with more of the same.
    const host: object = new Proxy(function () {}, { get: (_, key) => (key === 'prototype' ? {} : host) });
    const fakeRequire = (name: string) => (name === 'vscode' ? host : real(name));
    new Function('module', 'exports', 'require', bundle)(module, module.exports, fakeRequire);
    expect(Object.keys(module.exports).sort()).toEqual(['activate', 'deactivate']);
    expect(bundle).toContain("documentSelector: [{ language: \"markdown\", pattern: \"**/*.lit.md\" }]");
  });

  it('declares an injection grammar that matches a <<reference>> line and nothing else', () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION, 'package.json'), 'utf8'));
    const [grammar] = manifest.contributes.grammars;
    expect(grammar.injectTo).toEqual(['text.html.markdown']);
    const rules = JSON.parse(readFileSync(join(EXTENSION, grammar.path), 'utf8'));
    const pattern = new RegExp(rules.repository['chunk-reference'].match);
    expect(pattern.exec('  <<parse-the-arguments>>')?.[3]).toBe('parse-the-arguments');
    expect(pattern.exec('x = <<not-a-reference>>;')).toBeNull();
  });
});
