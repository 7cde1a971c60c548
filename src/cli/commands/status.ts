import { waitsForPick } from '../../graph/reasons.ts';
import { cutFacts } from '../../graph/cut-facts.ts';
import { relative } from 'node:path';
import type { PlanFacts, PlannedReport } from '../../graph/plan.ts';
import { ReadLog } from '../../graph/read-log.ts';
import { timingWarningText } from '../../reporters/cut.ts';
import { statusJson, statusText, type StatusInput } from '../../reporters/status.ts';
import { readSequencesDocument } from '../../state/sequences-file.ts';
import type { ExitCode } from '../../util/errors.ts';
import { deriveState } from '../derived.ts';
import type { Io } from '../io.ts';
import { tryProjectLock } from '../lock.ts';
import { inputChecks, readsPlan } from '../noop-memo.ts';
import { planOnly } from '../plan-only.ts';
import { openConfig, resolveProject } from '../project.ts';
import { openStatusMemo, rememberStatus } from '../status-memo.ts';
import { openWorkspace, resolveTargets, type Workspace } from '../workspace.ts';

export interface StatusArgs {
  project: string | undefined;
  sequences: string[];
  json: boolean;
}

type Status = StatusInput & { nodes: PlannedReport[]; waiting: PlannedReport[] };

/** Derives where every sequence (or the named ones) stands, rewriting state/client/sequences.json as `cg status` does. */
export async function statusOf(io: Io, ws: Workspace, names: readonly string[], log?: ReadLog): Promise<Status> {
  resolveTargets(ws.graph, names); // unknown names are an error before anything is written
  const { plan, nodes, facts } = await planOnly(io, ws, ws.graph.order, new Set(), log);
  const document = await deriveState(ws, nodes, false);
  const wanted = new Set(names.map((s) => s.toUpperCase()));
  const sequences = document.sequences.filter((s) => wanted.size === 0 || wanted.has(s.id));
  const shown = new Set(sequences.map((s) => s.id));
  const waiting = nodes.filter((node) => node.kind === 'frame' && shown.has(node.sequence) && waitsForPick(node.reason));
  const timing = ws.graph.timing.map(timingWarningText);
  const cut = await cutFacts(ws.graph, plan, log === undefined ? facts : checkedMaterial(facts, ws, log));
  return { project: document.project, sequences, toRun: nodes.filter((node) => node.action === 'run').length, estimateUsd: plan.estimateUsd, waiting, nodes, cut, timing };
}

/**
 * The facts the cut's state is read with: what its segments were made from (their key material)
 * is noted as a file the status depends on, by content, so that a memo is never shown for
 * material since lost or damaged.
 */
function checkedMaterial(facts: PlanFacts, ws: Workspace, log: ReadLog): PlanFacts {
  return {
    ...facts,
    material: async (key) => {
      const path = relative(ws.paths.dir, ws.actions.materialFile(key));
      const hash = await ws.statCache.hashIfPresent(path);
      if (hash === undefined) log.incomplete();
      else log.files.set(path, hash);
      return ws.actions.material(key);
    },
  };
}

/**
 * Derives and shows where every sequence stands; rewrites state/client/sequences.json. A status
 * of the whole project is shown from its memo (status-memo.ts) when nothing changed since the
 * last one, unless another command holds the project lock (a build running: it is then derived).
 */
export async function statusCommand(io: Io, args: StatusArgs): Promise<ExitCode> {
  const show = (input: StatusInput): ExitCode => {
    io.stdout.write(args.json ? statusJson(input) : statusText(input));
    return 0;
  };
  if (args.sequences.length > 0) return show(await statusOf(io, await openWorkspace(io, args.project), args.sequences));
  const config = await openConfig(io);
  const project = await resolveProject(config, args.project);
  const release = await tryProjectLock(io, project.paths, 'cg status');
  if (release === undefined) return show(await statusOf(io, await openWorkspace(io, args.project, { config }), []));
  try {
    const memo = await openStatusMemo(io, project.paths, project.config);
    const document = memo.status === undefined ? undefined : await readSequencesDocument(project.paths.sequencesJson);
    if (memo.status !== undefined && document !== undefined) {
      io.codePaths.took('status:memo');
      await memo.stats.save();
      return show({ ...memo.status, project: document.project, sequences: document.sequences, toRun: 0 });
    }
    io.codePaths.leftEverydayPath();
    const inputs = await inputChecks(project.paths, memo.stats, readsPlan(memo.stats, project.paths));
    const ws = await openWorkspace(io, args.project, { config, statCache: memo.stats, plan: inputs?.takePlan });
    const log = new ReadLog();
    const status = await statusOf(io, ws, [], log);
    if (inputs !== undefined && status.toRun === 0) await rememberStatus(ws, memo, inputs, log, status);
    return show(status);
  } finally {
    await release();
  }
}
