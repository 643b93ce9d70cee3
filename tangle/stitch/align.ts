/**
 * Align stage: the base output against the edited one, as equal pairs and hunks.
 *
 * The edited text is normalised first (a BOM dropped, CRLF read as LF, lines of only
 * spaces and tabs emptied), since tangle never produces those and an editor adds them
 * without meaning to. Lines are compared ignoring their leading white space
 * (`diffArrays` from `diff` with a comparator), so a re-indented line stays paired with
 * its old self and its new indentation can be read as a re-indent rather than as a
 * deletion plus an insertion.
 *
 * A pure insertion or deletion next to identical lines (a blank line, a `}`) could be
 * placed at several positions; each hunk carries how far it may slide up or down over
 * exactly identical lines, and the mapping stage picks the first position that fits.
 */
import { diffArrays } from 'diff';

/** A pair of lines that match (their text may differ in leading white space). */
export interface Pair {
  /** 0-based line in the base output. */
  base: number;
  /** 0-based line in the edited output. */
  edited: number;
}

/** Base lines [base, baseEnd) replaced by edited lines [edited, editedEnd). */
export interface Hunk {
  base: number;
  baseEnd: number;
  edited: number;
  editedEnd: number;
  /** How many lines a pure insertion or deletion may slide up (positive) over identical lines. */
  up: number;
  /** How many lines it may slide down. */
  down: number;
}

export interface Alignment {
  /** Normalised edited lines (no final empty line). */
  edited: string[];
  pairs: Pair[];
  hunks: Hunk[];
  /** How many whitespace-only lines were emptied. */
  emptied: number;
}

/** Lines of a text ending in a newline (or not), without the final empty string. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Normalise an edited output: BOM, CRLF, whitespace-only lines. */
export function normaliseEdited(text: string): { lines: string[]; emptied: number } {
  const plain = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  let emptied = 0;
  const lines = linesOf(plain).map((line) => {
    if (line.length > 0 && /^[ \t]+$/.test(line)) {
      emptied++;
      return '';
    }
    return line;
  });
  return { lines, emptied };
}

/** Align `base` (lines of the base output) with the edited output's text. */
export function align(base: readonly string[], editedText: string): Alignment {
  const { lines: edited, emptied } = normaliseEdited(editedText);
  const changes = diffArrays([...base], edited, { comparator: (a: string, b: string) => a.trimStart() === b.trimStart() });
  const pairs: Pair[] = [];
  const hunks: Hunk[] = [];
  let b = 0;
  let e = 0;
  let open: Hunk | null = null;
  for (const change of changes) {
    const count = change.count ?? change.value.length;
    if (change.removed || change.added) {
      open ??= { base: b, baseEnd: b, edited: e, editedEnd: e, up: 0, down: 0 };
      if (change.removed) b += count;
      else e += count;
      open.baseEnd = b;
      open.editedEnd = e;
      continue;
    }
    if (open) hunks.push(open);
    open = null;
    for (let i = 0; i < count; i++) pairs.push({ base: b + i, edited: e + i });
    b += count;
    e += count;
  }
  if (open) hunks.push(open);
  hunks.forEach((hunk, i) => {
    const room = { up: hunk.base - (hunks[i - 1]?.baseEnd ?? 0), down: (hunks[i + 1]?.base ?? base.length) - hunk.baseEnd };
    const moved = hunk.base === hunk.baseEnd ? { lines: edited, start: hunk.edited, end: hunk.editedEnd, other: base, at: hunk.base } : hunk.edited === hunk.editedEnd ? { lines: base, start: hunk.base, end: hunk.baseEnd, other: edited, at: hunk.edited } : null;
    if (!moved) return;
    // Slide over exactly identical lines on both sides (the moved block rotates).
    const { lines, start, end } = moved;
    while (hunk.up < room.up && start - hunk.up - 1 >= 0 && lines[start - hunk.up - 1] === lines[end - hunk.up - 1] && moved.other[moved.at - hunk.up - 1] === lines[start - hunk.up - 1]) hunk.up++;
    while (hunk.down < room.down && end + hunk.down < lines.length && lines[start + hunk.down] === lines[end + hunk.down] && moved.other[moved.at + hunk.down] === lines[end + hunk.down]) hunk.down++;
  });
  return { edited, pairs, hunks, emptied };
}

/** A hunk slid by `delta` lines (negative is up). */
export function slid(hunk: Hunk, delta: number): Hunk {
  return { ...hunk, base: hunk.base + delta, baseEnd: hunk.baseEnd + delta, edited: hunk.edited + delta, editedEnd: hunk.editedEnd + delta };
}
