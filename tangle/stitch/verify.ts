/**
 * Verify stage: the proof a stitch is right, before anything is written.
 *
 * The new documents are parsed and tangled again in memory. The stitch stands only if
 * every edited output comes out exactly as expected (the edit, minus the ignored header
 * changes), every other output comes out as it is now (unless `--propagate` asked for a
 * shared chunk to change everywhere), no new error appears, and the prose of every
 * document — everything outside the code blocks' bodies — is byte-identical. This is
 * Leo's `check_the_final_output`: the mapping rules may be wrong in a case nobody thought
 * of, the verifier makes that a refusal instead of a wrong write.
 */
import { message } from '../messages.js';
import type { CollectedDocument, Message, Output } from '../types.js';

export interface Verification {
  messages: Message[];
  /** Outputs, other than the edited ones, whose content changes (only with `propagate`). */
  propagated: string[];
}

/** Compare the new tangle with what it must be. */
export function verify(
  now: { documents: CollectedDocument[]; outputs: Output[]; messages: Message[]; texts: Record<string, string> },
  next: { documents: CollectedDocument[]; outputs: Output[]; messages: Message[]; texts: Record<string, string> },
  expected: ReadonlyMap<string, string>,
  propagate: boolean,
): Verification {
  const messages: Message[] = [];
  const failed = (file: string, line: number, text: string, notes: string[] = []) =>
    messages.push(message(file, line, 1, 'error', 'stitch/verify-failed', text, [...notes, 'nothing was written; please report this case, and edit the .lit.md by hand']));
  const errorsBefore = new Set(now.messages.filter((m) => m.severity === 'error').map((m) => `${m.rule}:${m.message}`));
  for (const m of next.messages) if (m.severity === 'error' && !errorsBefore.has(`${m.rule}:${m.message}`)) failed(m.file, m.line, `the stitched documents do not tangle: ${m.message}`, [`[${m.rule}]`]);
  const nextByPath = new Map(next.outputs.map((o) => [o.path, o]));
  const propagated: string[] = [];
  for (const output of now.outputs) {
    const after = nextByPath.get(output.path);
    if (!after) {
      failed(output.path, 0, `${output.path} would no longer be produced`);
      continue;
    }
    const want = expected.get(output.path);
    if (want !== undefined) {
      if (after.content !== want) failed(output.path, firstDifference(after.content, want), `stitching would not reproduce the edit of ${output.path}`);
    } else if (after.content !== output.content) {
      if (propagate) propagated.push(output.path);
      else failed(output.path, firstDifference(after.content, output.content), `stitching would change ${output.path}, which was not edited`);
    }
  }
  for (const output of next.outputs) if (!now.outputs.some((o) => o.path === output.path)) failed(output.path, 0, `stitching would create ${output.path}`);
  for (const doc of next.documents) {
    const before = now.documents.find((d) => d.path === doc.path);
    if (!before || now.texts[doc.path] === next.texts[doc.path]) continue;
    const a = prose(now.texts[doc.path]!, before);
    const b = prose(next.texts[doc.path]!, doc);
    if (a.join('\n') !== b.join('\n')) failed(doc.path, 0, `stitching would change the prose of ${doc.path}`);
  }
  return { messages, propagated };
}

/** The document's lines outside the bodies and fences of its code blocks that define targets. */
export function prose(text: string, doc: CollectedDocument): string[] {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').split('\n');
  const code = new Set<number>();
  for (const part of [...doc.chunks.flatMap((c) => c.parts), ...doc.files.flatMap((f) => f.parts)]) {
    code.add(part.fenceLine);
    for (let i = 0; i <= part.columns.length; i++) code.add(part.line + i);
  }
  return lines.filter((_, i) => !code.has(i + 1));
}

/** 1-based first line where two texts differ. */
function firstDifference(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return i + 1;
}
