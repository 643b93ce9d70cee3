/**
 * Confinement: every file Weft writes stays inside the folder it was told to write into,
 * and two outputs never land on the same file.
 *
 * - `confinementProblem` is pure: given what the disk snapshot says about each folder on
 *   the way to a path (see `DiskSnapshot` in plan-writes.ts), it says why writing there
 *   would leave the output folder: a symbolic link that leads out of it (a cloned
 *   repository may carry one), a link planted at the path itself, a file where a folder
 *   must be. Absent folders are fine: they are created as real folders.
 * - `outputConflicts` is pure: outputs that cannot all exist at once (one inside
 *   another, an output on another's `.map`, names equal once Unicode-normalised and
 *   case-folded). They are found before anything is written, so a conflict never leaves
 *   half a tangle on disk.
 * - `unsafeFolder` guards `.weft/` and its folders (lock, journal, cache, backups).
 *
 * Rejected: checking with `realpath` while writing (the old way) mixes I/O into the
 * decisions and cannot be tested with strings; the snapshot records each link's real
 * target once and the rules run on it.
 */
import { lstatSync } from 'node:fs';
import { join, posix } from 'node:path';
import { message } from './messages.js';
import type { Message, Output } from './types.js';

/** What is at one project-relative path, as read just before planning. */
export type PathState =
  | { kind: 'missing' }
  /** `hash`: SHA-256 of the content; `mode`: permission bits; `text`: the content, when read and not the new content. */
  | { kind: 'file'; hash: string; mode: number; text?: string }
  | { kind: 'folder' }
  /** `target`: the project-relative real path the link leads to; null when it leads out of the project (or, `dangling`, nowhere). */
  | { kind: 'link'; target: string | null; dangling?: boolean }
  | { kind: 'other' };

/** The state of a path; one the snapshot does not hold is taken as missing. */
export const stateOf = (paths: ReadonlyMap<string, PathState>, path: string): PathState => paths.get(path) ?? MISSING;
const MISSING: PathState = { kind: 'missing' };

/**
 * Why writing `path` (project-relative) would leave its output folder, or undefined when
 * it would not. `paths` must hold each existing folder on the way (a missing one ends
 * the walk: everything below it is created by Weft).
 */
export function confinementProblem(path: string, outputDirs: readonly string[], paths: ReadonlyMap<string, PathState>, outputFiles: readonly string[] = []): string | undefined {
  // A root-level output file (`outputFiles`) is confined to exactly itself: the walk below
  // then checks it like any output (no link planted at it, a regular file). An output
  // folder is never an output itself.
  const dir = outputDirs.find((d) => path.startsWith(`${d}/`)) ?? outputFiles.find((file) => file === path && !file.includes('/'));
  if (!dir || posix.normalize(path) !== path) return 'it is outside the output directories';
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const last = i === segments.length - 1;
    const prefix = segments.slice(0, i + 1).join('/');
    const state = stateOf(paths, prefix);
    if (state.kind === 'missing') return undefined;
    if (state.kind === 'link') {
      if (last) return 'a symbolic link is planted at the output path';
      if (state.dangling) return `${prefix} is a dangling symbolic link`;
      if (state.target === null) return `${prefix} is a symbolic link that leads out of ${dir}/`;
      if (state.target !== dir && !state.target.startsWith(`${dir}/`)) return `${prefix} is a symbolic link that leads out of ${dir}/`;
      continue;
    }
    if (!last && state.kind !== 'folder') return `${prefix} is a file, not a folder`;
    if (last && state.kind !== 'file') return 'the output path is not a regular file';
  }
  return undefined;
}


/** Folders on the way to `path`, outermost first (`a/b/c.ts` → `a`, `a/b`). */
export function foldersOf(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
}

/** Where an output is defined: its first line's place in its document (the fence's body). */
export function placeOf(output: Output): { line: number; column: number } {
  const origin = output.origins.find((o) => o.document === output.document);
  return origin ? { line: origin.line, column: 1 } : { line: 0, column: 0 };
}

/** How a file system that folds case or Unicode normalisation (macOS, Windows) sees a path. */
const folded = (path: string) => path.normalize('NFC').toLowerCase();

/**
 * Outputs that cannot all be written: an output inside another output (`a.ts` and
 * `a.ts/b.ts`), an output on another's source map (`x.ts` and `x.ts.map`), and paths
 * that are one file on a folding file system (NFC/NFD spellings, case). One located
 * error per output that loses; the returned set names them.
 */
export function outputConflicts(outputs: readonly Output[]): { messages: Message[]; conflicted: Set<string> } {
  // Which outputs conflict depends only on their paths and which have maps: a watch's
  // rebuilds ask again about the same 3,000 paths (3.6 ms each time), so a set found
  // without conflict is remembered.
  const key = outputs.map((o) => (o.map === null ? o.path : `${o.path}\0map`)).join('\n');
  if (key === cleanPaths) return { messages: [], conflicted: new Set() };
  const found = findConflicts(outputs);
  cleanPaths = found.messages.length === 0 ? key : undefined;
  return found;
}
/** The last set of output paths (see `outputConflicts`) found without conflict. */
let cleanPaths: string | undefined;

function findConflicts(outputs: readonly Output[]): { messages: Message[]; conflicted: Set<string> } {
  const messages: Message[] = [];
  const conflicted = new Set<string>();
  const byFolded = new Map<string, Output>();
  for (const output of outputs) {
    const key = folded(output.path);
    const other = byFolded.get(key);
    if (other && other.path !== output.path) {
      report(output, 'case-conflict', `${output.path} and ${other.path} differ only by Unicode normalization or case; they are the same file on macOS and Windows`, other);
    } else byFolded.set(key, output);
  }
  const maps = new Map<string, Output>();
  for (const output of outputs) if (output.map !== null) maps.set(folded(`${output.path}.map`), output);
  for (const output of outputs) {
    const owner = maps.get(folded(output.path));
    if (owner && owner !== output) report(output, 'output-path-conflict', `${output.path} is where the source map of ${owner.path} is written`, owner);
    for (const folder of foldersOf(output.path)) {
      const outer = byFolded.get(folded(folder));
      if (outer) report(output, 'output-path-conflict', `${output.path} is inside ${outer.path}, which is also an output file`, outer);
    }
  }
  return { messages, conflicted };

  function report(output: Output, rule: string, text: string, other: Output): void {
    if (conflicted.has(output.path)) return;
    conflicted.add(output.path);
    const place = placeOf(output);
    const where = placeOf(other);
    messages.push(message(output.document, place.line, place.column, 'error', rule, text, [`${other.path} is defined at ${other.document}:${where.line}`, 'nothing was written']));
  }
}

/**
 * Why one of `folders` (project-relative, outermost first) must not be written into: it
 * is a symbolic link (a cloned repository may carry a `.weft` link to anywhere) or not a
 * folder. Absent folders are fine: they are created as real folders.
 */
export function unsafeFolder(root: string, folders: readonly string[]): string | undefined {
  for (const folder of folders) {
    let stat;
    try {
      stat = lstatSync(join(root, folder), { throwIfNoEntry: false });
    } catch {
      return `${folder} cannot be read`;
    }
    if (stat?.isSymbolicLink()) return `${folder} is a symbolic link; refusing to write through it`;
    if (stat && !stat.isDirectory()) return `${folder} is not a folder`;
  }
  return undefined;
}
