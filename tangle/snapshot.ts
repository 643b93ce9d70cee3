/**
 * Snapshots: a project's documents and config as they are in the working tree, in another
 * folder, or at a git revision, tangled in memory.
 *
 * `weft diff`, `weft stats` and `weft explain` look at a project without writing it, so
 * they run the pure stages (decode → parse → collect → resolve → emit) over texts held in
 * memory and never touch `.weft/` or the outputs. Documents at a git revision are read
 * from git's object database (`git ls-tree`, then `git cat-file --batch`: the batch form
 * of `git show`, one process for every document instead of one each), never by checking
 * the revision out, so the working tree, the index and other engineers' edits are safe.
 *
 * Sources at a revision are chosen with picomatch, the matcher tinyglobby uses for the
 * working tree, so both sides of a diff select the same documents for the same globs.
 */
import { execFileSync } from 'node:child_process';
import picomatch from 'picomatch';
import { CONFIG_FILE, DEFAULT_CONFIG, loadConfig, parseConfig, type ResolvedConfig } from './config.js';
import { message, sortMessages } from './messages.js';
import { tangleSources } from './pipeline.js';
import { byteOrder, decodeSource, findSources, readSource, type SourceText } from './read.js';
import type { CollectedDocument, Message, Output } from './types.js';

/** A project's documents and config at one point in time. */
export interface Snapshot {
  /** What the snapshot shows, for people: `HEAD`, `working tree`, a folder path. */
  label: string;
  config: ResolvedConfig;
  /** Decoded documents in path order (byte order). */
  sources: SourceText[];
  /** Problems reading the config or the documents. */
  messages: Message[];
}

/** A snapshot after the pure stages: its chunks and the outputs it produces. */
export interface TangledSnapshot extends Snapshot {
  /** One per source, same order. */
  documents: CollectedDocument[];
  /** Outputs that tangle without errors, in path order. */
  outputs: Output[];
}

/** Run decode's successors (the pipeline: parse → collect → resolve → emit) over a snapshot. Pure. */
export function tangleSnapshot(snapshot: Snapshot): TangledSnapshot {
  const { documents, outputs, messages } = tangleSources(snapshot.sources, snapshot.config);
  return { ...snapshot, documents, outputs, messages: sortMessages([...snapshot.messages, ...messages]) };
}

/** A snapshot of documents given as texts (path → Markdown), for tests and the API. */
export function snapshotOfTexts(files: Record<string, string>, config: ResolvedConfig = DEFAULT_CONFIG, label = 'memory'): Snapshot {
  const sources = Object.keys(files)
    .sort(byteOrder)
    .map((path) => decodeSource(path, Buffer.from(files[path]!)));
  return { label, config, sources, messages: [] };
}

/** The project in folder `root` as it is on disk (the working tree, or `--from DIR`). */
export async function readFolder(root: string, label: string): Promise<Snapshot> {
  const loaded = loadConfig(root);
  const messages = [...loaded.messages];
  const config = loaded.config ?? DEFAULT_CONFIG;
  if (!loaded.config) messages.push(message(CONFIG_FILE, 0, 0, 'warning', 'malformed-config', `${label}: using the default configuration`));
  const paths = await findSources(root, config.sources);
  const sources = paths.map((path) => readSource(root, path, config.limits.maxDocumentBytes, config));
  return { label, config, sources, messages };
}

/** Thrown for a revision git does not know or a folder that is not in a repository. */
export class GitError extends Error {}

