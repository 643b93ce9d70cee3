/**
 * Weft's programmatic API: what a user needs to tangle, check, compare, measure and
 * explain a project, weave it into a site, stitch hand edits back into its documents and
 * serve it to an editor, and the types of what comes back. `tangleSources` is the one
 * pure pipeline every command calls (sources in, outputs and messages out, with a memo
 * for the next call). The stages behind it (scan, parse, collect, resolve, emit, write)
 * are internals and may change; `test/api.test.ts` pins this list. The CLI (`cli/`) is a
 * thin layer over these exports.
 *
 *     import { tangle, formatMessage } from 'weft';
 *     const result = await tangle({ root: process.cwd() });
 *     for (const m of result.messages) console.log(formatMessage(m));
 */
export { createContext, tangle, type TangleOptions, type WeftContext } from './context.js';
export { tangleSources, type PipelineMemo, type PipelineOptions, type PipelineResult } from './pipeline.js';
export { weave } from './weave/weave.js';
export type { WeaveOptions, WeaveResult, WovenFile } from './weave/index.js';
export { stitch, planStitch, type StitchOptions, type StitchResult, type StitchInput, type StitchPlan, type Landing } from './stitch/index.js';
export { startServer, type ServerOptions } from './lsp/server.js';
export { loadConfig, parseConfig, DEFAULT_CONFIG, type UserConfig, type ResolvedConfig, type BundleConfig, type LimitsConfig, type BudgetsConfig } from './config.js';
export { formatMessage, type FormatOptions, type RuleId, type ToolRuleId } from './messages.js';
export type { WatchEvent, WatchOptions } from './watch.js';
export { WEFT_VERSION } from './version.js';
export { readFolder, readRevision, snapshotOfTexts, tangleSnapshot, type Snapshot, type TangledSnapshot } from './snapshot.js';
export { diffSnapshots, formatDiffMarkdown, formatDiffText, summaryLine as diffSummaryLine, type ProjectDiff, type ChunkChange, type OutputChange, type DocumentChange, type UnitPlace } from './diff.js';
export { projectStats, formatStats, type ProjectStats, type DocumentStats, type ChunkStats, type OutputStats, type Measure } from './stats.js';
export { explainLine, explainChunk, ExplainError, type LineExplanation, type ChunkExplanation, type ChainStep, type Place } from './explain.js';
export { check, type CheckOptions, type CheckResult } from './check.js';
export { init, initFromEntangled, type EntangledInitResult, type InitOptions, type InitResult } from './init.js';
export type * from './types.js';
