import { describe, expect, it } from 'vitest';
import type { BuildEvent } from '../src/graph/events.ts';
import { createReporter, type Reporter } from '../src/reporters/choose.ts';
import { buildEvents, fakeClock, virtualTerminal } from './reporters-fixture.ts';

/** The fixture's events from `from` up to (not including) the first that matches `until`. */
function eventsBetween(from: number, until: (event: BuildEvent) => boolean): { events: BuildEvent[]; next: number } {
  const end = buildEvents.findIndex((event, i) => i >= from && until(event));
  return { events: buildEvents.slice(from, end), next: end };
}

async function ttyAt(columns: number, env: { NO_COLOR?: string } = {}): Promise<{ reporter: Reporter; term: ReturnType<typeof virtualTerminal>; time: ReturnType<typeof fakeClock> }> {
  const term = virtualTerminal(columns);
  const time = fakeClock();
  const reporter = await createReporter('tty', { stdout: term.stream, stderr: term.stream, env: { TERM: 'xterm-256color', ...env }, clock: time.clock });
  return { reporter, term, time };
}

describe('the TTY reporter', () => {
  it('shows each running node with its elapsed time and queue state, collapses finished ones, and ends on a footer of spent against estimate', async () => {
    const { reporter, term, time } = await ttyAt(100);
    const upToQueue = eventsBetween(0, (event) => event.type === 'queued' && event.position === 1);
    for (const event of upToQueue.events) reporter.listen(event);
    expect(term.cursorVisible()).toBe(false);

    // Nothing happens for 12 s but the clock: the waiting take's time still moves on.
    await time.advance(12_000);
    expect(term.screen()).toBe(['  ✓ SEQ02:elements 0.0s', '  … SEQ02:take 12s queued at position 3', '  spent $0.00 of $2.10 · 1 running · 1 done · 1 reused', ''].join('\n'));
    await time.advance(1000);
    expect(term.screen()).toContain('  … SEQ02:take 13s queued at position 3\n');

    const upToFailure = eventsBetween(upToQueue.next, (event) => event.type === 'failed');
    for (const event of upToFailure.events) reporter.listen(event);
    await time.advance(5000);
    expect(term.screen()).toBe(
      [
        '  ✓ SEQ02:elements 0.0s',
        '  ! the fal queue is slow today',
        '  … SEQ02:take 18s generating',
        '  … SEQ03:take 5s running',
        '  spent $0.00 of $2.10 · 2 running · 1 done · 1 reused',
        '',
      ].join('\n'),
    );

    await time.advance(54_000);
    for (const event of buildEvents.slice(upToFailure.next)) reporter.listen(event);
    await reporter.close();
    expect(term.screen()).toBe(
      [
        '  ✓ SEQ02:elements 0.0s',
        '  ! the fal queue is slow today',
        '  ✗ SEQ03:take 59s: 422: the prompt was blocked',
        '  ✓ SEQ02:take 1m12s $1.26 → takes/SEQ02/SEQ02_take002.mp4',
        '  spent $1.26 of $2.10 · 2 done · 1 reused · 1 failed',
        '',
      ].join('\n'),
    );
    // Ended cleanly: the cursor is back and the timer is gone.
    expect(term.cursorVisible()).toBe(true);
    expect(time.sleeping()).toBe(0);
    expect(term.raw()).toContain('\x1b[32m✓\x1b[39m');
  });

  it('ends cleanly on an abort: the cursor is shown, the timer cleared, and what was running says it was interrupted', async () => {
    const { reporter, term, time } = await ttyAt(100);
    reporter.listen({ type: 'planned', nodeId: 'SEQ02:take', kind: 'take', sequence: 'SEQ02', action: 'run', reason: { kind: 'new' }, estimateUsd: 1.26 });
    reporter.listen({ type: 'started', nodeId: 'SEQ02:take', lane: 'fal' });
    reporter.listen({ type: 'queued', nodeId: 'SEQ02:take', position: 2 });
    await time.advance(3000);
    await reporter.close();
    expect(term.screen()).toBe(['  ■ SEQ02:take 3s interrupted while queued at position 2', '  spent $0.00 of $1.26 · 1 running', ''].join('\n'));
    expect(term.cursorVisible()).toBe(true);
    expect(time.sleeping()).toBe(0);
    // A second close (the command's finally after a summary) changes nothing.
    const before = term.raw();
    await reporter.close();
    expect(term.raw()).toBe(before);
  });

  it('draws nothing for a build in which nothing runs (the command prints its summary)', async () => {
    const { reporter, term, time } = await ttyAt(100);
    reporter.listen({ type: 'planned', nodeId: 'SEQ01:grid', kind: 'grid', sequence: 'SEQ01', action: 'reuse', reason: { kind: 'up-to-date' }, estimateUsd: 0 });
    reporter.listen({ type: 'reused', nodeId: 'SEQ01:grid', takeId: 'SEQ01_grid001', output: 'grids/SEQ01/SEQ01_grid001.png' });
    reporter.listen({ type: 'summary', ran: 0, reused: 1, waiting: 0, failed: 0, spentUsd: 0, estimateUsd: 0, interrupted: false, durationMs: 3 });
    await reporter.close();
    expect(term.raw()).toBe('');
    expect(time.sleeping()).toBe(0);
  });

  it('keeps live lines within a narrow terminal, since a wrapped line would break the redraw', async () => {
    const { reporter, term } = await ttyAt(40);
    reporter.listen({ type: 'started', nodeId: 'SEQ02:take', lane: 'fal' });
    reporter.listen({ type: 'progress', nodeId: 'SEQ02:take', stage: 'resumed', requestId: 'req-7', message: 'resuming job req-7 (no new submission)' });
    const lines = term.screen().split('\n');
    expect(lines[0]).toBe('  … SEQ02:take 0.0s resumed (no new su…');
    for (const line of lines) expect(line.length).toBeLessThan(40);
    await reporter.close();
  });

  it('under NO_COLOR redraws in place with no colour codes', async () => {
    const { reporter, term } = await ttyAt(100, { NO_COLOR: '1' });
    for (const event of buildEvents) reporter.listen(event);
    await reporter.close();
    expect(term.raw()).toMatch(/\x1b\[\d+A/);
    expect(term.raw()).not.toMatch(/\x1b\[[0-9;]*m/);
    expect(term.screen()).toContain('  ✓ SEQ02:take 1m12s $1.26 → takes/SEQ02/SEQ02_take002.mp4\n');
  });
});
