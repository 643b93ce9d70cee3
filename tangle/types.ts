// generated from docs/engine/types.lit.md by weft — edit the source, not this file
/** How bad a message is. Errors make `weft tangle` exit 1; warnings do not. */
export type Severity = 'error' | 'warning';

/** A located problem in a document, the config, or an output file. */
export interface Message {
  /** Project-relative path (POSIX separators) of the file the problem is in. */
  file: string;
  /** 1-based line; 0 when the problem is about the file as a whole. */
  line: number;
  /** 1-based column; 0 when the problem is about the file or line as a whole. */
  column: number;
  severity: Severity;
  /** Stable kebab-case identifier of the rule, e.g. `undefined-chunk`. */
  rule: string;
  /** One sentence, no trailing period, that says what is wrong. */
  message: string;
  /** Further sentences: suggestions, the other places involved, how to fix. */
  notes?: string[];
}

/** One fenced code block as the parser saw it, before its info string is interpreted. */
export interface Block {
  /** First word of the info string (remark's `lang`), or null when there is no info string. */
  lang: string | null;
  /** Rest of the info string after the first word (remark's `meta`), or null. */
  meta: string | null;
  /** The block's content, without the final line ending. Lines are separated by `\n`. */
  value: string;
  /** 1-based line of the opening fence. */
  fenceLine: number;
  /** 1-based column of the opening fence. */
  fenceColumn: number;
  /**
   * 1-based column, in the document, where each content line's text starts
   * (after block-quote markers, list indentation and fence indentation). Line i
   * of `value` is document line `fenceLine + 1 + i`. One entry per content line,
   * counted from the fences as CommonMark does: a block holding one blank line has
   * `value` "" and one column, an empty block has none.
   */
  columns: number[];
  /**
   * True when no closing fence was found: the block runs to the end of the document
   * (or of the list item or block quote that holds it). Absent when it was closed.
   */
  unclosed?: boolean;
}

/** A parsed document: the only part of a document the later stages need. Cached by content hash. */
export interface ParsedDocument {
  /** Project-relative path, POSIX separators. */
  path: string;
  /** SHA-256 (hex) of the document's bytes. */
  hash: string;
  /** Fenced code blocks in document order. */
  blocks: Block[];
  /** Problems found while reading (for example invalid UTF-8). */
  messages: Message[];
  /** Which reader found the blocks: the line scanner (fast) or remark (slow, so worth caching). */
  reader?: 'scanner' | 'remark';
}

/** What a block's info string asks for. */
export type Target =
  | { kind: 'file'; path: string }
  | { kind: 'chunk'; name: string };

/**
 * A `<<name>>` reference: a line of a part that holds only indentation and `<<…>>`.
 * Collect records each once, so later stages (lookup, expansion, dependency tracking,
 * explain, diff, budgets) read this instead of matching `<<…>>` text again.
 */
export interface Reference {
  /** The chunk name: the text between `<<` and `>>`, trimmed, after the last `#` when qualified. */
  name: string;
  /** The qualifier of `<<docs/x.lit.md#name>>` (the text before the last `#`), or undefined. */
  document?: string;
  /** The whole name as written, trimmed (`docs/x.lit.md#name`, or `name`). */
  text: string;
  /** 1-based line in the document. */
  line: number;
  /** 1-based column in the document of the `<<`. */
  column: number;
  /** The indentation before `<<`, which expansion puts in front of every non-blank line. */
  indent: string;
  /** 0-based index of the line in its part's `value`. */
  index: number;
}

/** One block that contributes to a target, with where its text came from. */
export interface Part {
  /** Document that defines this part. */
  document: string;
  /** Language named by the info string (`ts`, `sh`, ...), or null. */
  lang: string | null;
  /** The block's content. */
  value: string;
  /** 1-based line in the document of the first content line. */
  line: number;
  /** Per content line: 1-based column in the document where it starts. */
  columns: number[];
  /** 1-based line and column of the opening fence (where the info string is). */
  fenceLine: number;
  fenceColumn: number;
  /** Its `<<references>>`, in line order. */
  references: Reference[];
}

/** A named chunk: all blocks of one document that define the same name. */
export interface Chunk {
  /** Name as written after `#`. */
  name: string;
  /** Document that defines it. Names are scoped to their document. */
  document: string;
  /** Its parts in document order. */
  parts: Part[];
}

/** An output file: all blocks of one document that name the same path. */
export interface FileTarget {
  /** Project-relative, normalised POSIX path. */
  path: string;
  /** Document that defines it. A file may be defined in only one document. */
  document: string;
  parts: Part[];
}

/** The chunk graph of one document, made from its parsed blocks alone (so it can be cached). */
export interface CollectedDocument {
  path: string;
  hash: string;
  /** Named chunks of this document, in order of first definition. */
  chunks: Chunk[];
  /** File targets of this document, in order of first definition. */
  files: FileTarget[];
  messages: Message[];
}

