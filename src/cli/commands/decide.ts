import { updateDecisions } from '../../state/decisions-file.ts';
import { isComplete } from '../../state/take-status.ts';
import { takeIdFor } from '../../state/records.ts';
import { CgFailure, type ExitCode } from '../../util/errors.ts';
import { deriveState } from '../derived.ts';
import type { Io } from '../io.ts';
import { withProjectLock } from '../lock.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, resolveTargets, type Workspace } from '../workspace.ts';

export function sequenceOf(ws: Workspace, name: string): string {
  const id = name.toUpperCase();
  resolveTargets(ws.graph, [id]);
  return id;
}

/** Derives sequences.json again after a decision changed. */
export async function refreshSequences(io: Io, ws: Workspace): Promise<void> {
  const fresh = await openWorkspace(io, ws.paths.name);
  const { nodes } = await planOnly(io, fresh, fresh.graph.order);
  await deriveState(fresh, nodes, false);
}

export interface TakeDecisionArgs extends VerdictArgs {
  project: string | undefined;
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

export interface VerdictArgs {
  sequence: string;
  take: number | undefined;
  /** Why a take was rejected, in a person's words (kept in decisions.json beside the rejection). */
  note?: string | undefined;
}

/** Records an approval or rejection of a multi-shot sequence's take in decisions.json; returns the sequence and take. */
export async function recordVerdict(io: Io, ws: Workspace, verdict: Verdict, args: VerdictArgs): Promise<{ sequence: string; take: string }> {
  const sequence = sequenceOf(ws, args.sequence);
  if (!ws.graph.nodes.has(`${sequence}:take`)) {
    throw new CgFailure({ kind: 'individual-mode', sequence, verdict });
  }
  const take = await chosenTake(io, ws, sequence, args.take);
  const note = args.note?.trim() ?? '';
  await withProjectLock(io, ws.paths, `cg ${verdict} ${sequence}`, { wait: true }, async () => {
    await updateDecisions(ws.paths.decisions, (decisions) => {
      const entry = decisions.sequences[sequence] ?? {};
      const rejected = entry.rejected ?? [];
      const notes = verdict === 'reject' && note !== '' ? { notes: { ...entry.notes, [take]: note } } : {};
      decisions.sequences[sequence] =
        verdict === 'approve'
          ? { ...entry, approved: take, rejected: rejected.filter((id) => id !== take) }
          : { ...entry, rejected: [...new Set([...rejected, take])], ...notes, ...(entry.approved === take ? { approved: undefined } : {}) };
    }, () => ws.faults('write:decisions'));
    await refreshSequences(io, ws);
  });
  return { sequence, take };
}

/** Approves or rejects a take of a multi-shot sequence. */
export async function verdictCommand(io: Io, verdict: Verdict, args: TakeDecisionArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project);
  const { sequence, take } = await recordVerdict(io, ws, verdict, args);
  io.stdout.write(verdict === 'approve' ? `${sequence}: approved ${take}.\n` : `${sequence}: rejected ${take}. cg build ${sequence} --retake makes another take of the same plan.\n`);
  return 0;
}

export interface FinalArgs {
  project: string | undefined;
  sequence: string;
  reopen: boolean;
}

/** Freezes an approved sequence (later plan edits warn and do not spend), or reopens it; returns the approved take. */
export async function recordFinal(io: Io, ws: Workspace, name: string, reopen: boolean): Promise<{ sequence: string; approved: string | undefined }> {
  const sequence = sequenceOf(ws, name);
  const decision = ws.project.decisions.sequences[sequence];
  if (!reopen && decision?.approved === undefined) {
    throw new CgFailure({ kind: 'not-approved', sequence });
  }
  await withProjectLock(io, ws.paths, `cg final ${sequence}`, { wait: true }, async () => {
    await updateDecisions(ws.paths.decisions, (decisions) => {
      decisions.sequences[sequence] = { ...decisions.sequences[sequence], final: !reopen };
    }, () => ws.faults('write:decisions'));
    await refreshSequences(io, ws);
  });
  return { sequence, approved: decision?.approved };
}

/** Freezes an approved sequence (later plan edits warn and do not spend), or reopens it. */
export async function finalCommand(io: Io, args: FinalArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project);
  const { sequence, approved } = await recordFinal(io, ws, args.sequence, args.reopen);
  io.stdout.write(args.reopen ? `${sequence}: reopened; plan edits rebuild it again.\n` : `${sequence}: final (${approved ?? ''}); plan edits to it now warn and do not spend.\n`);
  return 0;
}
