/**
 * Test helpers: real projects in temporary folders, and the real CLI as a child process.
 */
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const WEFT_BIN = join(REPO, 'bin', 'weft.js');

const made: string[] = [];
afterAll(() => {
  if (process.env.WEFT_KEEP_TMP) return;
  // maxRetries: a folder another process has just stopped writing into can still be settling.
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

/** A new project folder with `files` (path → content) written into it. */
export function makeProject(files: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'weft-test-')));
  made.push(dir);
  writeFiles(dir, files);
  return dir;
}

/**
 * Stops a child process and waits until it has exited, so that nothing it was writing can
 * land in a project folder after the folder is removed. SIGKILL after `graceMs`.
 */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

export function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

export function exists(dir: string, path: string): boolean {
  return existsSync(join(dir, path));
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `weft ARGS` in `cwd` synchronously. */
export function weft(cwd: string, ...args: string[]): Run {
  const result = spawnSync(process.execPath, [WEFT_BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Run `weft ARGS` in `cwd` without blocking the event loop. */
export function weftAsync(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [WEFT_BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A fenced block: fence('ts file=src-generated/a.ts', 'code'). */
export function fence(info: string, body: string, marker = '```'): string {
  return `${marker}${info}\n${body}\n${marker}\n`;
}
