import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isPaid } from '../../graph/nodes.ts';
import { loadProject } from '../../plan/load-project.ts';
import { editShots, type ShotEdit } from '../../plan/plan-edit.ts';
import { displayPath } from '../../plan/project-paths.ts';
import { takesJson, takesText, useText, type UseInput } from '../../reporters/takes.ts';
import type { ShotPrompt } from '../../cache/take-journal.ts';
import { takeHistory, type HistoryEntry } from '../../state/take-history.ts';
import { isComplete } from '../../state/take-status.ts';
import { writeFileAtomic } from '../../util/atomic-fs.ts';
import { CgFailure, type ExitCode, type UnusableTake } from '../../util/errors.ts';
import type { NodeKey } from '../../util/hash.ts';
import { deriveState } from '../derived.ts';
import type { Io } from '../io.ts';
import { withProjectLock } from '../lock.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, type Workspace } from '../workspace.ts';

export interface TakesArgs {
  project: string | undefined;
  sequence: string;
  /** `N:TAKE` or `all:TAKE`: write that take's shot(s) back into plan.json. */
  use: string | undefined;
  json: boolean;
}

function sequenceOf(ws: Workspace, name: string): string {
  const id = name.toUpperCase();
  if (!ws.graph.bySequence.has(id)) throw new CgFailure({ kind: 'unknown-sequence', sequences: [name], available: [...ws.graph.bySequence.keys()] });
  return id;
}

/** Lists every take of a sequence with its state and per-shot prompt history; or, with --use, writes one back. */
export async function takesCommand(io: Io, args: TakesArgs): Promise<ExitCode> {
  if (args.use !== undefined && args.json) {
    throw new CgFailure({ kind: 'usage', message: '--use prints what the next build would do; it has no --json form (cg build --dry-run --json has)' });
  }
  const ws = await openWorkspace(io, args.project, { readOnly: true });
  const sequence = sequenceOf(ws, args.sequence);
  if (args.use !== undefined) {
    io.stdout.write(useText(await useTakeShots(io, ws, sequence, args.use)));
    return 0;
  }
  const takes = await takeEntries(io, ws, sequence);
  io.stdout.write(args.json ? takesJson({ sequence, takes }) : takesText({ sequence, takes }));
  return 0;
}

/** Every take of a sequence, oldest first, with its state against today's plan and decisions. */
export async function takeEntries(io: Io, ws: Workspace, name: string): Promise<HistoryEntry[]> {
  const sequence = sequenceOf(ws, name);
  const { nodes } = await planOnly(io, ws, ws.graph.bySequence.get(sequence) ?? []);
  // A take is current when its node would reuse exactly its key under today's plan.
  const currentKeys = new Map<string, NodeKey>();
  for (const report of nodes) {
    const node = ws.graph.nodes.get(report.id);
    if (report.action === 'reuse' && report.key !== undefined && node !== undefined && isPaid(node)) currentKeys.set(node.recordId, report.key);
  }
  const decision = ws.project.decisions.sequences[sequence];
  return takeHistory({ sequence, records: (await ws.records()).values(), approved: decision?.approved, rejected: decision?.rejected ?? [], currentKeys });
}

/** `3:SEQ08_take002` or `all:SEQ08_take002`. */
function parseUse(spec: string): { shot: number | 'all'; take: string } {
  const match = /^(all|\d+):(\S+)$/i.exec(spec.trim());
  const [, shot, take] = match ?? [];
  if (shot === undefined || take === undefined || shot === '0') {
    throw new CgFailure({ kind: 'usage', message: `--use takes SHOT:TAKE, e.g. --use 3:SEQ08_take002 (shot 3 of that take) or --use all:SEQ08_take002; got "${spec}"` });
  }
  return { shot: shot.toLowerCase() === 'all' ? 'all' : Number(shot), take };
}

