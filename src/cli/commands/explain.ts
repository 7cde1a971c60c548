import { describeChange } from '../../graph/diff.ts';
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
  const report = await planOnly(io, ws, resolveTargets(ws.graph, args.targets));
  if (args.json) {
    const nodes = report.nodes.map((node) => ({ id: node.id, action: node.action, reason: node.reason, changes: node.changes, estimateUsd: node.estimateUsd }));
    io.stdout.write(`${JSON.stringify({ nodes }, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const node of report.nodes) {
    const verdict = node.action === 'reuse' ? 'up to date' : node.action === 'run' ? 'would rebuild' : 'waiting';
    lines.push(`${node.id}: ${verdict}${node.reason === 'up to date' ? '' : ` — ${node.reason}`}`);
    for (const change of node.changes) lines.push(`    ${describeChange(change)}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
