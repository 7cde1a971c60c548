import type { BuildEvent, ProgressStage } from '../graph/events.ts';
import type { Clock } from '../providers/types.ts';
import { unreachable } from '../util/result.ts';
import type { Reporter } from './choose.ts';
import { usd } from './format.ts';
import type { OutputStream } from './progress.ts';
import { reasonText } from './reasons.ts';

/** The running lines show whole seconds, so a redraw a second keeps them current. */
const TICK_MS = 1000;

export interface TtyOptions {
  /** False under NO_COLOR: the lines still redraw, without colour. */
  colour: boolean;
}

interface Running {
  startedMs: number;
  state: string;
}

function stageText(stage: ProgressStage): string {
  switch (stage) {
    case 'submitted':
      return 'submitted';
    case 'resumed':
      return 'resumed (no new submission)';
    case 'generating':
      return 'generating';
    case 'landed':
      return 'finishing from an earlier result';
    default:
      return unreachable(stage);
  }
}

function painter(colour: boolean, open: number, close: number): (text: string) => string {
  return colour ? (text) => `\x1b[${open}m${text}\x1b[${close}m` : (text) => text;
}

/** A line cut to the terminal's width: a wrapped line would throw off the count of lines to redraw. */
function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(width - 1, 0))}…`;
}

/**
 * The terminal reporter, log-update style: finished, failed and warning lines are printed once
 * and stay; below them a live region (one line per running node with its elapsed time and
 * queue state, and a footer of dollars spent against the estimate) is erased and redrawn on
 * every event and every second. It appears at the first `started` (so lines the command writes
 * before the build are not drawn over) and ends, cursor shown again, at `summary` or `close()`.
 * listr2 supplies the timer format and the cursor codes; its task runner does not fit here,
 * since it wants every task as a promise before it starts, takes over process.stdout and
 * process.stderr, and ticks on its own timer instead of the injected clock.
 */
export async function ttyReporter(out: OutputStream, err: OutputStream, clock: Clock, options: TtyOptions): Promise<Reporter> {
  // Loaded here only, so plain, --json and --ndjson runs never pay for it.
  const { ANSI_ESCAPE_CODES, parseTimer } = await import('listr2');
  const green = painter(options.colour, 32, 39);
  const red = painter(options.colour, 31, 39);
  const yellow = painter(options.colour, 33, 39);
  const cyan = painter(options.colour, 36, 39);
  const dim = painter(options.colour, 2, 22);

  const running = new Map<string, Running>();
  let estimateUsd = 0;
  let spentUsd = 0;
  let done = 0;
  let reused = 0;
  let failed = 0;
  let live = false;
  let ended = false;
  /** Lines of the live region now on screen, just above the cursor. */
  let drawn = 0;
  const stop = new AbortController();
  let ticking: Promise<void> | undefined;

  const elapsed = (node: Running): string => parseTimer(clock.now().getTime() - node.startedMs);

  function region(final: boolean): string {
    // A terminal that reports no size (0, as some pseudo-terminals do) gets the classic 80.
    const columns = out.columns !== undefined && out.columns > 0 ? out.columns : 80;
    const width = Math.max(columns - 1, 20);
    const lines = [...running].map(([id, node]) =>
      final ? `  ${yellow('■')} ${fit(`${id} ${elapsed(node)} interrupted while ${node.state}`, width - 4)}` : `  ${cyan('…')} ${fit(`${id} ${elapsed(node)} ${node.state}`, width - 4)}`,
    );
    const counts = ([[running.size, 'running'], [done, 'done'], [reused, 'reused'], [failed, 'failed']] as const).filter(([count]) => count > 0).map(([count, word]) => ` · ${count} ${word}`);
    lines.push(`  ${fit(`spent ${usd(spentUsd)} of ${usd(estimateUsd)}${counts.join('')}`, width - 2)}`);
    drawn = final ? 0 : lines.length;
    return lines.map((line) => `${line}\n`).join('');
  }

  function erase(): string {
    const text = drawn === 0 ? '' : `\x1b[${drawn}A\r\x1b[J`;
    drawn = 0;
    return text;
  }

  function redraw(): void {
    if (live && !ended) out.write(erase() + region(false));
  }

  /** A line that stays: the live region steps aside, the line goes above it, the region comes back. */
  function print(stream: OutputStream, line: string): void {
    if (live && !ended) out.write(erase());
    stream.write(`${line}\n`);
    redraw();
  }

  function start(): void {
    if (live || ended) return;
    live = true;
    out.write(ANSI_ESCAPE_CODES.CURSOR_HIDE);
    ticking = (async () => {
      while (!stop.signal.aborted) {
        await clock.sleep(TICK_MS, stop.signal);
        redraw();
      }
    })().catch((error: unknown) => {
      // The sleep in progress rejects when the reporter ends: that is the timer being cleared.
      if (!stop.signal.aborted) throw error;
    });
  }

  function end(): void {
    if (ended) return;
    ended = true;
    stop.abort();
    // Nothing drawn, nothing to end: the command's own summary follows.
    if (live) out.write(erase() + region(true) + ANSI_ESCAPE_CODES.CURSOR_SHOW);
  }

  function listen(event: BuildEvent): void {
    switch (event.type) {
      case 'planned':
        if (event.action === 'run') estimateUsd += event.estimateUsd;
        return;
      case 'reused':
        reused += 1;
        redraw();
        return;
      case 'started':
        running.set(event.nodeId, { startedMs: clock.now().getTime(), state: 'running' });
        start();
        redraw();
        return;
      case 'queued': {
        const node = running.get(event.nodeId);
        if (node !== undefined) node.state = `queued at position ${event.position}`;
        redraw();
        return;
      }
      case 'progress': {
        const node = running.get(event.nodeId);
        if (node !== undefined) node.state = stageText(event.stage);
        redraw();
        return;
      }
      case 'finished': {
        running.delete(event.nodeId);
        spentUsd += event.costUsd;
        done += 1;
        const cost = event.costUsd > 0 ? ` ${usd(event.costUsd)}` : '';
        const where = event.output === null ? '' : ` → ${event.output}`;
        print(out, `  ${green('✓')} ${event.nodeId} ${dim(parseTimer(event.durationMs))}${cost}${where}`);
        return;
      }
      case 'failed': {
        const node = running.get(event.nodeId);
        running.delete(event.nodeId);
        failed += 1;
        const after = node === undefined ? '' : ` ${dim(elapsed(node))}`;
        print(err, `  ${red('✗')} ${event.nodeId}${after}: ${reasonText(event.reason)}`);
        return;
      }
      case 'warning':
        print(err, `  ${yellow('!')} ${event.message}`);
        return;
      case 'summary':
        // The build's own totals are the last word (a reused or aborted node may differ from the plan).
        spentUsd = event.spentUsd;
        estimateUsd = event.estimateUsd;
        end();
        return;
      default:
        unreachable(event);
    }
  }

  return {
    listen,
    close: async () => {
      end();
      await ticking;
    },
  };
}
