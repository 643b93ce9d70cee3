/**
 * Token budgets: keep every piece small enough for an agent to read and regenerate whole.
 *
 * The config's `budgets` caps the tokens of a chunk (all its parts; a file target's own
 * blocks count as a chunk), of a document (its whole text, prose and code, as an agent
 * reads it) and of an output file. An exceeded budget is a located message with rule
 * `token-budget` at the chunk's (or file target's) opening fence, a warning or, with
 * `"severity": "error"`, an error that stops the tangle like any other.
 *
 * Tokens are counted with gpt-tokenizer's `o200k_base` encoding (GPT-4o, GPT-4.1, GPT-5
 * and the o-series): a real BPE tokenizer, pure JavaScript with no dependencies and no
 * WebAssembly, so it installs everywhere Weft does; js-tiktoken needs a dependency and
 * `tiktoken` a WASM binary. Its rank table costs about half a second to load, so it is
 * imported only when a budget is configured (or `weft stats` runs): a normal tangle never
 * pays for it. Counts are cached by the SHA-256 of the text, so a watch rebuild counts
 * only the pieces that changed. Special-token markers such as `<|endoftext|>` in a
 * document are counted as plain text, never rejected.
 */
import { posix } from 'node:path';
import type { ResolvedConfig } from './config.js';
import { message } from './messages.js';
import { hashText } from './read.js';
import type { Chunk, CollectedDocument, FileTarget, Message, Output } from './types.js';

/** The encoding every token count in Weft uses. */
export const TOKENIZER = 'o200k_base';

/** Counts the BPE tokens of a text. */
export type TokenCounter = (text: string) => number;

let loading: Promise<TokenCounter> | undefined;
/** Counts by SHA-256 of the text. Bounded: cleared when it holds too many entries. */
const counted = new Map<string, number>();
const MAX_CACHED = 50_000;

/** Load the tokenizer (once per process) and return a caching counter. */
export function loadTokenizer(): Promise<TokenCounter> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then(({ countTokens }) => {
    const plain = { disallowedSpecial: new Set<string>() };
    return (text: string) => {
      if (text.length === 0) return 0;
      const key = hashText(text);
      let count = counted.get(key);
      if (count === undefined) {
        count = countTokens(text, plain);
        if (counted.size >= MAX_CACHED) counted.clear();
        counted.set(key, count);
      }
      return count;
    };
  });
  return loading;
}

/** The text a chunk or file target contributes: its parts joined, as resolve hashes it. */
export function bodyText(target: Chunk | FileTarget): string {
  return target.parts.map((part) => part.value).join('\n');
}

export interface BudgetOptions {
  /**
   * The (normalised) text of a document, for the `document` budget. Called only when
   * that budget is set; a document whose text is unknown is not checked.
   */
  text?: (path: string) => string | undefined;
}

/** Messages for every budget exceeded in `documents` and `outputs`; none when no budget is set. */
export async function budgetMessages(
  documents: readonly CollectedDocument[],
  outputs: readonly Output[],
  config: ResolvedConfig,
  options: BudgetOptions = {},
): Promise<Message[]> {
  const budgets = config.budgets;
  if (!budgets || (budgets.chunk === undefined && budgets.document === undefined && budgets.output === undefined)) return [];
  const count = await loadTokenizer();
  const severity = budgets.severity ?? 'warning';
  const messages: Message[] = [];
  const tokensOf = new Map<Chunk | FileTarget, number>();
  const measure = (target: Chunk | FileTarget) => {
    let tokens = tokensOf.get(target);
    if (tokens === undefined) {
      tokens = count(bodyText(target));
      tokensOf.set(target, tokens);
    }
    return tokens;
  };
  const largest = (targets: (Chunk | FileTarget)[]) => {
    const sorted = targets.map((t) => ({ t, tokens: measure(t) })).sort((a, b) => b.tokens - a.tokens).slice(0, 3);
    return sorted.length === 0 ? [] : [`largest: ${sorted.map(({ t, tokens }) => `${'name' in t ? `\`${t.name}\`` : `file=${t.path}`} (${tokens})`).join(', ')}`];
  };
  const at = (target: Chunk | FileTarget, text: string, notes: string[]) => {
    const first = target.parts[0]!;
    messages.push(message(target.document, first.fenceLine, first.fenceColumn, severity, 'token-budget', text, notes));
  };

  for (const doc of documents) {
    if (budgets.chunk !== undefined) {
      for (const chunk of doc.chunks) {
        const tokens = measure(chunk);
        if (tokens > budgets.chunk) {
          at(chunk, `chunk \`${chunk.name}\` has ${tokens} tokens, over the budget of ${budgets.chunk}`, ['split it into smaller chunks, or raise budgets.chunk in weft.config.json']);
        }
      }
      for (const file of doc.files) {
        const tokens = measure(file);
        if (tokens > budgets.chunk) {
          at(file, `the blocks of ${file.path} have ${tokens} tokens, over the chunk budget of ${budgets.chunk}`, ['move some of the text into named chunks, or raise budgets.chunk in weft.config.json']);
        }
      }
    }
    if (budgets.document !== undefined) {
      const text = options.text?.(doc.path);
      if (text === undefined) continue;
      const tokens = count(text);
      if (tokens > budgets.document) {
        messages.push(
          message(doc.path, 0, 0, severity, 'token-budget', `document has ${tokens} tokens, over the budget of ${budgets.document}`, [
            ...largest([...doc.chunks, ...doc.files]),
            'split it into several documents, or raise budgets.document in weft.config.json',
          ]),
        );
      }
    }
  }

  if (budgets.output !== undefined) {
    const chunksByKey = new Map<string, Chunk>();
    for (const doc of documents) for (const chunk of doc.chunks) chunksByKey.set(`${doc.path}#${chunk.name}`, chunk);
    for (const output of outputs) {
      const tokens = count(output.content);
      if (tokens <= budgets.output) continue;
      const target = documents.find((d) => d.path === output.document)?.files.find((f) => posix.normalize(f.path) === output.path);
      const used = Object.keys(output.chunks).map((key) => chunksByKey.get(key)).filter((c): c is Chunk => c !== undefined);
      const text = `output ${output.path} has ${tokens} tokens, over the budget of ${budgets.output}`;
      const notes = [...largest(target ? [target, ...used] : used), 'split it into several modules, or raise budgets.output in weft.config.json'];
      if (target) at(target, text, notes);
      else messages.push(message(output.document, 0, 0, severity, 'token-budget', text, notes));
    }
  }
  return messages;
}
