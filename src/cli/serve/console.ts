import { isBilled, isPaid, type NodeId } from '../../graph/nodes.ts';
import { usd } from '../../reporters/format.ts';
import { reasonText } from '../../reporters/reasons.ts';
import { useText, wordDiffParts, type DiffPart } from '../../reporters/takes.ts';
import type { HistoryEntry } from '../../state/take-history.ts';
import { isComplete } from '../../state/take-status.ts';
import { CgFailure, toCgError } from '../../util/errors.ts';
import { buildOnce, retakeNodes, type BuildArgs } from '../commands/build.ts';
import { recordFinal, recordVerdict, sequenceOf, type Verdict } from '../commands/decide.ts';
import { recordPick } from '../commands/pick.ts';
import { statusOf } from '../commands/status.ts';
import { takeEntries, useTakeShots } from '../commands/takes.ts';
import type { Io } from '../io.ts';
import { withProjectLock } from '../lock.ts';
import { planOnly } from '../plan-only.ts';
import { renderError } from '../render-error.ts';
import { openWorkspace, resolveTargets, type Workspace } from '../workspace.ts';
import { boardOf, type Board, type BoardCard } from './board.ts';

/** An error in the CLI's words, without the `cg: ` it starts with in a terminal. */
export function messageOf(error: unknown, version: string): string {
  return renderError(toCgError(error), version).replace(/^cg: /, '');
}

/** A take as Dailies shows it: the history entry with its file, the note on it, and each shot's word diff. */
export interface DailiesTake extends Omit<HistoryEntry, 'shots'> {
  output: string | null;
  note: string | null;
  shots: Array<{ shot: number; prompt: string; duration: string; overridden: boolean; previous: string | null; diff: DiffPart[] | null }>;
}

export interface GridView {
  rows: number;
  cols: number;
  /** Grids of the current inputs, oldest first; `current` is the one a pick takes by default. */
  grids: Array<{ takeId: string; output: string; current: boolean }>;
  picked: { cell: number; takeId: string | null } | null;
  /** The start frame cut from the pick, when it is built for the current plan. */
  frame: string | null;
}

export interface SequenceView {
  card: BoardCard;
  takes: DailiesTake[];
  grid: GridView | null;
}

export interface Quote {
  sequence: string;
  retake: boolean;
  /** What the nodes that would run cost at real prices. */
  estimateUsd: number;
  /** What of that the configured providers really charge (0 on sim). */
  billedUsd: number;
  nodes: Array<{ id: string; estimateUsd: number; paid: boolean; billed: boolean; why: string }>;
  budget: { maxUsd: number | null; spentUsd: number };
}

/** What the page learns when a build it started ends. */
export interface BuildEnded {
  sequence: string;
  ok: boolean;
  message: string;
}

export interface ConsoleOptions {
  io: Io;
  project: string;
  /** What builds started from the page may spend in all (cg serve --max-cost). */
  maxCostUsd: number | undefined;
  onBuildEnded: (ended: BuildEnded) => void;
}

/**
 * What the review console does, in the CLI's own functions: the board is `cg status`, Dailies
 * is `cg takes`, its buttons are `cg approve/reject/final`, `cg pick` and `cg takes --use`, and a
 * build is `cg build`, priced first and run only on a confirmation naming that price. Every
 * write goes through the project lock inside those functions.
 */
export class ReviewConsole {
  readonly #options: ConsoleOptions;
  #spentUsd = 0;
  #building: string | undefined;
  /** The board as last derived, until a project file changes: it is `cg status` of the whole plan, the costly read. */
  #board: Promise<Board> | undefined;
  #generation = 0;
  /** The last derivation started, and whether the newest is still waiting for it. */
  #last: Promise<void> = Promise.resolve();
  #waiting = false;
  /** Work that goes on after its request was answered: a board derived ahead, a build. */
  readonly #background = new Set<Promise<unknown>>();

