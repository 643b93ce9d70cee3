// generated from docs/cells/criteria.lit.md by weft — edit the source, not this file
// When should a cell leave the monolith? Each criterion names the least isolating placement that
// answers it; the verdict is the most isolating placement any criterion calls for, with every
// reason, and what the chosen placement's per-message cost is at the cell's peak rate. A pure
// function of a profile the team fills in from its own measurements and of thresholds, whose
// defaults describe the machine it runs on (cores, memory, heap limit); it measures nothing itself.

import { availableParallelism, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** What a team knows about one cell, from profiling and load figures. */
export interface CellProfile {
  /** Longest time one message keeps the thread busy without yielding (its p99), in milliseconds. */
  readonly longestSynchronousMs: number;
  /** Average CPU time per message, in milliseconds. */
  readonly cpuMsPerMessage: number;
  /** Messages the cell handles per second at peak. */
  readonly peakMessagesPerSecond: number;
  /** Most heap the cell's state may grow to, in MiB. */
  readonly peakHeapMb: number;
  /** `'lower'` if it runs code, or parses input, trusted less than the rest of the system. */
  readonly trust: 'same' | 'lower';
  /** Whether it can end the process in ways a thread cannot contain: native addons, single allocations larger than its heap limit. */
  readonly canTakeDownTheProcess: boolean;
  /** Whether it must be released, versioned or scaled apart from the rest. */
  readonly deployedIndependently: boolean;
  /** Whether it must keep serving when the machine it runs on is lost. */
  readonly mustSurviveAMachineLoss: boolean;
}

/** Where a cell can run, from least to most isolated. */
export type Placement = 'in-process' | 'worker' | 'separate-process' | 'broker';

const isolation: readonly Placement[] = ['in-process', 'worker', 'separate-process', 'broker'];

/** The limits the criteria compare a profile with. */
export interface Thresholds {
  /** Longest one message may stall the other in-process cells, in milliseconds. @default 10 */
  readonly eventLoopBudgetMs: number;
  /** Most heap one in-process cell may take of the shared heap, in MiB. @default a sixteenth of this machine's V8 heap limit */
  readonly sharedHeapMb: number;
  /** Cores one machine gives a cell. @default this machine's `os.availableParallelism()` */
  readonly coresPerMachine: number;
  /** Memory one machine gives a cell, in MiB. @default this machine's `os.totalmem()` */
  readonly memoryPerMachineMb: number;
  /** Sender-side CPU per message of each placement, in microseconds, as the benchmark measured it. */
  readonly overheadMicros: Readonly<Record<Placement, number>>;
  /** Share of one core the transport may cost at peak before the verdict warns, from 0 to 1. @default 0.2 */
  readonly maxOverheadShare: number;
}

/** The thresholds for the machine this runs on: its cores, its memory, the heap limit Node chose for it. */
export function thresholdsForThisMachine(): Thresholds {
  return Object.freeze({
    ...defaultCosts,
    sharedHeapMb: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024 / 16),
    coresPerMachine: availableParallelism(),
    memoryPerMachineMb: Math.round(totalmem() / 1024 / 1024),
  });
}

/** What does not depend on the machine: the budget and the benchmark's rounded costs. */
const defaultCosts = Object.freeze({
  eventLoopBudgetMs: 10,
  overheadMicros: Object.freeze({ 'in-process': 15, worker: 80, 'separate-process': 320, broker: 1800 }),
  maxOverheadShare: 0.2,
});

export const defaultThresholds: Thresholds = thresholdsForThisMachine();

/** A criterion that applies to a cell. */
export type Criterion =
  | 'blocks-the-event-loop'
  | 'needs-its-own-heap-limit'
  | 'can-take-down-the-process'
  | 'trusted-less'
  | 'deployed-independently'
  | 'must-survive-a-machine-loss'
  | 'outgrows-one-machine';

export interface Reason {
  readonly criterion: Criterion;
  /** The least isolating placement that answers this criterion. */
  readonly calls: Placement;
  /** The criterion applied to this profile, as a sentence. */
  readonly why: string;
}

