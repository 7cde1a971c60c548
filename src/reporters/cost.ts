import type { CostEvent } from '../state/cost-ledger.ts';
import { table, usd } from './format.ts';
import { round } from './json.ts';

type Sums = Map<string, { usd: number; estimateUsd: number; calls: number }>;

function sumBy(events: readonly CostEvent[], key: (event: CostEvent) => string): Sums {
  const out: Sums = new Map();
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

export interface CostInput {
  project: string;
  events: readonly CostEvent[];
  /** What the nodes still to build would cost. */
  pendingEstimateUsd: number;
  /** The dates of the price-table entries the estimate used, oldest first. */
  priceDates: readonly string[];
}

function views(events: readonly CostEvent[]): Array<[title: string, json: string, sums: Sums]> {
  return [
    ['sequence', 'bySequence', sumBy(events, (e) => e.sequence)],
    ['provider / model', 'byProvider', sumBy(events, (e) => `${e.provider} ${e.model}`)],
    ['day', 'byDay', sumBy(events, (e) => e.at.slice(0, 10))],
  ];
}

/** `cg cost --json`. */
export function costJson(input: CostInput): string {
  const total = input.events.reduce((sum, event) => sum + event.usd, 0);
  const asObject = (sums: Sums): Record<string, unknown> => Object.fromEntries([...sums].map(([k, v]) => [k, { usd: round(v.usd), estimateUsd: round(v.estimateUsd), calls: v.calls }]));
  const by = Object.fromEntries(views(input.events).map(([, name, sums]) => [name, asObject(sums)]));
  return `${JSON.stringify({ totalUsd: round(total), ...by, pendingEstimateUsd: round(input.pendingEstimateUsd), priceDate: input.priceDates[0] ?? null, priceDates: input.priceDates }, null, 2)}\n`;
}

/** `cg cost`: the ledger by sequence, provider and day beside the estimates, and what is still to build. */
export function costText(input: CostInput): string {
  let out = '';
  if (input.events.length === 0) out += `No paid calls recorded for ${input.project} yet (the sim provider is free).\n`;
  else {
    for (const [title, , sums] of views(input.events)) {
      const rows = [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, String(v.calls), usd(v.usd), usd(v.estimateUsd)]);
      out += `${table([title, 'calls', 'spent', 'estimated'], rows)}\n\n`;
    }
    out += `Spent ${usd(input.events.reduce((sum, event) => sum + event.usd, 0))} in all.\n`;
  }
  return `${out}Still to build: ${usd(input.pendingEstimateUsd)} at the prices of ${input.priceDates.join(' and ')} (cg build --dry-run lists the nodes).\n`;
}