/** Run git in `root`; stdout as bytes. */
function git(root: string, args: string[], input?: string): Buffer {
  try {
    return execFileSync('git', args, { cwd: root, input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new GitError(stderr.split('\n')[0] || (error as Error).message);
  }
}

/** Whether `root` is inside a git work tree. */
export function isGitRepository(root: string): boolean {
  try {
    return git(root, ['rev-parse', '--is-inside-work-tree']).toString().trim() === 'true';
  } catch {
    return false;
  }
}

/**
 * The best common ancestor of two revisions (what `A...B` compares from, as in
 * `git diff A...B`), as a commit id.
 */
export function mergeBase(root: string, a: string, b: string): string {
  for (const revision of [a, b]) if (revision.startsWith('-') || revision.length === 0) throw new GitError(`invalid revision "${revision}"`);
  let base = '';
  try {
    base = git(root, ['merge-base', '--end-of-options', a, b]).toString().trim();
  } catch (error) {
    throw new GitError(`no merge base of "${a}" and "${b}": ${(error as Error).message || 'unknown revision'}`);
  }
  if (!base) throw new GitError(`"${a}" and "${b}" have no common ancestor`);
  return base;
}

/** The project in folder `root` at git revision `revision`, read from git's objects. */
export function readRevision(root: string, revision: string): Snapshot {
  // A revision starting with `-` would be read by git as an option.
  if (revision.startsWith('-') || revision.length === 0) throw new GitError(`invalid revision "${revision}"`);
  let commit = '';
  try {
    commit = git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]).toString().trim();
  } catch {
    // --quiet: git says nothing, it only fails.
  }
  if (!commit) throw new GitError(`unknown revision "${revision}"`);
  // Without --full-tree, ls-tree lists the folder git runs in, with paths relative to it:
  // exactly the project, even when the project is a subfolder of the repository.
  const listing = git(root, ['ls-tree', '-r', '-l', '-z', commit]).toString('utf8');
  const blobs = new Map<string, { id: string; size: number }>();
  for (const entry of listing.split('\0')) {
    const match = /^\d+ blob ([0-9a-f]+) +(\d+)\t(.*)$/s.exec(entry);
    if (match) blobs.set(match[3]!, { id: match[1]!, size: Number(match[2]) });
  }
  const messages: Message[] = [];
  let config = DEFAULT_CONFIG;
  const configBlob = blobs.get(CONFIG_FILE);
  if (configBlob) {
    const parsed = parseConfig(readBlobs(root, [configBlob.id])[0]!.toString('utf8'));
    messages.push(...parsed.messages.map((m) => ({ ...m, message: `${revision}: ${m.message}` })));
    if (parsed.config) config = parsed.config;
    else messages.push(message(CONFIG_FILE, 0, 0, 'warning', 'malformed-config', `${revision}: using the default configuration`));
  }
  const isSource = picomatch([...config.sources], { dot: false, ignore: ['**/node_modules/**', '**/.git/**', '**/.weft/**'] });
  const paths = [...blobs.keys()].filter((path) => isSource(path)).sort(byteOrder);
  const small = paths.filter((path) => blobs.get(path)!.size <= config.limits.maxDocumentBytes);
  const contents = readBlobs(root, small.map((path) => blobs.get(path)!.id));
  const byPath = new Map(small.map((path, i) => [path, contents[i]!]));
  const sources = paths.map((path): SourceText => {
    const bytes = byPath.get(path);
    if (bytes) return decodeSource(path, bytes);
    const size = blobs.get(path)!.size;
    const text = `document is ${size} bytes, more than limits.maxDocumentBytes (${config.limits.maxDocumentBytes})`;
    return { path, text: '', hash: '', messages: [message(path, 0, 0, 'error', 'document-too-large', text)] };
  });
  return { label: revision, config, sources, messages };
}

/** The contents of blobs, in the order asked, with one `git cat-file --batch`. */
function readBlobs(root: string, ids: string[]): Buffer[] {
  if (ids.length === 0) return [];
  const out = git(root, ['cat-file', '--batch'], `${ids.join('\n')}\n`);
  const result: Buffer[] = [];
  let offset = 0;
  for (const id of ids) {
    const headerEnd = out.indexOf(10, offset);
    const header = out.subarray(offset, headerEnd).toString('utf8');
    const size = Number(header.split(' ')[2]);
    if (!header.startsWith(id) || !Number.isInteger(size)) throw new GitError(`cannot read object ${id}: ${header}`);
    result.push(out.subarray(headerEnd + 1, headerEnd + 1 + size));
    offset = headerEnd + 1 + size + 1;
  }
  return result;
}
