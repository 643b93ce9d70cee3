/**
 * The persistent parse cache under `.weft/cache/`.
 *
 * One entry per document: its `CollectedDocument`, keyed by the document's path, the
 * SHA-256 of its bytes and the collect stage's options (`collectVariant`: the config's
 * `quartoAttributes` changes what a block means), in a folder named for Weft's version, so a new version never reads
 * an old version's entries. Entries are untrusted input: anything that does not parse,
 * has the wrong shape, or names another path or hash is ignored (and later replaced),
 * never trusted. Writes are atomic (temporary file, rename), so a crash leaves either no
 * entry or a whole one. The cache is an optimisation only: deleting `.weft/cache` is
 * always safe.
 *
 * The folder is `.weft/cache/` unless the caller names another (`--cache-dir`): a folder
 * inside the project is checked for links on the way like the default one; a folder
 * outside it was named by the user, who is trusted with it.
 *
 * Each entry is signed (HMAC-SHA256) with a random key kept outside the project, in
 * `$XDG_CACHE_HOME/weft/cache-key` (default `~/.cache/weft/cache-key`), so only entries
 * this user's Weft wrote on this machine are read. Without the signature, an entry that
 * arrived with the project (committed, or unpacked from an archive) could describe a
 * document's code as anything, and Weft would tangle it: the document's hash is public.
 * Where that folder cannot be written, the key lives for one process only.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { CollectedDocument } from './types.js';
import { unsafeFolder } from './confine.js';
import { WEFT_VERSION } from './version.js';

export const CACHE_DIR = '.weft/cache';

/** The cache folder's path relative to `root` (POSIX), or undefined when it is outside `root`. */
export function insideRoot(root: string, folder: string): string | undefined {
  const path = relative(root, resolve(root, folder)).split(sep).join('/');
  return path === '' || path === '..' || path.startsWith('../') || isAbsolute(path) ? undefined : path;
}

export class DiskCache {
  private readonly dir: string;
  private created = false;
  private readonly used = new Set<string>();

  private readonly root: string;
  private readonly folders: string[];
  private safe: boolean | undefined;

  /** `folder`: the cache folder, relative to `root` or absolute. @default `.weft/cache` */
  constructor(root: string, folder: string = CACHE_DIR) {
    const version = `v${WEFT_VERSION.replace(/[^0-9A-Za-z.-]/g, '_')}`;
    this.root = root;
    this.dir = join(resolve(root, folder), version);
    const inside = insideRoot(root, folder);
    // Each folder on the way, from the project root down (`.weft`, `.weft/cache`, `.weft/cache/vX`).
    this.folders = inside === undefined ? [] : `${inside}/${version}`.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  }

  /** Whether the cache folder may be written to and pruned: no link on the way (checked once). */
  private writable(): boolean {
    this.safe ??= unsafeFolder(this.root, this.folders) === undefined;
    return this.safe;
  }

  private file(path: string, hash: string, variant: string): string {
    // The default variant ('') keeps the key it always had.
    const key = createHash('sha256').update(`${path}\0${hash}${variant === '' ? '' : `\0${variant}`}`).digest('hex');
    this.used.add(key);
    return join(this.dir, `${key}.json`);
  }

  /** The cached chunks of `path` at content `hash`, collected with options `variant` (`collectVariant`), or undefined. */
  get(path: string, hash: string, variant = ''): CollectedDocument | undefined {
    let data: unknown;
    try {
      const text = readFileSync(this.file(path, hash, variant), 'utf8');
      const newline = text.indexOf('\n');
      if (newline < 0 || !verify(text.slice(0, newline), text.slice(newline + 1))) return undefined;
      data = JSON.parse(text.slice(newline + 1));
    } catch {
      return undefined;
    }
    return isCollected(data, path, hash) ? data : undefined;
  }

