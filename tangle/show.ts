/**
 * `weft show`: one chunk's expansion, or one output's text, like noweb's `notangle -R`.
 *
 * A chunk is expanded by the real resolver, not a second expander: the chunk's document gets
 * one extra in-memory file target whose whole text is `<<name>>`, and `resolveProject`
 * expands it with the same indentation, depth limit, cycle and undefined-chunk checks as a
 * tangle. The extra target never reaches `emit` or the disk. An output is emitted exactly as
 * `weft tangle` would write it (header and source-map comment included).
 *
 * Answers are values: a name that matches nothing, or a chunk defined in several documents
 * without `document#name`, is a `ShowProblem` the CLI prints (exit 1).
 */
import { resolveProject } from './resolve.js';
import type { TangledSnapshot } from './snapshot.js';
import type { CollectedDocument, Message } from './types.js';

/** What `weft show` prints. */
export type ShowResult =
  | { kind: 'chunk'; name: string; document: string; text: string; messages: Message[] }
  | { kind: 'output'; path: string; document: string; text: string; messages: Message[] }
  | { kind: 'problem'; message: string; candidates: string[] };

/** `<<name>>` → `name`; a bare name stays. */
function chunkQuery(query: string): string {
  const quoted = /^<<(.+)>>$/.exec(query.trim());
  return quoted ? quoted[1]! : query.trim();
}

/** Show `query`: an output path, `<<name>>`, a bare chunk name, or `document#name`. */
export function show(project: TangledSnapshot, query: string): ShowResult {
  const output = project.outputs.find((o) => o.path === query.replace(/^\.\//, ''));
  if (output) return { kind: 'output', path: output.path, document: output.document, text: output.content, messages: [] };
  const wanted = chunkQuery(query);
  const hash = wanted.lastIndexOf('#');
  const [inDocument, name] = hash > 0 && project.documents.some((d) => d.path === wanted.slice(0, hash)) ? [wanted.slice(0, hash), wanted.slice(hash + 1)] : [undefined, wanted];
  const defining = project.documents.filter((d) => (inDocument === undefined || d.path === inDocument) && d.chunks.some((c) => c.name === name));
  if (defining.length === 0) {
    const target = project.documents.find((d) => d.files.some((f) => f.path === query));
    if (target) return { kind: 'problem', message: `output ${query} does not tangle (the sources have errors; run weft tangle)`, candidates: [] };
    return { kind: 'problem', message: `no chunk or output named ${query}`, candidates: [] };
  }
  if (defining.length > 1) {
    return { kind: 'problem', message: `chunk \`${name}\` is defined in ${defining.length} documents; name one as DOCUMENT#NAME`, candidates: defining.map((d) => `${d.path}#${name}`) };
  }
  const document = defining[0]!;
  return { kind: 'chunk', name, document: document.path, ...expandChunk(project, document, name) };
}

/** The text of chunk `name` of `document`, expanded by `resolveProject` through a throw-away target. */
function expandChunk(project: TangledSnapshot, document: CollectedDocument, name: string): { text: string; messages: Message[] } {
  const path = `${project.config.outputDirs[0] ?? 'src-generated'}/weft-show-probe`;
  const first = document.chunks.find((c) => c.name === name)!.parts[0]!;
  const reference = { name, text: name, line: first.fenceLine, column: first.fenceColumn, indent: '', index: 0 };
  const probe = { document: document.path, lang: first.lang, value: `<<${name}>>`, line: first.fenceLine, columns: [first.fenceColumn], fenceLine: first.fenceLine, fenceColumn: first.fenceColumn, references: [reference] };
  const withProbe = project.documents.map((d) => (d === document ? { ...d, files: [...d.files, { path, document: d.path, parts: [probe] }] } : d));
  const resolved = resolveProject(withProbe, project.config);
  const file = resolved.files.find((f) => f.path === path)!;
  const messages = resolved.messages.filter((m) => m.severity === 'error' && m.rule !== 'unused-chunk');
  return { text: file.texts.map((text) => `${text}\n`).join(''), messages: file.failed ? messages : [] };
}
