import { explainJson, explainText } from '../../reporters/explain.ts';
import type { ExitCode } from '../../util/errors.ts';
import { CgFailure } from '../../util/errors.ts';
import type { Io } from '../io.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, resolveTargets } from '../workspace.ts';

export interface ExplainArgs {
  project: string | undefined;
  targets: string[];
  json: boolean;
}

/** For each node: up to date, or what it waits for, or which input changed (old value → new). */
export async function explainCommand(io: Io, args: ExplainArgs): Promise<ExitCode> {
  if (args.targets.length === 0) throw new CgFailure({ kind: 'usage', message: 'name a sequence to explain, e.g. cg explain SEQ08' });
  const ws = await openWorkspace(io, args.project, { readOnly: true });
  const { nodes } = await planOnly(io, ws, resolveTargets(ws.graph, args.targets));
  io.stdout.write(args.json ? explainJson(nodes) : explainText(nodes));
  return 0;
}
