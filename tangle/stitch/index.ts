/** Stitch: carry edits made in generated files back into the `.lit.md`. See `plan.ts` for the stages. */
export { planStitch, merge3, type StitchInput, type StitchPlan, type Landing } from './plan.js';
export { stitch, type StitchOptions, type StitchResult } from './run.js';
export { traceOutput, referencesOf, type Trace, type Frame } from './trace.js';
export { align, normaliseEdited } from './align.js';
export { splice } from './splice.js';
export { createStitchWatcher, type StitchWatcher, type StitchWatcherOptions, type StitchProposal, type StitchWatchMode } from './watch.js';
