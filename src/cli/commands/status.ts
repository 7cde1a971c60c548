import { waitsForPick } from '../../graph/reasons.ts';
import { cutFacts } from '../../graph/cut-facts.ts';
import { timingWarningText } from '../../reporters/cut.ts';
import type { NodeReport } from '../../graph/events.ts';
import { statusJson, statusText, type StatusInput } from '../../reporters/status.ts';
import type { ExitCode } from '../../util/errors.ts';
import { deriveState } from '../derived.ts';
import type { Io } from '../io.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, resolveTargets, type Workspace } from '../workspace.ts';

export interface StatusArgs {
  project: string | undefined;
  sequences: string[];
  json: boolean;
}

/** Derives where every sequence (or the named ones) stands, rewriting state/client/sequences.json as `cg status` does. */
export async function statusOf(io: Io, ws: Workspace, names: readonly string[]): Promise<StatusInput & { nodes: NodeReport[] }> {
  resolveTargets(ws.graph, names); // unknown names are an error before anything is written
  const { plan, nodes, facts } = await planOnly(io, ws, ws.graph.order);
  const document = await deriveState(ws, nodes, false);
  const wanted = new Set(names.map((s) => s.toUpperCase()));
  const sequences = document.sequences.filter((s) => wanted.size === 0 || wanted.has(s.id));
  const shown = new Set(sequences.map((s) => s.id));
  const waiting = nodes.filter((node) => node.kind === 'frame' && shown.has(node.sequence) && waitsForPick(node.reason));
  const timing = ws.graph.timing.map(timingWarningText);
  return { project: document.project, sequences, toRun: nodes.filter((node) => node.action === 'run').length, estimateUsd: plan.estimateUsd, waiting, nodes, cut: await cutFacts(ws.graph, plan, facts), timing };
}

/** Derives and shows where every sequence stands; rewrites state/client/sequences.json. */
export async function statusCommand(io: Io, args: StatusArgs): Promise<ExitCode> {
  const input = await statusOf(io, await openWorkspace(io, args.project), args.sequences);
  io.stdout.write(args.json ? statusJson(input) : statusText(input));
  return 0;
}
