import type { ExitCode } from '../../util/errors.ts';
import { sequenceFacts, writeSequences } from '../derived.ts';
import { table, usd } from '../format.ts';
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
  const report = await planOnly(io, ws, ws.graph.order);
  const document = await writeSequences(ws, sequenceFacts(ws, report.nodes, false));
  const wanted = new Set(args.sequences.map((s) => s.toUpperCase()));
  const sequences = document.sequences.filter((s) => wanted.size === 0 || wanted.has(s.id));
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ project: document.project, sequences }, null, 2)}\n`);
    return 0;
  }
  const rows = sequences.map((s) => [
    s.id,
    s.time === null ? s.section : `${s.section} ${s.time.start}–${s.time.end}`,
    s.stale ? `${s.state} (plan changed)` : s.state,
    String(s.takes),
    s.currentTakes.length === 0 ? '—' : s.currentTakes.length === 1 ? (s.currentTakes[0] ?? '') : `${s.currentTakes.length} shots`,
    usd(s.spentUsd),
  ]);
  io.stdout.write(`${table(['sequence', 'song section', 'state', 'takes', 'current take', 'spent'], rows)}\n`);
  const toRun = report.nodes.filter((node) => node.action === 'run');
  const spent = sequences.reduce((sum, s) => sum + s.spentUsd, 0);
  io.stdout.write(`\n${ws.paths.name}: spent ${usd(spent)}; ${toRun.length === 0 ? 'everything buildable is up to date' : `${toRun.length} nodes to build (${usd(report.estimateUsd)}): cg build --dry-run says which`}.\n`);
  return 0;
}
