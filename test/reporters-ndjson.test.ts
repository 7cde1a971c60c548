import { describe, expect, it } from 'vitest';
import type { BuildEvent } from '../src/graph/events.ts';
import { createReporter } from '../src/reporters/choose.ts';
import { ndjsonLine } from '../src/reporters/ndjson.ts';
import { bufferStream, buildEvents, fakeClock } from './reporters-fixture.ts';

interface Line {
  type: BuildEvent['type'];
  nodeId?: string | null;
  at: string;
  reason?: { kind: string; text: string };
}

describe('--ndjson', () => {
  it('writes one parseable line per event as it happens, each node in order, ending with the summary', async () => {
    const stdout = bufferStream();
    const stderr = bufferStream();
    const time = fakeClock();
    const reporter = await createReporter('ndjson', { stdout, stderr, env: {}, clock: time.clock });
    const seen: number[] = [];
    for (const event of buildEvents) {
      reporter.listen(event);
      // Written as it happens: each event's line is out before the next event arrives.
      seen.push(stdout.text.split('\n').length - 1);
      await time.advance(1000);
    }
    await reporter.close();
    expect(seen).toEqual(buildEvents.map((_, i) => i + 1));
    expect(stderr.text).toBe('');

    const lines = stdout.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
    expect(lines).toHaveLength(buildEvents.length);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', ran: 2, reused: 1, failed: 1, spentUsd: 1.26, estimateUsd: 2.1 });
    expect(lines[0]?.at).toBe('2026-01-01T00:00:00.000Z');
    expect(lines[1]?.at).toBe('2026-01-01T00:00:01.000Z');

    const perNode = new Map<string, string[]>();
    for (const line of lines) if (typeof line.nodeId === 'string') perNode.set(line.nodeId, [...(perNode.get(line.nodeId) ?? []), line.type]);
    expect([...perNode.keys()]).toEqual(['SEQ01:grid', 'SEQ02:elements', 'SEQ02:take', 'SEQ03:take']);
    for (const [node, types] of perNode) expect(types.join(' '), node).toMatch(/^planned (reused|started( queued| progress)* (finished|failed))$/);
  });

  it('gives reasons as kind, fields and text, and rounds money as --json does', () => {
    const planned = buildEvents[2];
    if (planned === undefined) throw new Error('the fixture has a planned take');
    expect(JSON.parse(ndjsonLine(planned, new Date(0)))).toEqual({
      type: 'planned',
      nodeId: 'SEQ02:take',
      kind: 'take',
      sequence: 'SEQ02',
      action: 'run',
      reason: { kind: 'changed', fields: ['shots[1].prompt'], text: 'changed: shots[1].prompt' },
      estimateUsd: 1.26,
      at: '1970-01-01T00:00:00.000Z',
    });
    const failed = JSON.parse(ndjsonLine({ type: 'failed', nodeId: 'SEQ03:take', reason: { kind: 'dep-failed', dep: 'SEQ03:frame' } }, new Date(0))) as Line;
    expect(failed.reason).toEqual({ kind: 'dep-failed', dep: 'SEQ03:frame', text: 'SEQ03:frame failed' });
    const summary = ndjsonLine({ type: 'summary', ran: 2, reused: 0, waiting: 0, failed: 0, spentUsd: 0.1 + 0.2, estimateUsd: 0.1 + 0.2, interrupted: false, durationMs: 5 }, new Date(0));
    expect(summary).toContain('"spentUsd":0.3,"estimateUsd":0.3');
    expect(summary.endsWith('}\n')).toBe(true);
  });
});
