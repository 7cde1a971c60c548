import { costJson, costText } from '../../reporters/cost.ts';
import { readCosts } from '../../state/cost-ledger.ts';
import type { ExitCode } from '../../util/errors.ts';
import type { Io } from '../io.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, resolveTargets } from '../workspace.ts';

export interface CostArgs {
  project: string | undefined;
  sequences: string[];
  json: boolean;
}

/** The cost ledger summed by sequence, provider and day, beside the estimates, and what is still to build. */
export async function costCommand(io: Io, args: CostArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project, { readOnly: true });
  const targets = resolveTargets(ws.graph, args.sequences);
  const wanted = new Set(args.sequences.map((s) => s.toUpperCase()));
  const events = (await readCosts(ws.paths.costs)).filter((event) => wanted.size === 0 || wanted.has(event.sequence));
  const { plan } = await planOnly(io, ws, targets);
  const input = { project: ws.paths.name, events, pendingEstimateUsd: plan.estimateUsd, priceDates: plan.priceDates };
  io.stdout.write(args.json ? costJson(input) : costText(input));
  return 0;
}