/** The take a --use names (as it is spelled), and the shots of it to write back; refusals name the reason. */
async function chosenShots(ws: Workspace, sequence: string, shot: number | 'all', takeId: string): Promise<{ take: string; shots: ShotPrompt[] }> {
  const refuse = (problem: UnusableTake): never => {
    throw new CgFailure({ kind: 'unusable-take', sequence, take: takeId, problem });
  };
  const records = [...(await ws.records()).values()];
  const owner = records.find((record) => record.takes.some((take) => take.takeId.toUpperCase() === takeId.toUpperCase()));
  const take = owner?.takes.find((t) => t.takeId.toUpperCase() === takeId.toUpperCase());
  if (owner === undefined || take === undefined) {
    return refuse({ why: 'unknown', known: records.filter((r) => r.sequence === sequence).flatMap((r) => r.takes.filter((t) => isComplete(t.status)).map((t) => t.takeId)) });
  }
  if (owner.sequence !== sequence) return refuse({ why: 'other-sequence', owner: owner.sequence });
  if (!isComplete(take.status)) return refuse({ why: 'not-finished', status: take.status, error: take.error });
  if (take.shot_prompts.length === 0) return refuse({ why: 'no-prompts' });
  if (shot === 'all') return { take: take.takeId, shots: take.shot_prompts };
  const one = take.shot_prompts.find((s) => s.shot === shot);
  return one === undefined ? refuse({ why: 'no-shot', shot, shots: take.shot_prompts.map((s) => s.shot) }) : { take: take.takeId, shots: [one] };
}

/**
 * Loads the project as it would be with this plan text, without touching plan.json: the
 * candidate sits in the project's cache folder while the loader checks it, then goes.
 */
async function checkPlan(io: Io, ws: Workspace, text: string): Promise<void> {
  const candidate = join(ws.paths.cache, 'plan.candidate.json');
  await writeFileAtomic(candidate, text);
  try {
    const loaded = await loadProject({
      paths: { ...ws.paths, plan: candidate },
      config: ws.projectConfig,
      knownTakes: async () => new Set([...(await ws.records()).values()].flatMap((record) => record.takes.map((take) => take.takeId))),
      parsedCache: { file: undefined, tag: io.cacheTag, write: false },
    });
    if (!loaded.ok) {
      // The person knows the file as plan.json, not as the candidate it was checked under.
      const [from, to] = [displayPath(ws.paths, candidate), displayPath(ws.paths, ws.paths.plan)];
      throw new CgFailure(loaded.error.kind === 'input-invalid' ? { kind: 'input-invalid', issues: loaded.error.issues.map((issue) => (issue.file === from ? { ...issue, file: to } : issue)) } : loaded.error);
    }
  } finally {
    await rm(candidate, { force: true });
  }
}

/** `--use N:TAKE`: writes that take's shot(s) into plan.json under the lock; returns what was written and what the next build would do. */
export async function useTakeShots(io: Io, ws: Workspace, name: string, spec: string): Promise<UseInput> {
  const sequence = sequenceOf(ws, name);
  const { shot, take } = parseUse(spec);
  const { take: takeId, shots } = await chosenShots(ws, sequence, shot, take);
  const { edit, nodes } = await withProjectLock(io, ws.paths, `cg takes ${sequence} --use ${spec}`, { wait: true }, async () => {
    // Read under the lock: the plan may have changed since the workspace was opened.
    const result = editShots(await readFile(ws.paths.plan, 'utf8'), sequence, shots, shot === 'all');
    if (!result.ok) throw new CgFailure({ kind: 'unusable-take', sequence, take: takeId, problem: result.error });
    const done: ShotEdit = result.value;
    if (done.changed.length > 0) {
      await checkPlan(io, ws, done.text);
      await writeFileAtomic(ws.paths.plan, done.text);
    }
    const fresh = await openWorkspace(io, ws.paths.name);
    const planned = await planOnly(io, fresh, fresh.graph.order);
    await deriveState(fresh, planned.nodes, false);
    return { edit: done, nodes: planned.nodes.filter((node) => node.sequence === sequence) };
  });
  return { sequence, take: takeId, shots: shots.map((s) => s.shot), planFile: displayPath(ws.paths, ws.paths.plan), changed: edit.changed, nodes };
}
