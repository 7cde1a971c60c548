import { waitsForPick } from '../../graph/reasons.ts';
import { cutFacts } from '../../graph/cut-facts.ts';
import { timingWarningText } from '../../reporters/cut.ts';
import { statusJson, statusText } from '../../reporters/status.ts';
import type { ExitCode } from '../../util/errors.ts';
import { deriveState } from '../derived.ts';
import type { Io } from '../io.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, resolveTargets } from '../workspace.ts';

export interface StatusArgs {
  project: string | undefined;
  sequences: string[];
  json: boolean;
}

/** Derives and shows where every sequence stands; rewrites state/client/sequences.json. */
export async function statusCommand(io: Io, args: StatusArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project);
  resolveTargets(ws.graph, args.sequences); // unknown names are an error before anything is written
  const { plan, nodes, facts } = await planOnly(io, ws, ws.graph.order);
  const document = await deriveState(ws, nodes, false);
  const wanted = new Set(args.sequences.map((s) => s.toUpperCase()));
  const sequences = document.sequences.filter((s) => wanted.size === 0 || wanted.has(s.id));
  const shown = new Set(sequences.map((s) => s.id));
  const waiting = nodes.filter((node) => node.kind === 'frame' && shown.has(node.sequence) && waitsForPick(node.reason));
  const timing = ws.graph.timing.map(timingWarningText);
  const input = { project: document.project, sequences, toRun: nodes.filter((node) => node.action === 'run').length, estimateUsd: plan.estimateUsd, waiting, cut: await cutFacts(ws.graph, plan, facts), timing };
  io.stdout.write(args.json ? statusJson(input) : statusText(input));
  return 0;
}