export interface Verdict {
  /** The most isolating placement any criterion calls for; `'in-process'` if none applies. */
  readonly placement: Placement;
  /** Every criterion that applies, most isolating first; empty when the cell stays. */
  readonly reasons: readonly Reason[];
  /** Share of one core the chosen placement's transport costs at the peak rate, from 0. */
  readonly overheadShare: number;
  /** Present when `overheadShare` is over `maxOverheadShare`: what to do about it. */
  readonly warning?: string;
}

/** Where `profile`'s cell belongs, and why. Throws a TypeError naming a field that is not a number ≥ 0. */
export function shouldLeaveTheMonolith(profile: CellProfile, thresholds: Thresholds = defaultThresholds): Verdict {
  for (const field of ['longestSynchronousMs', 'cpuMsPerMessage', 'peakMessagesPerSecond', 'peakHeapMb'] as const) {
    const value = profile[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`CellProfile.${field} must be a finite number of at least 0, got ${String(value)}`);
    }
  }
  const reasons: Reason[] = [];
  if (profile.longestSynchronousMs > thresholds.eventLoopBudgetMs) {
    reasons.push({
      criterion: 'blocks-the-event-loop',
      calls: 'worker',
      why: `one message keeps the thread busy for ${profile.longestSynchronousMs} ms, over the ${thresholds.eventLoopBudgetMs} ms the other cells may wait`,
    });
  }
  if (profile.peakHeapMb > thresholds.sharedHeapMb) {
    reasons.push({
      criterion: 'needs-its-own-heap-limit',
      calls: 'worker',
      why: `its heap may grow to ${profile.peakHeapMb} MiB, over the ${thresholds.sharedHeapMb} MiB one cell may take of the shared heap`,
    });
  }
  if (profile.canTakeDownTheProcess) {
    reasons.push({
      criterion: 'can-take-down-the-process',
      calls: 'separate-process',
      why: 'it can end the process in ways a worker thread does not contain',
    });
  }
  if (profile.trust === 'lower') {
    reasons.push({
      criterion: 'trusted-less',
      calls: 'separate-process',
      why: 'it is trusted less than the rest, and a worker shares the process’s memory, files and permissions',
    });
  }
  if (profile.deployedIndependently) {
    reasons.push({
      criterion: 'deployed-independently',
      calls: 'separate-process',
      why: 'it is released or scaled apart from the rest',
    });
  }
  if (profile.mustSurviveAMachineLoss) {
    reasons.push({
      criterion: 'must-survive-a-machine-loss',
      calls: 'broker',
      why: 'it must keep serving when a machine is lost, so it must run on more than one',
    });
  }
  const coresNeeded = (profile.peakMessagesPerSecond * profile.cpuMsPerMessage) / 1000;
  if (coresNeeded > thresholds.coresPerMachine) {
    reasons.push({
      criterion: 'outgrows-one-machine',
      calls: 'broker',
      why: `it needs ${coresNeeded.toFixed(1)} cores at peak, and one machine has ${thresholds.coresPerMachine}`,
    });
  } else if (profile.peakHeapMb > thresholds.memoryPerMachineMb) {
    reasons.push({
      criterion: 'outgrows-one-machine',
      calls: 'broker',
      why: `its state may grow to ${profile.peakHeapMb} MiB, and one machine has ${thresholds.memoryPerMachineMb} MiB`,
    });
  }
  reasons.sort((a, b) => isolation.indexOf(b.calls) - isolation.indexOf(a.calls));
  const placement = reasons[0]?.calls ?? 'in-process';
  const overheadShare = (profile.peakMessagesPerSecond * thresholds.overheadMicros[placement]) / 1e6;
  if (overheadShare <= thresholds.maxOverheadShare) return { placement, reasons, overheadShare };
  const percent = (share: number) => `${Math.round(share * 100)} %`;
  return {
    placement,
    reasons,
    overheadShare,
    warning:
      `at ${profile.peakMessagesPerSecond} messages/s the ${placement} transport costs ${percent(overheadShare)} of a core, ` +
      `over ${percent(thresholds.maxOverheadShare)}: batch messages, or move the cell together with the cells it talks to most`,
  };
}
//# sourceMappingURL=criteria.ts.map
