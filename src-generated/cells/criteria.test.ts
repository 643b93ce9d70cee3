// generated from docs/cells/criteria.lit.md by weft — edit the source, not this file
import { describe, expect, it } from 'vitest';
import { availableParallelism, totalmem } from 'node:os';
import { defaultThresholds, shouldLeaveTheMonolith, type CellProfile, type Thresholds } from './criteria.js';

/** A machine with two cores and 8 GiB, so that expectations do not depend on the machine running the tests. */
const twoCores: Thresholds = { ...defaultThresholds, coresPerMachine: 2, memoryPerMachineMb: 8192, sharedHeapMb: 256 };

const quickTrustedCell: CellProfile = {
  longestSynchronousMs: 0.2,
  cpuMsPerMessage: 0.05,
  peakMessagesPerSecond: 500,
  peakHeapMb: 20,
  trust: 'same',
  canTakeDownTheProcess: false,
  deployedIndependently: false,
  mustSurviveAMachineLoss: false,
};

describe('shouldLeaveTheMonolith', () => {
  it('keeps a quick, small, trusted cell in process', () => {
    const verdict = shouldLeaveTheMonolith(quickTrustedCell);
    expect(verdict).toEqual({
      placement: 'in-process',
      reasons: [],
      overheadShare: (500 * defaultThresholds.overheadMicros['in-process']) / 1e6,
    });
  });

  it('moves a cell that blocks the event loop into a worker', () => {
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, longestSynchronousMs: 40 });
    expect(verdict.placement).toBe('worker');
    expect(verdict.reasons).toEqual([
      {
        criterion: 'blocks-the-event-loop',
        calls: 'worker',
        why: 'one message keeps the thread busy for 40 ms, over the 10 ms the other cells may wait',
      },
    ]);
  });

  it('moves a cell that needs its own heap limit into a worker', () => {
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, peakHeapMb: 1024 }, twoCores);
    expect(verdict.placement).toBe('worker');
    expect(verdict.reasons.map((reason) => reason.why)).toEqual([
      'its heap may grow to 1024 MiB, over the 256 MiB one cell may take of the shared heap',
    ]);
  });

  it('moves a cell that can take down the process into a process of its own', () => {
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, canTakeDownTheProcess: true });
    expect(verdict.placement).toBe('separate-process');
    expect(verdict.reasons.map((reason) => reason.criterion)).toEqual(['can-take-down-the-process']);
  });

  it('moves a cell trusted less into a process of its own, not a worker', () => {
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, trust: 'lower', longestSynchronousMs: 40 });
    expect(verdict.placement).toBe('separate-process');
    expect(verdict.reasons.map((reason) => [reason.criterion, reason.calls])).toEqual([
      ['trusted-less', 'separate-process'],
      ['blocks-the-event-loop', 'worker'],
    ]);
  });

  it('moves a cell deployed on its own schedule into a process of its own', () => {
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, deployedIndependently: true });
    expect(verdict.placement).toBe('separate-process');
  });

  it('puts a cell that needs more cores than one machine has behind a broker', () => {
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, cpuMsPerMessage: 2, peakMessagesPerSecond: 1500 }, twoCores);
    expect(verdict.placement).toBe('broker');
    expect(verdict.reasons[0]).toEqual({
      criterion: 'outgrows-one-machine',
      calls: 'broker',
      why: 'it needs 3.0 cores at peak, and one machine has 2',
    });
  });

  it('puts a cell whose state outgrows one machine\'s memory behind a broker', () => {
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, peakHeapMb: 10_000 }, twoCores);
    expect(verdict.placement).toBe('broker');
    expect(verdict.reasons[0]).toEqual({
      criterion: 'outgrows-one-machine',
      calls: 'broker',
      why: 'its state may grow to 10000 MiB, and one machine has 8192 MiB',
    });
  });

  it('puts a cell that must survive the loss of a machine behind a broker, however little it does', () => {
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, mustSurviveAMachineLoss: true }, twoCores);
    expect(verdict.placement).toBe('broker');
    expect(verdict.reasons).toEqual([
      { criterion: 'must-survive-a-machine-loss', calls: 'broker', why: 'it must keep serving when a machine is lost, so it must run on more than one' },
    ]);
  });

  it('describes the machine it runs on by default', () => {
    expect(defaultThresholds.coresPerMachine).toBe(availableParallelism());
    expect(defaultThresholds.memoryPerMachineMb).toBe(Math.round(totalmem() / 1024 / 1024));
    expect(defaultThresholds.sharedHeapMb).toBeGreaterThan(0);
  });

  it('warns when the chosen transport would cost too much of a core at the peak rate', () => {
    const thresholds = { ...defaultThresholds, overheadMicros: { ...defaultThresholds.overheadMicros, worker: 100 } };
    const verdict = shouldLeaveTheMonolith({ ...quickTrustedCell, longestSynchronousMs: 40, peakMessagesPerSecond: 5000 }, thresholds);
    expect(verdict.placement).toBe('worker');
    expect(verdict.overheadShare).toBe(0.5);
    expect(verdict.warning).toBe(
      'at 5000 messages/s the worker transport costs 50 % of a core, over 20 %: batch messages, or move the cell together with the cells it talks to most',
    );
  });

  it('refuses a profile with a field that is not a measurement, naming it', () => {
    expect(() => shouldLeaveTheMonolith({ ...quickTrustedCell, peakHeapMb: -1 })).toThrow(
      new TypeError('CellProfile.peakHeapMb must be a finite number of at least 0, got -1'),
    );
  });
});
//# sourceMappingURL=criteria.test.ts.map
