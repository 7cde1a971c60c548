import { reasonText } from '../../reporters/reasons.ts';
import { updateDecisions } from '../../state/decisions-file.ts';
import { isComplete } from '../../state/take-status.ts';
import { takeIdFor } from '../../state/records.ts';
import { CgFailure, type ExitCode } from '../../util/errors.ts';
import { deriveState } from '../derived.ts';
import { usd } from '../../reporters/format.ts';
import type { Io } from '../io.ts';
import { withProjectLock } from '../lock.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, resolveTargets, type Workspace } from '../workspace.ts';

const quadrants: Record<string, number> = { top_left: 1, top_right: 2, bottom_left: 3, bottom_right: 4 };

function sequenceOf(ws: Workspace, name: string): string {
  const id = name.toUpperCase();
  resolveTargets(ws.graph, [id]);
  return id;
}

async function refreshSequences(io: Io, ws: Workspace): Promise<void> {
  const fresh = await openWorkspace(io, ws.paths.name);
  const { nodes } = await planOnly(io, fresh, fresh.graph.order);
  await deriveState(fresh, nodes, false);
}

export interface PickArgs {
  project: string | undefined;
  sequence: string;
  cell: number | undefined;
  quadrant: string | undefined;
}

/** Records which grid cell becomes the start frame, naming the grid by its content hash. */
export async function pickCommand(io: Io, args: PickArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project);
  const sequence = sequenceOf(ws, args.sequence);
  const { rows, cols } = ws.projectConfig.grid;
  if (!ws.graph.nodes.has(`${sequence}:grid`)) {
    throw new CgFailure({ kind: 'no-grid', sequence });
  }
  let cell = args.cell;
  if (args.quadrant !== undefined) {
    if (rows !== 2 || cols !== 2) throw new CgFailure({ kind: 'usage', message: `--quadrant names cells of a 2x2 grid; this grid is ${rows}x${cols}: use --cell 1-${rows * cols}` });
    cell = quadrants[args.quadrant];
  }
  if (cell === undefined || !Number.isInteger(cell) || cell < 1 || cell > rows * cols) {
    throw new CgFailure({ kind: 'usage', message: `say which cell: --cell 1-${rows * cols} (row by row from the top left)${rows === 2 && cols === 2 ? ' or --quadrant top_left|top_right|bottom_left|bottom_right' : ''}` });
  }
  const { nodes } = await planOnly(io, ws, [`${sequence}:grid`]);
  const grid = nodes.find((node) => node.id === `${sequence}:grid`);
  if (grid?.action !== 'reuse' || grid.outputHash === undefined) {
    throw new CgFailure({ kind: 'grid-not-built', sequence, why: grid === undefined ? 'unknown' : reasonText(grid.reason) });
  }
  const hash = grid.outputHash;
  const chosen = cell;
  await withProjectLock(io, ws.paths, `cg pick ${sequence}`, { wait: true }, async () => {
    await updateDecisions(ws.paths.decisions, (decisions) => {
      decisions.sequences[sequence] = { ...decisions.sequences[sequence], pick: { grid: hash, cell: chosen, at: io.clock.now().toISOString() } };
    }, () => ws.faults('write:decisions'));
    await refreshSequences(io, ws);
  });
  const take = ws.graph.nodes.get(`${sequence}:take`);
  io.stdout.write(`${sequence}: picked cell ${chosen} of ${grid.output ?? 'the current grid'}. cg build ${sequence} cuts it and makes the take${take === undefined ? '' : ` (${usd(take.estimateUsd)} at real prices)`}.\n`);
  return 0;
}

export interface TakeDecisionArgs {
  project: string | undefined;
  sequence: string;
  take: number | undefined;
}

async function completeTakeIds(ws: Workspace, recordId: string): Promise<string[]> {
  return (await ws.records()).get(recordId)?.takes.filter((take) => isComplete(take.status)).map((take) => take.takeId) ?? [];
}

/** The take a decision names: --take N, or else the current one. */
async function chosenTake(io: Io, ws: Workspace, sequence: string, take: number | undefined): Promise<string> {
  const known = await completeTakeIds(ws, sequence);
  if (take !== undefined) {
    const id = takeIdFor(sequence, take);
    if (!known.includes(id)) throw new CgFailure({ kind: 'unknown-take', sequence, take, known });
    return id;
  }
  const { nodes } = await planOnly(io, ws, [`${sequence}:take`]);
  const current = nodes.find((node) => node.id === `${sequence}:take`);
  if (current?.action !== 'reuse' || current.key === undefined) {
    throw new CgFailure({ kind: 'no-current-take', sequence, known });
  }
  const id = (await ws.records()).get(sequence)?.takes.findLast((t) => t.key === current.key && isComplete(t.status))?.takeId;
  if (id === undefined) throw new CgFailure({ kind: 'no-current-take', sequence, known });
  return id;
}

export type Verdict = 'approve' | 'reject';

/** Approves or rejects a take of a multi-shot sequence. */
export async function verdictCommand(io: Io, verdict: Verdict, args: TakeDecisionArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project);
  const sequence = sequenceOf(ws, args.sequence);
  if (!ws.graph.nodes.has(`${sequence}:take`)) {
    throw new CgFailure({ kind: 'individual-mode', sequence, verdict });
  }
  const take = await chosenTake(io, ws, sequence, args.take);
  await withProjectLock(io, ws.paths, `cg ${verdict} ${sequence}`, { wait: true }, async () => {
    await updateDecisions(ws.paths.decisions, (decisions) => {
      const entry = decisions.sequences[sequence] ?? {};
      const rejected = entry.rejected ?? [];
      decisions.sequences[sequence] =
        verdict === 'approve'
          ? { ...entry, approved: take, rejected: rejected.filter((id) => id !== take) }
          : { ...entry, rejected: [...new Set([...rejected, take])], ...(entry.approved === take ? { approved: undefined } : {}) };
    }, () => ws.faults('write:decisions'));
    await refreshSequences(io, ws);
  });
  io.stdout.write(verdict === 'approve' ? `${sequence}: approved ${take}.\n` : `${sequence}: rejected ${take}. cg build ${sequence} --retake makes another take of the same plan.\n`);
  return 0;
}

export interface FinalArgs {
  project: string | undefined;
  sequence: string;
  reopen: boolean;
}

/** Freezes an approved sequence (later plan edits warn and do not spend), or reopens it. */
export async function finalCommand(io: Io, args: FinalArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project);
  const sequence = sequenceOf(ws, args.sequence);
  const decision = ws.project.decisions.sequences[sequence];
  if (!args.reopen && decision?.approved === undefined) {
    throw new CgFailure({ kind: 'not-approved', sequence });
  }
  await withProjectLock(io, ws.paths, `cg final ${sequence}`, { wait: true }, async () => {
    await updateDecisions(ws.paths.decisions, (decisions) => {
      decisions.sequences[sequence] = { ...decisions.sequences[sequence], final: !args.reopen };
    }, () => ws.faults('write:decisions'));
    await refreshSequences(io, ws);
  });
  io.stdout.write(args.reopen ? `${sequence}: reopened; plan edits rebuild it again.\n` : `${sequence}: final (${decision?.approved ?? ''}); plan edits to it now warn and do not spend.\n`);
  return 0;
}
