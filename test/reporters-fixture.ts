import type { BuildEvent } from '../src/graph/events.ts';
import type { Clock } from '../src/providers/types.ts';

/**
 * A build as its reporters hear it: a reused grid, free elements, one take that queues and
 * lands ($1.26), one that the provider refuses, a warning, and the summary. The estimate is
 * the sum of the planned runs: $0 + $1.26 + $0.84 = $2.10.
 */
export const buildEvents: readonly BuildEvent[] = [
  { type: 'planned', nodeId: 'SEQ01:grid', kind: 'grid', sequence: 'SEQ01', action: 'reuse', reason: { kind: 'up-to-date' }, estimateUsd: 0 },
  { type: 'planned', nodeId: 'SEQ02:elements', kind: 'elements', sequence: 'SEQ02', action: 'run', reason: { kind: 'new' }, estimateUsd: 0 },
  { type: 'planned', nodeId: 'SEQ02:take', kind: 'take', sequence: 'SEQ02', action: 'run', reason: { kind: 'changed', fields: ['shots[1].prompt'] }, estimateUsd: 1.26 },
  { type: 'planned', nodeId: 'SEQ03:take', kind: 'take', sequence: 'SEQ03', action: 'run', reason: { kind: 'new' }, estimateUsd: 0.84 },
  { type: 'reused', nodeId: 'SEQ01:grid', takeId: 'SEQ01_grid001', output: 'grids/SEQ01/SEQ01_grid001.png' },
  { type: 'started', nodeId: 'SEQ02:elements', lane: 'local' },
  { type: 'finished', nodeId: 'SEQ02:elements', takeId: null, output: null, costUsd: 0, calls: 0, durationMs: 12, notes: [] },
  { type: 'started', nodeId: 'SEQ02:take', lane: 'fal' },
  { type: 'progress', nodeId: 'SEQ02:take', stage: 'submitted', requestId: 'req-7', message: 'submitted as req-7' },
  { type: 'queued', nodeId: 'SEQ02:take', position: 3 },
  { type: 'queued', nodeId: 'SEQ02:take', position: 3 },
  { type: 'queued', nodeId: 'SEQ02:take', position: 1 },
  { type: 'started', nodeId: 'SEQ03:take', lane: 'fal' },
  { type: 'progress', nodeId: 'SEQ02:take', stage: 'generating', requestId: null, message: 'generating' },
  { type: 'warning', nodeId: null, message: 'the fal queue is slow today' },
  { type: 'failed', nodeId: 'SEQ03:take', reason: { kind: 'step-failed', message: '422: the prompt was blocked' } },
  { type: 'finished', nodeId: 'SEQ02:take', takeId: 'SEQ02_take002', output: 'takes/SEQ02/SEQ02_take002.mp4', costUsd: 1.26, calls: 1, durationMs: 72_000, notes: [] },
  { type: 'summary', ran: 2, reused: 1, waiting: 0, failed: 1, spentUsd: 1.26, estimateUsd: 2.1, interrupted: false, durationMs: 80_000 },
];

/** A stream that keeps what is written to it. */
export function bufferStream(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

/**
 * A clock whose time moves only when the test says so. `advance` wakes the sleepers now due
 * and resolves once one of them has gone back to sleep: the work between two sleeps is done.
 */
export function fakeClock(start = Date.UTC(2026, 0, 1)): { clock: Clock; advance(ms: number): Promise<void>; sleeping(): number } {
  let now = start;
  const sleepers = new Set<{ due: number; wake: () => void }>();
  let slept: (() => void) | undefined;
  const clock: Clock = {
    now: () => new Date(now),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const sleeper = { due: now + ms, wake: resolve };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', () => {
          sleepers.delete(sleeper);
          reject(new DOMException('aborted', 'AbortError'));
        });
        slept?.();
      }),
  };
  return {
    clock,
    sleeping: () => sleepers.size,
    advance: async (ms) => {
      now += ms;
      const due = [...sleepers].filter((sleeper) => sleeper.due <= now);
      if (due.length === 0) return;
      const again = new Promise<void>((resolve) => (slept = resolve));
      for (const sleeper of due) {
        sleepers.delete(sleeper);
        sleeper.wake();
      }
      await again;
    },
  };
}

/**
 * The screen a terminal would show for what was written: text, newlines, carriage returns,
 * cursor up (CSI n A), erase below (CSI J), cursor hide/show; colours are dropped. Any other
 * escape sequence fails the test, since a real terminal might do something this one does not.
 */
export function virtualTerminal(columns: number): { stream: { write(text: string): void; isTTY: true; columns: number }; screen(): string; raw(): string; cursorVisible(): boolean } {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  let visible = true;
  let raw = '';
  const put = (text: string): void => {
    const line = (lines[row] ?? '').padEnd(col);
    lines[row] = line.slice(0, col) + text + line.slice(col + text.length);
    col += text.length;
  };
  const write = (text: string): void => {
    raw += text;
    for (const token of text.split(/(\x1b\[[0-9;?]*[A-Za-z]|\n|\r)/)) {
      if (token === '') continue;
      if (token === '\n') {
        row += 1;
        col = 0;
        lines[row] ??= '';
      } else if (token === '\r') col = 0;
      else if (token.startsWith('\x1b[')) {
        const [, arg = '', command] = /^\x1b\[([0-9;?]*)([A-Za-z])$/.exec(token) ?? [];
        if (command === 'm') continue;
        else if (command === 'A') row = Math.max(0, row - Number(arg || '1'));
        else if (command === 'J' && (arg === '' || arg === '0')) {
          lines[row] = (lines[row] ?? '').slice(0, col);
          lines.length = row + 1;
        } else if (token === '\x1b[?25l') visible = false;
        else if (token === '\x1b[?25h') visible = true;
        else throw new Error(`the virtual terminal does not know ${JSON.stringify(token)}`);
      } else put(token);
    }
  };
  return {
    stream: { write, isTTY: true, columns },
    screen: () => lines.join('\n'),
    raw: () => raw,
    cursorVisible: () => visible,
  };
}
