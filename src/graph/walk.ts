import type { Outcome } from './decide.ts';
import type { Graph, GraphNode, NodeId } from './nodes.ts';

/** The nodes a command touches: the targets and everything they depend on, in dependency order. */
export function selectNodes(graph: Graph, targets: readonly NodeId[]): NodeId[] {
  const wanted = new Set<NodeId>();
  const visit = (id: NodeId): void => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const dep of graph.nodes.get(id)?.deps ?? []) visit(dep);
  };
  targets.forEach(visit);
  return graph.order.filter((id) => wanted.has(id));
}

/**
 * Visits every selected node once its dependencies have settled, as many at
 * once as the visitor allows (it applies the concurrency limits).
 */
export async function walkGraph(
  graph: Graph,
  selected: readonly NodeId[],
  visit: (node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>) => Promise<Outcome>,
): Promise<Map<NodeId, Outcome>> {
  const outcomes = new Map<NodeId, Outcome>();
  const running = new Map<NodeId, Promise<Outcome>>();
  const start = (id: NodeId): Promise<Outcome> => {
    const existing = running.get(id);
    if (existing !== undefined) return existing;
    const node = graph.nodes.get(id);
    if (node === undefined) throw new Error(`unknown node ${id}`);
    const promise = (async () => {
      const deps = new Map<NodeId, Outcome>();
      for (const dep of node.deps) deps.set(dep, await start(dep));
      const outcome = await visit(node, deps);
      outcomes.set(id, outcome);
      return outcome;
    })();
    running.set(id, promise);
    return promise;
  };
  await Promise.all(selected.map(start));
  return outcomes;
}
