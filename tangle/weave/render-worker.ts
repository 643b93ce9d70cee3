/**
 * A render worker (see render-pool.ts): renders the documents it is sent, one message each,
 * and posts each result back. It keeps its highlighter (grammars loaded once) and its cache
 * of tokenized lines between documents (and, in a watch, of highlighted blocks), and nothing else.
 */
import { parentPort } from 'node:worker_threads';
import { keepHighlightedBlocks, warmGrammars } from './highlight.js';
import { renderDocument, warmRenderer } from './render.js';
import type { RenderRequest, RenderReply } from './render-pool.js';

let documents = new Set<string>();
keepHighlightedBlocks(false);

parentPort!.on('message', async (request: RenderRequest) => {
  if (request.type === 'prepare') {
    // Load the themes and the grammars, and compile the grammars' patterns, while the engine tangles.
    await warmGrammars(request.options.themes, request.samples);
    // A worker kept for a watch keeps whole highlighted blocks too (an edit re-renders a page
    // whose other blocks did not change); one for a single weave sees each block once.
    keepHighlightedBlocks(request.keep);
    for (let round = 0; round < 3; round++) for (const text of request.warm) warmRenderer(text);
    return;
  }
  if (request.type === 'site') {
    documents = new Set(request.documents);
    return;
  }
  let reply: RenderReply;
  try {
    reply = { id: request.id, rendered: await renderDocument(request.text, request.view, documents, request.options) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(reply);
});
