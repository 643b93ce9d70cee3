/**
 * Weft's programmatic API. The CLI (`cli.ts`) is a thin layer over these exports.
 *
 *     import { tangle, createContext } from 'weft';
 *     const result = await tangle({ root: process.cwd() });
 *     for (const m of result.messages) console.log(formatMessage(m));
 */
export { createContext, tangle, type TangleOptions, type WeftContext } from './context.js';
export { loadConfig, parseConfig, DEFAULT_CONFIG, type UserConfig, type ResolvedConfig, type BundleConfig, type LimitsConfig, type BudgetsConfig } from './config.js';
export { formatMessage, type FormatOptions } from './messages.js';
export { decodeSource, findSources } from './read.js';
export { parseDocument, remarkBlocks } from './parse.js';
export { scanBlocks } from './scan.js';
export { collectDocument } from './collect.js';
export { parseInfo, type InfoString } from './info-string.js';
export { resolveProject, type ExpandedFile, type ExpandedLine } from './resolve.js';
export { emitFile, buildSourceMap } from './emit.js';
export { writeOutputs, readManifest } from './write.js';
export type { WatchEvent, WatchOptions } from './watch.js';
export { WEFT_VERSION } from './version.js';
export { readFolder, readRevision, snapshotOfTexts, tangleSnapshot, type Snapshot, type TangledSnapshot } from './snapshot.js';
export { diffSnapshots, formatDiffMarkdown, formatDiffText, summaryLine as diffSummaryLine, type ProjectDiff, type ChunkChange, type OutputChange, type DocumentChange, type UnitPlace } from './diff.js';
export { budgetMessages, loadTokenizer, TOKENIZER, type BudgetOptions, type TokenCounter } from './budgets.js';
export { projectStats, proseText, formatStats, type ProjectStats, type DocumentStats, type ChunkStats, type OutputStats, type Measure } from './stats.js';
export { explainLine, explainChunk, ExplainError, type LineExplanation, type ChunkExplanation, type ChainStep, type Place } from './explain.js';
export { check, DEFAULT_COMPILER_OPTIONS, type CheckOptions, type CheckResult } from './check.js';
export { init, type InitOptions, type InitResult } from './init.js';
export type * from './types.js';
