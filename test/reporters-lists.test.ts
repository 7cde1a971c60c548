import { describe, expect, it } from 'vitest';
import type { NodeReport } from '../src/graph/events.ts';
import { summaryText } from '../src/reporters/build-text.ts';
import { timingLines, timingWarningText } from '../src/reporters/cut.ts';
import { statusJson, statusText } from '../src/reporters/status.ts';

/** A frame waiting for a pick, as the planner reports it. */
function waitingFrame(sequence: string): NodeReport {
  return { id: `${sequence}:frame`, kind: 'frame', sequence, action: 'blocked', reason: { kind: 'waiting-for-pick', sequence, cells: 4 }, costUsd: 0, estimateUsd: 0, takeId: null, output: null, key: undefined, outputHash: undefined, changes: [] };
}

const ids = Array.from({ length: 1500 }, (_, i) => `SEQ${String(i * 3 + 1).padStart(5, '0')}`);

describe('long lists are one line', () => {
  it('a build with 1,500 grids waiting for a pick says so in one line', () => {
    const ran: NodeReport = { ...waitingFrame('SEQ99999'), id: 'SEQ99999:take', kind: 'take', action: 'run', reason: { kind: 'new' } };
    const text = summaryText({ nodes: [ran, ...ids.map(waitingFrame)], totalCostUsd: 0, interrupted: false, elapsedMs: 1200 });
    expect(text.split('\n').slice(1)).toEqual(['  1,500 sequences wait for a pick: SEQ00001, SEQ00004, SEQ00007, … (cg status lists them)', '']);
  });

  it('a few are listed one by one, with what to type', () => {
    const text = summaryText({ nodes: [{ ...waitingFrame('SEQ00002'), id: 'SEQ00002:take', kind: 'take', action: 'run', reason: { kind: 'new' } }, waitingFrame('SEQ00001')], totalCostUsd: 0, interrupted: false, elapsedMs: 10 });
    expect(text).toContain('\n  SEQ00001: cg pick SEQ00001 --cell 1-4\n');
  });

  it('cg status summarizes 1,500 waiting picks the same way', () => {
    const text = statusText({ project: 'big', sequences: [], toRun: 0, estimateUsd: 0, waiting: ids.map(waitingFrame), cut: undefined, timing: [] });
    expect(text).toContain('Waiting for you:\n  1,500 sequences wait for a pick: SEQ00001, SEQ00004, SEQ00007, … (cg status SEQ… shows each)\n');
  });

  it('10,000 sequences without a song time: three warnings and a count, in status and in what build --dry-run and cut print; the JSON keeps every one', () => {
    const untimed = Array.from({ length: 10_000 }, (_, i) => ({ kind: 'no-time' as const, sequence: `SEQ${String(i + 1).padStart(5, '0')}` }));
    const lines = timingLines(untimed.map(timingWarningText));
    expect(lines).toEqual([
      'SEQ00001 has no "time" in plan.json: it is not in the cut until it has one',
      'SEQ00002 has no "time" in plan.json: it is not in the cut until it has one',
      'SEQ00003 has no "time" in plan.json: it is not in the cut until it has one',
      '… and 9,997 more like these (cg status --json lists every one)',
    ]);
    expect(timingLines(untimed.slice(0, 10).map(timingWarningText))).toHaveLength(10);

    const timing = untimed.map((warning) => `${warning.sequence} has no "time" in plan.json: it is not in the cut until it has one`);
    const input = { project: 'big', sequences: [], toRun: 0, estimateUsd: 0, waiting: [], cut: undefined, timing };
    expect(statusText(input).split('\n').filter((line) => line.startsWith('! '))).toEqual(lines.map((line) => `! ${line}`));
    expect((JSON.parse(statusJson(input)) as { timing: string[] }).timing).toHaveLength(10_000);
  });
});
