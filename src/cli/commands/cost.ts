import { readCosts, type CostEvent } from '../../state/cost-ledger.ts';
import type { ExitCode } from '../../util/errors.ts';
import { table, usd } from '../format.ts';
import type { Io } from '../io.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, resolveTargets } from '../workspace.ts';
import { round } from '../reporter.ts';

export interface CostArgs {
  project: string | undefined;
  sequences: string[];
  json: boolean;
}

function sumBy(events: readonly CostEvent[], key: (event: CostEvent) => string): Map<string, { usd: number; estimateUsd: number; calls: number }> {
  const out = new Map<string, { usd: number; estimateUsd: number; calls: number }>();
  const estimated = new Set<string>();
  for (const event of events) {
    const k = key(event);
    const row = out.get(k) ?? { usd: 0, estimateUsd: 0, calls: 0 };
    row.usd += event.usd;
    row.calls += 1;
    // A node's estimate counts once per take, however many calls it made.
    const once = `${k}|${event.node}|${event.takeId ?? ''}`;
    if (!estimated.has(once)) {
      estimated.add(once);
      row.estimateUsd += event.estimateUsd;
    }
    out.set(k, row);
  }
  return out;
}

/** The cost ledger summed by sequence, provider and day, beside the estimates, and what is still to build. */
export async function costCommand(io: Io, args: CostArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project, { readOnly: true });
  const targets = resolveTargets(ws.graph, args.sequences);
  const wanted = new Set(args.sequences.map((s) => s.toUpperCase()));
  const events = (await readCosts(ws.paths.costs)).filter((event) => wanted.size === 0 || wanted.has(event.sequence));
  const pending = await planOnly(io, ws, targets);
  const total = events.reduce((sum, event) => sum + event.usd, 0);
  const views = { sequence: sumBy(events, (e) => e.sequence), provider: sumBy(events, (e) => `${e.provider} ${e.model}`), day: sumBy(events, (e) => e.at.slice(0, 10)) };
  if (args.json) {
    const asObject = (map: ReturnType<typeof sumBy>): Record<string, unknown> =>
      Object.fromEntries([...map].map(([k, v]) => [k, { usd: round(v.usd), estimateUsd: round(v.estimateUsd), calls: v.calls }]));
    io.stdout.write(
      `${JSON.stringify({ totalUsd: round(total), bySequence: asObject(views.sequence), byProvider: asObject(views.provider), byDay: asObject(views.day), pendingEstimateUsd: round(pending.estimateUsd), priceDate: ws.projectConfig.prices.date }, null, 2)}\n`,
    );
    return 0;
  }
  if (events.length === 0) {
    io.stdout.write(`No paid calls recorded for ${ws.paths.name} yet (the sim provider is free).\n`);
  } else {
    for (const [title, map] of [['sequence', views.sequence], ['provider / model', views.provider], ['day', views.day]] as const) {
      const rows = [...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, String(v.calls), usd(v.usd), usd(v.estimateUsd)]);
      io.stdout.write(`${table([title, 'calls', 'spent', 'estimated'], rows)}\n\n`);
    }
    io.stdout.write(`Spent ${usd(total)} in all.\n`);
  }
  io.stdout.write(`Still to build: ${usd(pending.estimateUsd)} at the prices of ${ws.projectConfig.prices.date} (cg build --dry-run lists the nodes).\n`);
  return 0;
}
