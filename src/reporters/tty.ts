import type * as Listr2 from 'listr2';
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

type Paint = (text: string) => string;

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
class TtyDisplay implements Reporter {
  readonly #out: OutputStream;
  readonly #err: OutputStream;
  readonly #clock: Clock;
  readonly #listr: Listr2Parts;
  readonly #paint: Record<'green' | 'red' | 'yellow' | 'cyan' | 'dim', Paint>;
  readonly #running = new Map<string, Running>();
  readonly #stop = new AbortController();
  #estimateUsd = 0;
  #spentUsd = 0;
  #done = 0;
  #reused = 0;
  #failed = 0;
  #live = false;
  #ended = false;
  /** Lines of the live region now on screen, just above the cursor. */
  #drawn = 0;
  #ticking: Promise<void> | undefined;

  constructor(out: OutputStream, err: OutputStream, clock: Clock, listr: Listr2Parts, options: TtyOptions) {
    this.#out = out;
    this.#err = err;
    this.#clock = clock;
    this.#listr = listr;
    this.#paint = {
      green: painter(options.colour, 32, 39),
      red: painter(options.colour, 31, 39),
      yellow: painter(options.colour, 33, 39),
      cyan: painter(options.colour, 36, 39),
      dim: painter(options.colour, 2, 22),
    };
  }

  #elapsed(node: Running): string {
    return this.#listr.parseTimer(this.#clock.now().getTime() - node.startedMs);
  }

  #region(final: boolean): string {
    const { yellow, cyan } = this.#paint;
    // A terminal that reports no size (0, as some pseudo-terminals do) gets the classic 80.
    const columns = this.#out.columns !== undefined && this.#out.columns > 0 ? this.#out.columns : 80;
    const width = Math.max(columns - 1, 20);
    const lines = [...this.#running].map(([id, node]) =>
      final ? `  ${yellow('■')} ${fit(`${id} ${this.#elapsed(node)} interrupted while ${node.state}`, width - 4)}` : `  ${cyan('…')} ${fit(`${id} ${this.#elapsed(node)} ${node.state}`, width - 4)}`,
    );
    const counts = ([[this.#running.size, 'running'], [this.#done, 'done'], [this.#reused, 'reused'], [this.#failed, 'failed']] as const).filter(([count]) => count > 0).map(([count, word]) => ` · ${count} ${word}`);
    lines.push(`  ${fit(`spent ${usd(this.#spentUsd)} of ${usd(this.#estimateUsd)}${counts.join('')}`, width - 2)}`);
    this.#drawn = final ? 0 : lines.length;
    return lines.map((line) => `${line}\n`).join('');
  }

  #erase(): string {
    const text = this.#drawn === 0 ? '' : `\x1b[${this.#drawn}A\r\x1b[J`;
    this.#drawn = 0;
    return text;
  }

  #redraw(): void {
    if (this.#live && !this.#ended) this.#out.write(this.#erase() + this.#region(false));
  }

  /** A line that stays: the live region steps aside, the line goes above it, the region comes back. */
  #print(stream: OutputStream, line: string): void {
    if (this.#live && !this.#ended) this.#out.write(this.#erase());
    stream.write(`${line}\n`);
    this.#redraw();
  }

  #start(): void {
    if (this.#live || this.#ended) return;
    this.#live = true;
    this.#out.write(this.#listr.ANSI_ESCAPE_CODES.CURSOR_HIDE);
    const stop = this.#stop.signal;
    this.#ticking = (async () => {
      while (!stop.aborted) {
        await this.#clock.sleep(TICK_MS, stop);
        this.#redraw();
      }
    })().catch((error: unknown) => {
      // The sleep in progress rejects when the reporter ends: that is the timer being cleared.
      if (!stop.aborted) throw error;
    });
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stop.abort();
    // Nothing drawn, nothing to end: the command's own summary follows.
    if (this.#live) this.#out.write(this.#erase() + this.#region(true) + this.#listr.ANSI_ESCAPE_CODES.CURSOR_SHOW);
  }

  /** Where a running node stands now. */
  #update(nodeId: string, state: string): void {
    const node = this.#running.get(nodeId);
    if (node !== undefined) node.state = state;
    this.#redraw();
  }

  #finished(event: Extract<BuildEvent, { type: 'finished' }>): void {
    const { green, dim } = this.#paint;
    this.#running.delete(event.nodeId);
    this.#spentUsd += event.costUsd;
    this.#done += 1;
    const cost = event.costUsd > 0 ? ` ${usd(event.costUsd)}` : '';
    const where = event.output === null ? '' : ` → ${event.output}`;
    this.#print(this.#out, `  ${green('✓')} ${event.nodeId} ${dim(this.#listr.parseTimer(event.durationMs))}${cost}${where}`);
  }

  #failedNode(event: Extract<BuildEvent, { type: 'failed' }>): void {
    const { red, dim } = this.#paint;
    const node = this.#running.get(event.nodeId);
    this.#running.delete(event.nodeId);
    this.#failed += 1;
    const after = node === undefined ? '' : ` ${dim(this.#elapsed(node))}`;
    this.#print(this.#err, `  ${red('✗')} ${event.nodeId}${after}: ${reasonText(event.reason)}`);
  }

  readonly perNode = true;

  readonly listen = (event: BuildEvent): void => {
    switch (event.type) {
      case 'planned':
        if (event.action === 'run') this.#estimateUsd += event.estimateUsd;
        return;
      case 'reused':
        this.#reused += 1;
        this.#redraw();
        return;
      case 'started':
        this.#running.set(event.nodeId, { startedMs: this.#clock.now().getTime(), state: 'running' });
        this.#start();
        this.#redraw();
        return;
      case 'queued':
        this.#update(event.nodeId, `queued at position ${event.position}`);
        return;
      case 'progress':
        this.#update(event.nodeId, stageText(event.stage));
        return;
      case 'finished':
        this.#finished(event);
        return;
      case 'failed':
        this.#failedNode(event);
        return;
      case 'warning':
        this.#print(this.#err, `  ${this.#paint.yellow('!')} ${event.message}`);
        return;
      case 'summary':
        // The build's own totals are the last word (a reused or aborted node may differ from the plan).
        this.#spentUsd = event.spentUsd;
        this.#estimateUsd = event.estimateUsd;
        this.#end();
        return;
      default:
        unreachable(event);
    }
  };

  readonly close = async (): Promise<void> => {
    this.#end();
    await this.#ticking;
  };
}

type Listr2Parts = Pick<typeof Listr2, 'ANSI_ESCAPE_CODES' | 'parseTimer'>;

/** The terminal reporter; listr2 is loaded here only, so plain, --json and --ndjson runs never pay for it. */
export async function ttyReporter(out: OutputStream, err: OutputStream, clock: Clock, options: TtyOptions): Promise<Reporter> {
  const { ANSI_ESCAPE_CODES, parseTimer } = await import('listr2');
  return new TtyDisplay(out, err, clock, { ANSI_ESCAPE_CODES, parseTimer }, options);
}