  set(document: CollectedDocument, variant = ''): void {
    if (!this.writable()) return;
    try {
      if (!this.created) {
        mkdirSync(this.dir, { recursive: true });
        this.created = true;
      }
      const file = this.file(document.path, document.hash, variant);
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, signed(JSON.stringify(document)));
      renameSync(temporary, file);
    } catch {
      // A cache that cannot be written (read-only checkout, full disk) only costs speed.
    }
  }

  /** Drop entries not used by this build, once they outnumber the live ones (bounded disk use). */
  flush(_liveHashes: string[]): void {
    if (!this.writable()) return;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    if (names.length <= this.used.size * 2 + 16) return;
    for (const name of names) {
      if (!this.used.has(name.replace(/\.json$/, ''))) rmSync(join(this.dir, name), { force: true });
    }
  }
}

/** What an entry starts with: this format's name and the HMAC of the JSON after it. */
const SIGNATURE = /^weft-cache-entry-1 ([0-9a-f]{64})$/;

/** An entry's text: a signature line, then the JSON. */
export function signed(json: string): string {
  return `weft-cache-entry-1 ${mac(json)}\n${json}`;
}

/** The JSON of an entry that `signed` wrote with this user's key, or undefined (unsigned, tampered, or another key's). */
export function unsigned(text: string): string | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const json = text.slice(newline + 1);
  return verify(text.slice(0, newline), json) ? json : undefined;
}

function verify(line: string, json: string): boolean {
  const match = SIGNATURE.exec(line);
  return match !== null && timingSafeEqual(Buffer.from(match[1]!, 'hex'), Buffer.from(mac(json), 'hex'));
}

function mac(json: string): string {
  return createHmac('sha256', signingKey()).update(json).digest('hex');
}

let key: Buffer | undefined;

/** This user's cache key (see the top of this file), made on first use. */
export function signingKey(): Buffer {
  if (key) return key;
  const base = cacheHome();
  if (base === undefined) return (key = randomBytes(32));
  const folder = join(base, 'weft');
  const file = join(folder, 'cache-key');
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Written whole, then linked into place only if there is none: two first runs agree on one key.
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      linkSync(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temporary, { force: true });
    }
    const text = readFileSync(file, 'utf8').trim();
    key = /^[0-9a-f]{64}$/.test(text) ? Buffer.from(text, 'hex') : randomBytes(32);
  } catch {
    key = randomBytes(32); // No writable home: entries last as long as this process.
  }
  return key;
}

/** `$XDG_CACHE_HOME`, else `~/.cache`; relative paths are ignored (as the XDG spec says), never resolved against the project. */
function cacheHome(): string | undefined {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return xdg;
  let home = '';
  try {
    home = homedir();
  } catch {
    // No home (a user without a passwd entry): no key file.
  }
  return home && isAbsolute(home) ? join(home, '.cache') : undefined;
}

/** Shape check of an untrusted cache entry. */
function isCollected(data: unknown, path: string, hash: string): data is CollectedDocument {
  if (!data || typeof data !== 'object') return false;
  const doc = data as CollectedDocument;
  if (doc.path !== path || doc.hash !== hash) return false;
  if (!Array.isArray(doc.chunks) || !Array.isArray(doc.files) || !Array.isArray(doc.messages)) return false;
  const partsOk = (parts: unknown) =>
    Array.isArray(parts) &&
    parts.length > 0 &&
    parts.every(
      (p) =>
        p &&
        typeof p === 'object' &&
        p.document === path &&
        typeof p.value === 'string' &&
        Number.isInteger(p.line) &&
        Number.isInteger(p.fenceLine) &&
        Number.isInteger(p.fenceColumn) &&
        Array.isArray(p.columns) &&
        Array.isArray(p.references),
    );
  return (
    doc.chunks.every((c) => c && typeof c.name === 'string' && c.document === path && partsOk(c.parts)) &&
    doc.files.every((f) => f && typeof f.path === 'string' && f.document === path && partsOk(f.parts)) &&
    doc.messages.every((m) => m && typeof m.message === 'string' && typeof m.rule === 'string' && m.file === path)
  );
}