/** Where one generated line came from. */
export interface LineOrigin {
  /** Document path, or null for lines Weft adds (header, source-map comment). */
  document: string | null;
  /** 1-based line in the document. */
  line: number;
  /** 1-based column in the document where the generated line's text (after added indentation) starts. */
  column: number;
  /** Number of characters of indentation that references added in front of the text. */
  indent: number;
  /** The chunk that produced this line, or null for a file target's own text. */
  chunk: string | null;
  /** Names of the chunks referenced on the way to this line, outermost first. */
  via: string[];
}

/** An output file after expansion, before the header and source map are added. */
export interface ExpandedFile {
  /** Project-relative, normalised POSIX path. */
  path: string;
  /** Document that defines it. */
  document: string;
  /** Language of the first block (for the header comment when the extension is unknown). */
  lang: string | null;
  /** The generated lines, without line endings. */
  texts: string[];
  /**
   * Where each line came from (same index as `texts`). Lines that repeat one part's line
   * under the same chain of references share one origin object.
   */
  origins: LineOrigin[];
  /** Qualified chunk names used (`document#name`) and their content hashes. */
  chunks: Record<string, string>;
  /** True when expansion hit an error; such a file is never written. */
  failed: boolean;
}

/** A tangled output, ready to be written. */
export interface Output {
  /** Project-relative POSIX path. */
  path: string;
  /** Document that defines it. */
  document: string;
  /** Full text, ending in a newline. */
  content: string;
  /** File mode to write: 0o755 when the content starts with `#!`, else 0o644. */
  mode: number;
  /** Source map (JSON text) for JavaScript/TypeScript outputs, written to `path + '.map'`. */
  map: string | null;
  /** Per generated line (index 0 = line 1), where it came from. */
  origins: LineOrigin[];
  /** Chunk names (qualified `document#name`) and their content hashes that went into this output. */
  chunks: Record<string, string>;
}

/** What the manifest records for one output. */
export interface ManifestEntry {
  /** SHA-256 of the content Weft last wrote. */
  hash: string;
  /** The document that produced it. */
  document: string;
  /**
   * Qualified chunk names (`document#name`) and the first 16 hex digits of the SHA-256
   * of their text. Code only, so prose edits never change the manifest.
   */
  chunks: Record<string, string>;
}

/** `.weft/manifest.json`: every output Weft wrote and what it was made from. */
export interface Manifest {
  /** Version of Weft that wrote the manifest. */
  weft: string;
  outputs: Record<string, ManifestEntry>;
}

/** What happened to one output during a write. */
export type WriteAction = 'written' | 'unchanged' | 'deleted' | 'kept' | 'refused';

/** The result of one tangle. */
export interface TangleResult {
  /** The outputs that sources produce (also when nothing was written). */
  outputs: Output[];
  /** All messages, sorted by file, line, column. */
  messages: Message[];
  /** What happened to each path. */
  files: { path: string; action: WriteAction }[];
  summary: {
    written: number;
    unchanged: number;
    deleted: number;
    /** Outputs that are stale, missing or hand-edited (only meaningful with `check`). */
    stale: number;
    /** Documents read. */
    documents: number;
    /** Documents whose parse was served from the cache. */
    cached: number;
    /** Milliseconds spent tangling (read to write). */
    tangleMs: number;
    /** Milliseconds spent bundling, or null when no bundle was built. */
    bundleMs: number | null;
  };
  /** True when there is no error message. */
  ok: boolean;
}

/**
 * One document as a driver hands it to `tangleSources` (pipeline.ts), at whichever stage
 * the driver already has it: its decoded text (`SourceText` of read.ts: `path`, `text`,
 * `hash`, `messages`; the pipeline parses and collects it), its parsed blocks (from the
 * worker pool: the pipeline collects them), or its collected chunks (from the parse
 * cache). The kinds are told apart by their fields: `text`, `blocks`, `chunks`. A document
 * that could not be read has hash `''` and its problem in `messages`.
 */
export type Source =
  | { path: string; text: string; hash: string; messages: Message[] }
  | ParsedDocument
  | CollectedDocument;

/**
 * What watch mode knows about a rebuild's cause. With a hint, only the documents named in
 * `changed` (and new ones) are read; the others are taken from the previous rebuild, and
 * the source list is updated from `changed` instead of searching the disk again.
 */
export interface RebuildHint {
  /** Project-relative files that were added, changed or removed since the previous rebuild. */
  changed: ReadonlySet<string>;
  /** Search the disk for sources again (a folder appeared or vanished). @default false */
  rescan?: boolean;
}
//# sourceMappingURL=types.ts.map
