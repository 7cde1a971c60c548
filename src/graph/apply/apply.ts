import { decideNode, type NodeDecision, type Outcome } from '../decide.ts';
import { isPaid, type GraphNode, type NodeId } from '../nodes.ts';
import { inputsSignature, type BuildPlan } from '../plan.ts';
import { walkGraph } from '../walk.ts';
import { BuildRun, type ApplyContext, type BuildReport } from './context.ts';
import { reuseRecorded, reuseResult } from './reuse.ts';
import { runNode } from './run-node.ts';
import { Scheduler } from './scheduler.ts';

/**
 * The node's decision now that its inputs are known: the plan's, unless what its dependencies
 * came to differs from what the plan assumed (a grid that ran, a frame cut), then decided again.
 */
async function decisionFor(run: BuildRun, plan: BuildPlan, node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>): Promise<NodeDecision> {
  const planned = plan.nodes.get(node.id);
  const decision = planned?.inputs === inputsSignature(node, deps) ? planned.decision : await decideNode(node, deps, run.ctx.facts);
  run.decisions.set(node.id, decision);
  return decision;
}

/**
 * Carries out a plan: reuses what it can (making files and records whole), runs the rest in
 * dependency order within the lanes' limits, and reports every node. Only `cg build` calls it.
 */
export async function applyPlan(plan: BuildPlan, ctx: ApplyContext): Promise<BuildReport> {
  const run = new BuildRun(ctx);
  const scheduler = new Scheduler({ ...ctx, accountStop: () => run.accountStop });
  await walkGraph(ctx.graph, plan.selected, async (node, deps) => {
    let decision = await decisionFor(run, plan, node, deps);
    if (decision.action === 'reuse' && decision.cached !== undefined) {
      const reused = decision.recovered && isPaid(node) ? await reuseRecorded(run, node, decision, decision.cached) : await reuseResult(run, node, decision, decision.cached);
      if (reused !== undefined) return reused;
      decision = { ...decision, action: 'run', reason: { kind: 'missing-or-corrupt' }, cached: undefined, recovered: false };
      run.decisions.set(node.id, decision);
    }
    if (decision.action === 'blocked') {
      run.report(node, { action: 'blocked', reason: decision.reason });
      return { state: 'blocked', reason: decision.reason };
    }
    const ready = decision;
    if (ready.key === undefined) throw new Error(`${node.id}: asked to run without a key`);
    run.report(node, { action: 'run', reason: ready.reason });
    const refused = (reason: NodeDecision['reason']): Outcome => {
      run.report(node, { action: 'blocked', reason });
      return { state: 'blocked', reason };
    };
    return scheduler.run(node, () => runNode(run, node, ready, deps, ctx.providers), refused, () => run.reports.get(node.id)?.costUsd ?? 0);
  });
  const nodes = plan.selected.flatMap((id) => run.reports.get(id) ?? []);
  const totalCostUsd = nodes.reduce((sum, node) => sum + node.costUsd, 0);
  const estimateUsd = nodes.filter((node) => node.action === 'run' || node.action === 'failed').reduce((sum, node) => sum + node.estimateUsd, 0);
  return { nodes, totalCostUsd, estimateUsd, interrupted: ctx.signal.aborted, failures: run.failures };
}
