import { actionCounts, type NodeReport } from '../graph/events.ts';
import { waitsForPick } from '../graph/reasons.ts';
import { longList, plural, seconds, summarized, usd } from './format.ts';
import { pickCommand, reasonText } from './reasons.ts';

export interface PlanTextInput {
  project: string;
  nodes: readonly NodeReport[];
  estimateUsd: number;
  /** The dates of the price-table entries used. */
  priceDates: readonly string[];
  /** Both providers are `sim`: the estimate is what the same build would cost for real. */
  simOnly: boolean;
}

/** `cg build --dry-run`: every node that would run or wait, with why and what it would cost. */
export function planText(input: PlanTextInput): string {
  const lines = [`Dry run of ${input.project}: nothing is run or written.`];
  const shown = input.nodes.filter((node) => node.action !== 'reuse');
  const width = Math.max(0, ...shown.map((node) => node.id.length));
  for (const node of shown) {
    const cost = node.action === 'run' && node.estimateUsd > 0 ? `  ${usd(node.estimateUsd)}` : '';
    lines.push(`  ${node.action.padEnd(7)} ${node.id.padEnd(width)}  ${reasonText(node.reason)}${cost}`);
  }
  const count = actionCounts(input.nodes);
  const free = input.simOnly ? ' (the sim provider is free; this is what the same build costs for real)' : '';
  lines.push(`Would run ${plural(count.run, 'node')}, reuse ${count.reuse}, ${count.blocked} waiting. Estimated ${usd(input.estimateUsd)} at the prices of ${input.priceDates.join(' and ')}${free}.`);
  return `${lines.join('\n')}\n`;
}

export interface SummaryInput {
  nodes: readonly NodeReport[];
  totalCostUsd: number;
  interrupted: boolean;
  elapsedMs: number;
}

/** The last lines of `cg build`: what ran, what it cost, and which grids wait for a pick. */
export function summaryText(input: SummaryInput): string {
  const { nodes } = input;
  // One pass over the report (a line per node: 26,000 at 10,000 sequences).
  const count = actionCounts(nodes);
  const waitingPicks: NodeReport[] = [];
  let atReal = 0;
  let cutFile: string | null | undefined;
  for (const node of nodes) {
    if (node.action === 'run') atReal += node.estimateUsd;
    else if (node.action === 'blocked' && node.kind === 'frame' && waitsForPick(node.reason)) waitingPicks.push(node);
    if (cutFile === undefined && node.kind === 'cut' && node.action !== 'failed') cutFile = node.output;
  }
  const cut = cutFile == null ? '' : `The cut on the song: ${cutFile}\n`;
  if (count.run === 0 && count.failed === 0 && !input.interrupted) {
    const waiting = count.blocked === 0 ? '' : ` (${count.blocked} waiting: ${waitingPicks.length > 0 ? `${plural(waitingPicks.length, 'grid')} to pick from, ` : ''}see cg status)`;
    return `Nothing to build: ${plural(count.reuse, 'node')} up to date${waiting}.\n${cut}`;
  }
  const spent = `Spent ${usd(input.totalCostUsd)}${input.totalCostUsd === 0 && atReal > 0 ? ` (${usd(atReal)} at real prices)` : ''}.`;
  const lines = [`Built ${plural(count.run, 'node')} in ${seconds(input.elapsedMs)}, reused ${count.reuse}, ${count.blocked} waiting, ${count.failed} failed. ${spent}`];
  if (waitingPicks.length > longList) {
    lines.push(summarized(waitingPicks.map((node) => node.sequence), 'wait for a pick', 'cg status lists them'));
    return `${lines.join('\n')}\n${cut}`;
  }
  const grids = new Map(nodes.filter((node) => node.kind === 'grid').map((node) => [node.sequence, node.output]));
  for (const node of waitingPicks) {
    if (!waitsForPick(node.reason)) continue;
    const grid = grids.get(node.sequence);
    lines.push(`  ${node.sequence}: ${grid == null ? '' : `look at ${grid}, then `}${pickCommand(node.sequence, node.reason.cells)}`);
  }
  return `${lines.join('\n')}\n${cut}`;
}
