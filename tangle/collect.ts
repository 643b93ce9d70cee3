/**
 * Collect stage: one document's blocks → its named chunks and file targets.
 *
 * Reads each block's info string (`ts file=src/a.ts`, `ts #name`, or the Pandoc /
 * Entangled braces form `{.ts file=src/a.ts}` / `{.ts #name}`, values optionally quoted)
 * and groups the blocks of one document by target, in document order. Blocks that name
 * no target are examples and are skipped. Unknown attributes are kept and ignored.
 *
 * The result depends only on the document, so it is cached with the parse. Everything
 * that needs other documents or the config (references, path confinement, duplicate
 * files) happens in `resolve.ts`.
 */
import { message } from './messages.js';
import { infoOf, parseInfo } from './info-string.js';
import type { Chunk, CollectedDocument, FileTarget, Message, ParsedDocument, Part } from './types.js';

/** Group a parsed document's blocks into chunks and file targets. */
export function collectDocument(parsed: ParsedDocument): CollectedDocument {
  const messages: Message[] = [...parsed.messages];
  const chunks = new Map<string, Chunk>();
  const files = new Map<string, FileTarget>();
  const doc = parsed.path;
  for (const block of parsed.blocks) {
    const info = parseInfo(infoOf(block));
    const targets = info.files.length + info.ids.length;
    if (targets === 0) continue;
    const where = (text: string) => message(doc, block.fenceLine, block.fenceColumn, 'error', 'conflicting-target', text);
    if (targets > 1) {
      messages.push(where(`block names ${targets} targets (${[...info.files.map((f) => `file=${f}`), ...info.ids.map((i) => `#${i}`)].join(', ')}); a block defines one file or one chunk`));
      continue;
    }
    const part: Part = {
      document: doc,
      lang: info.lang,
      value: block.value,
      line: block.fenceLine + 1,
      columns: block.columns,
      fenceLine: block.fenceLine,
      fenceColumn: block.fenceColumn,
    };
    if (info.files.length === 1) {
      const path = info.files[0]!;
      if (path.trim() === '') {
        messages.push(message(doc, block.fenceLine, block.fenceColumn, 'error', 'empty-target', 'block has an empty `file=` path'));
        continue;
      }
      const existing = files.get(path);
      if (existing) existing.parts.push(part);
      else files.set(path, { path, document: doc, parts: [part] });
    } else {
      const name = info.ids[0]!;
      if (name.trim() === '') {
        messages.push(message(doc, block.fenceLine, block.fenceColumn, 'error', 'empty-target', 'block has an empty chunk name after `#`'));
        continue;
      }
      if (name.includes('<<') || name.includes('>>')) {
        messages.push(message(doc, block.fenceLine, block.fenceColumn, 'error', 'invalid-chunk-name', `chunk name \`${name}\` may not contain << or >>`));
        continue;
      }
      const existing = chunks.get(name);
      if (existing) existing.parts.push(part);
      else chunks.set(name, { name, document: doc, parts: [part] });
    }
  }
  return { path: doc, hash: parsed.hash, chunks: [...chunks.values()], files: [...files.values()], messages };
}
