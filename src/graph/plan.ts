import type { BuiltEntry } from '../cache/built-index.ts';
import type { OutputFiles } from '../cache/output-files.ts';
import type { FoundTake } from '../cache/take-journal.ts';
import type { NodeKey } from '../util/hash.ts';
import { decideNode, predictableOutput, type Action, type NodeDecision, type Outcome, type PlanningContext } from './decide.ts';
import type { NodeReport } from './events.ts';
import { isPaid, type Graph, type GraphNode, type NodeId } from './nodes.ts';
import { selectNodes, walkGraph } from './walk.ts';

/**
 * Everything the planner may read, and nothing it could write or spend with: no provider, no
 * journal writes, no blob writes. --dry-run, status, explain, pick and cost see only this.
 */
export interface PlanFacts extends PlanningContext {
  built: { get(nodeId: NodeId): Promise<BuiltEntry | undefined> };
  takes: { find(recordId: string, key: NodeKey): Promise<FoundTake | undefined> };
  files: Pick<OutputFiles, 'matches'>;
}

export interface PlannedNode {
  node: GraphNode;
  /** What the node's dependencies came to, as a string: equal strings, equal decision. */
  inputs: string;
  decision: NodeDecision;
  /** For a reused paid node: the take and file that hold its result. */
  takeId: string | null;
  output: string | null;
  /** Reused, and its file and record are as the last build left them (nothing to repair). */
  intact: boolean;
}

export interface BuildPlan {
  /** The targets and everything they depend on, in dependency order. */
  selected: readonly NodeId[];
  nodes: ReadonlyMap<NodeId, PlannedNode>;
  /** What the nodes that would run cost at real prices. */
  estimateUsd: number;
  /** Nothing would run and every reused result is on disk as recorded: a build has nothing to do. */
  settled: boolean;
  /** The dates of the price-table entries the estimate used (of every selected paid node when nothing runs). */
  priceDates: string[];
}

export function inputsSignature(node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>): string {
  return node.deps
    .map((id) => {
      const outcome = deps.get(id);
      if (outcome === undefined) return '?';
      return outcome.state === 'done' || outcome.state === 'pending' ? `${outcome.state}:${outcome.output ?? ''}` : outcome.state;
    })
    .join('|');
}

/** Where a reused node's result is known to be, and whether it is intact there. */
async function locate(node: GraphNode, decision: NodeDecision, facts: PlanFacts): Promise<Pick<PlannedNode, 'takeId' | 'output' | 'intact'>> {
  const cached = decision.cached;
  const last = decision.key === undefined ? undefined : await facts.built.get(node.id);
  const known = last !== undefined && last.key === decision.key && last.output !== null ? last : undefined;
  const found = known ?? (isPaid(node) && decision.key !== undefined ? await facts.takes.find(node.recordId, decision.key) : undefined);
  // A take or frame was last built with this very key, and its file still holds those bytes;
  // a result put back from its record is never intact (the action cache needs it again).
  const needsFile = isPaid(node) || node.kind === 'frame' || node.kind === 'cut';
  const intact = decision.recovered ? false : !needsFile || (known !== undefined && cached !== undefined && (await facts.files.matches(known.output ?? '', cached.output.hash)));
  const output = isPaid(node) ? (found?.output ?? null) : node.kind === 'cut' ? (known?.output ?? null) : null;
  return { takeId: isPaid(node) ? (found?.takeId ?? null) : null, output, intact };
}

/**
 * Decides every selected node: reuse, run (with its estimate) or blocked, each with a typed
 * reason. Reads only through `facts`; a node that would run passes a pending output on.
 */
export async function planBuild(graph: Graph, targets: readonly NodeId[], facts: PlanFacts): Promise<BuildPlan> {
  const selected = selectNodes(graph, targets);
  const nodes = new Map<NodeId, PlannedNode>();
  await walkGraph(graph, selected, async (node, deps): Promise<Outcome> => {
    const inputs = inputsSignature(node, deps);
    const decision = await decideNode(node, deps, facts);
    const place = decision.action === 'reuse' ? await locate(node, decision, facts) : { takeId: null, output: null, intact: false };
    nodes.set(node.id, { node, inputs, decision, ...place });
    if (decision.action === 'reuse' && decision.cached !== undefined) return { state: 'done', output: decision.cached.output.hash };
    if (decision.action === 'blocked') return { state: 'blocked', reason: decision.reason };
    return { state: 'pending', output: predictableOutput(node) };
  });
  const planned = selected.flatMap((id) => nodes.get(id) ?? []);
  const estimateUsd = planned.filter((p) => p.decision.action === 'run').reduce((sum, p) => sum + p.node.estimateUsd, 0);
  const settled = planned.every((p) => p.decision.action === 'blocked' || (p.decision.action === 'reuse' && p.intact));
  const paid = planned.map((p) => p.node).filter(isPaid);
  const running = paid.filter((node) => nodes.get(node.id)?.decision.action === 'run');
  const priceDates = [...new Set((running.length > 0 ? running : paid).map((node) => node.priceDate))].sort();
  return { selected, nodes, estimateUsd, settled, priceDates };
}

/** One report line, with what the decision knows filled in. */
export function nodeReport<A extends NodeReport['action']>(node: GraphNode, decision: NodeDecision | undefined, fields: Partial<NodeReport> & Pick<NodeReport, 'reason'> & { action: A }): NodeReport & { action: A } {
  return {
    id: node.id,
    kind: node.kind,
    sequence: node.sequence,
    costUsd: 0,
    estimateUsd: node.estimateUsd,
    takeId: null,
    output: null,
    key: decision?.key,
    outputHash: decision?.cached?.output.hash,
    changes: decision?.changes ?? [],
    ...fields,
  };
}

/** A report line of a plan: its node will run, be reused, or wait. */
export type PlannedReport = NodeReport & { action: Action };

/** The plan as report lines: what would run (priced at its estimate), be reused, or wait. */
export function planReports(plan: BuildPlan): PlannedReport[] {
  return plan.selected.flatMap((id) => {
    const planned = plan.nodes.get(id);
    if (planned === undefined) return [];
    const { node, decision } = planned;
    const costUsd = decision.action === 'run' ? node.estimateUsd : 0;
    return [nodeReport(node, decision, { action: decision.action, reason: decision.reason, costUsd, takeId: planned.takeId, output: planned.output })];
  });
}