  constructor(options: ConsoleOptions) {
    this.#options = options;
  }

  #open(readOnly = false): Promise<Workspace> {
    return openWorkspace(this.#options.io, this.#options.project, { readOnly });
  }

  async #derive(ws: Workspace, names: readonly string[]): Promise<Board> {
    const status = await statusOf(this.#options.io, ws, names);
    const { plan } = ws.project;
    return boardOf({
      project: status.project,
      title: plan.title,
      song: plan.song,
      plan: plan.sequences.filter((s) => names.length === 0 || names.includes(s.id)),
      sequences: status.sequences,
      nodes: status.nodes,
      records: await ws.records(),
      cut: status.cut?.file ?? null,
    });
  }

  /** The Sequence Board; derived again only after a project file changed (see `changed`). */
  board(): Promise<Board> {
    if (this.#board !== undefined) return this.#board;
    // One derivation at a time: a build writes records many times a second, each a change.
    this.#waiting = true;
    let startedAt = 0;
    const board = this.#last.then(async () => {
      this.#waiting = false;
      startedAt = this.#generation;
      return this.#derive(await this.#open(), []);
    });
    this.#last = board.then(
      () => undefined,
      () => undefined,
    );
    this.#board = board;
    // A failure, or a change while deriving, is not kept: the next request derives again.
    board.then(
      () => {
        if (startedAt !== this.#generation && this.#board === board) this.#board = undefined;
      },
      () => {
        if (this.#board === board) this.#board = undefined;
      },
    );
    return board;
  }

  /** A project file changed (here or in another process): the board is derived again, starting now (or once the one under way ends). */
  changed(): void {
    this.#generation++;
    if (this.#waiting) return; // the derivation waiting its turn has not read anything yet
    this.#board = undefined;
    this.#behind(this.board());
  }

  #behind(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#background.add(settled);
    void settled.finally(() => this.#background.delete(settled));
  }

  /** Resolves when the work that outlived its request is done (a build stops starting nodes once io.signal fires). */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.all(this.#background);
  }

  async sequence(name: string): Promise<SequenceView> {
    const ws = await this.#open();
    const id = sequenceOf(ws, name);
    const card = (await this.board()).cards.find((c) => c.id === id);
    if (card === undefined) throw new CgFailure({ kind: 'unknown-sequence', sequences: [name], available: [...ws.graph.bySequence.keys()] });
    const records = await ws.records();
    const outputs = new Map([...records.values()].flatMap((record) => record.takes.map((take) => [take.takeId, take.output] as const)));
    const notes = ws.project.decisions.sequences[id]?.notes ?? {};
    const takes = (await takeEntries(this.#options.io, ws, id))
      .filter((take) => take.kind !== 'grid')
      .map((take) => ({
        ...take,
        output: outputs.get(take.id) ?? null,
        note: notes[take.id] ?? null,
        shots: take.shots.map((shot) => ({
          shot: shot.shot,
          prompt: shot.prompt,
          duration: shot.duration,
          overridden: shot.overridden ?? false,
          previous: shot.previous?.takeId ?? null,
          diff: shot.previous === undefined || shot.previous.prompt === shot.prompt ? null : wordDiffParts(shot.previous.prompt, shot.prompt),
        })),
      }));
    return { card, takes, grid: await this.#grid(ws, id) };
  }

  async #grid(ws: Workspace, sequence: string): Promise<GridView | null> {
    if (!ws.graph.nodes.has(`${sequence}:grid`)) return null;
    const { nodes, facts } = await planOnly(this.#options.io, ws, [`${sequence}:frame`]);
    const gridNode = nodes.find((node) => node.id === `${sequence}:grid`);
    const frameNode = nodes.find((node) => node.id === `${sequence}:frame`);
    const choices = await facts.gridChoices(`${sequence}:grid`);
    const takes = ((await ws.records()).get(`${sequence}_grid`)?.takes ?? []).filter((take) => isComplete(take.status) && take.blob !== null && take.output !== null && choices.has(take.blob));
    const current = gridNode?.action === 'reuse' ? gridNode.outputHash : undefined;
    const newestCurrent = takes.findLast((take) => take.blob === current)?.takeId;
    const pick = ws.project.decisions.sequences[sequence]?.pick;
    const built = frameNode?.action === 'reuse' ? await ws.built.get(`${sequence}:frame`) : undefined;
    return {
      ...ws.projectConfig.grid,
      grids: takes.map((take) => ({ takeId: take.takeId, output: take.output ?? '', current: take.takeId === newestCurrent })),
      picked: pick !== undefined && 'cell' in pick ? { cell: pick.cell, takeId: takes.findLast((take) => take.blob === pick.grid)?.takeId ?? null } : null,
      frame: built !== undefined && built.key === frameNode?.key ? built.output : null,
    };
  }

  async verdict(name: string, verdict: Verdict, take: number, note: string | undefined): Promise<string> {
    const done = await this.#writes(async () => recordVerdict(this.#options.io, await this.#open(), verdict, { sequence: name, take, note }));
    return verdict === 'approve' ? `${done.sequence}: approved ${done.take}.` : `${done.sequence}: rejected ${done.take}.`;
  }

  async final(name: string, reopen: boolean): Promise<string> {
    const done = await this.#writes(async () => recordFinal(this.#options.io, await this.#open(), name, reopen));
    return reopen ? `${done.sequence}: reopened.` : `${done.sequence}: final (${done.approved ?? ''}).`;
  }

  /** `cg pick SEQ --cell N [--grid TAKE]`, then the free frame node is cut at once so the start frame shows. */
  pick(name: string, cell: number, grid: string | undefined): Promise<string> {
    return this.#writes(() => this.#pick(name, cell, grid));
  }

  async #pick(name: string, cell: number, grid: string | undefined): Promise<string> {
    const { io } = this.#options;
    const done = await recordPick(io, await this.#open(), { sequence: name, cell, quadrant: undefined, grid, file: undefined, shot: undefined });
    const ws = await this.#open(true);
    await withProjectLock(io, ws.paths, `cg serve: cut ${done.sequence}'s start frame`, { wait: true }, async () => {
      const fresh = await this.#open();
      try {
        // maySpend false: cutting a frame is local; anything billed it could touch waits for a person.
        await buildOnce(io, fresh, this.#buildArgs(`${done.sequence}:frame`, false, undefined), io.clock.now(), { reporter: 'plain', maySpend: false });
      } finally {
        await fresh.built.save();
      }
    });
    return `${done.sequence}: ${done.said}.`;
  }

  /** `cg takes SEQ --use SHOT:TAKE`: what was written, in the CLI's words. */
  async use(name: string, shot: number | 'all', take: string): Promise<string> {
    return useText(await this.#writes(async () => useTakeShots(this.#options.io, await this.#open(true), name, `${shot}:${take}`)));
  }

  /** Runs an action that writes project files; the page's next read sees what it wrote, without waiting for the watcher. */
  async #writes<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } finally {
      this.changed();
    }
  }

  #buildArgs(target: string, retake: boolean, maxCost: number | undefined): BuildArgs {
    return { targets: [target], project: this.#options.project, dryRun: false, retake, jobs: undefined, json: false, ndjson: false, wait: true, yes: true, maxCost, resubmit: false, retryFailed: false };
  }

  #quoteOf(ws: Workspace, sequence: string, retake: boolean, nodes: Awaited<ReturnType<typeof planOnly>>['nodes']): Quote {
    const running = nodes.filter((node) => node.action === 'run');
    const shown = running.map((report) => {
      const node = ws.graph.nodes.get(report.id);
      return { id: report.id, estimateUsd: report.estimateUsd, paid: node !== undefined && isPaid(node), billed: node !== undefined && isBilled(node), why: reasonText(report.reason) };
    });
    return {
      sequence,
      retake,
      estimateUsd: running.reduce((sum, node) => sum + node.estimateUsd, 0),
      billedUsd: shown.filter((node) => node.billed).reduce((sum, node) => sum + node.estimateUsd, 0),
      nodes: shown,
      budget: { maxUsd: this.#options.maxCostUsd ?? null, spentUsd: this.#spentUsd },
    };
  }

  async #plan(ws: Workspace, name: string, retake: boolean): Promise<Quote> {
    const sequence = sequenceOf(ws, name);
    const targets = resolveTargets(ws.graph, [sequence]);
    const retakes: Set<NodeId> = retake ? retakeNodes(ws, [sequence], targets) : new Set();
    return this.#quoteOf(ws, sequence, retake, (await planOnly(this.#options.io, ws, targets, retakes)).nodes);
  }

  /** What `cg build SEQ [--retake]` would run and cost: planning only, nothing written or spent. */
  async quote(name: string, retake: boolean): Promise<Quote> {
    return this.#plan(await this.#open(true), name, retake);
  }

  /**
   * Runs the build a person confirmed at `confirmedUsd`. Under the lock it is priced again: a
   * different price (the plan or the cache changed meanwhile) runs nothing and asks again.
   * Resolves once the build has started; its end is told through `onBuildEnded`.
   */
  async build(name: string, retake: boolean, confirmedUsd: number): Promise<string> {
    const { io, maxCostUsd } = this.#options;
    if (this.#building !== undefined) throw new CgFailure({ kind: 'usage', message: `a build of ${this.#building} started from this page is still running; wait for it to finish` });
    const ws = await this.#open(true);
    const sequence = sequenceOf(ws, name);
    this.#building = sequence;
    const started = new Promise<void>((resolve, reject) => {
      const run = withProjectLock(io, ws.paths, `cg serve: build ${sequence}${retake ? ' --retake' : ''}`, { wait: true }, async () => {
        const fresh = await this.#open();
        try {
          const quote = await this.#plan(fresh, sequence, retake);
          if (Math.abs(quote.estimateUsd - confirmedUsd) > 1e-6) throw new CgFailure({ kind: 'usage', message: `the price is now ${usd(quote.estimateUsd)}, not the ${usd(confirmedUsd)} you confirmed; nothing was built: look at it again` });
          const left = maxCostUsd === undefined ? undefined : maxCostUsd - this.#spentUsd;
          // The same rule as cg build --max-cost: the estimate at real prices, against what this server may still spend.
          if (left !== undefined && quote.estimateUsd > left + 1e-9) throw new CgFailure({ kind: 'budget-exceeded', estimateUsd: quote.estimateUsd, maxUsd: left });
          resolve();
          const outcome = await buildOnce(io, fresh, this.#buildArgs(sequence, retake, left), io.clock.now(), { reporter: 'plain', maySpend: true });
          if (outcome.kind === 'done') {
            this.#spentUsd += outcome.report.totalCostUsd;
            const failed = outcome.report.failures.map((failure) => `${failure.nodeId}: ${reasonText(failure.reason)}`);
            this.#options.onBuildEnded({ sequence, ok: failed.length === 0 && !outcome.report.interrupted, message: failed.length > 0 ? `failed: ${failed.join('; ')}` : `built ${sequence}; spent ${usd(outcome.report.totalCostUsd)}` });
          }
        } finally {
          await fresh.built.save();
        }
      });
      this.#behind(run);
      run
        .catch((error: unknown) => {
          reject(error instanceof Error ? error : new Error(String(error)));
          // After the start the page hears of the failure as the build's end.
          this.#options.onBuildEnded({ sequence, ok: false, message: messageOf(error, io.version) });
        })
        .finally(() => {
          this.#building = undefined;
        });
    });
    await started;
    return `building ${sequence}${retake ? ' (a retake)' : ''}`;
  }
}
