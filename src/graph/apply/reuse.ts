import type { ActionResult } from '../../cache/action-cache.ts';
import type { NodeDecision, Outcome } from '../decide.ts';
import { isPaid, type GraphNode, type GridNode, type VideoNode } from '../nodes.ts';
import { restoreBlob, restoreOutput } from '../restore.ts';
import type { BuildRun } from './context.ts';
import { frameFile, newTake, nextCutFile, paidCalls } from './paid.ts';

/** The take and file of a reused result: from the last build, the journal (reconciled), or the frame's name. */
async function placeOf(run: BuildRun, node: GraphNode, decision: NodeDecision, cached: ActionResult): Promise<{ takeId: string | null; output: string | null }> {
  const { stores } = run.ctx;
  const last = await stores.built.get(node.id);
  if (last !== undefined && last.key === decision.key && last.output !== null) return { takeId: last.takeId, output: last.output };
  if (isPaid(node)) {
    const take = await stores.journal.reconcile(newTake(node, decision), { blob: cached.output.hash, costUsd: cached.costUsd, requestId: cached.requestId, extension: cached.output.extension });
    // Not known from the last build: one may have stopped before its ledger line or its cleanup.
    if (cached.costUsd > 0) await run.ctx.onPaid(paidCalls(node, cached.key, take.takeId, cached));
    await stores.landing.delete(cached.key);
    return { takeId: take.takeId, output: take.output };
  }
  if (node.kind === 'cut') return { takeId: null, output: await nextCutFile(node, stores.files) };
  return { takeId: null, output: node.kind === 'frame' ? frameFile(node, decision.material) : null };
}

/**
 * Makes a reused result whole where a person looks for it: its take in the record, its file
 * under takes/ holding the right bytes. Undefined when a free result has no good copy left
 * (run it again); a paid one with no good copy fails, never silently paid for again.
 */
export async function reuseResult(run: BuildRun, node: GraphNode, decision: NodeDecision, cached: ActionResult): Promise<Outcome | undefined> {
  const { stores } = run.ctx;
  const { takeId, output } = await placeOf(run, node, decision, cached);
  if (output !== null) {
    const recordId = isPaid(node) ? node.recordId : undefined;
    const resultUrl = async (): Promise<string | null> => (recordId === undefined ? null : ((await stores.journal.find(recordId, cached.key))?.resultUrl ?? null));
    const restored = await restoreOutput({ relative: output, output: cached.output, costUsd: cached.costUsd, resultUrl }, stores.blobs, stores.files, run.ctx.refetch);
    if (!restored.ok && restored.paid) return run.fail(node, { kind: 'lost', label: takeId ?? node.id, costUsd: cached.costUsd, output, sequence: node.sequence }, { takeId, output });
    if (!restored.ok) {
      await stores.actions.delete(cached.key);
      return undefined;
    }
    if (restored.note !== undefined) run.ctx.emit({ type: 'warning', nodeId: node.id, message: `${node.id}: ${restored.note}` });
  }
  if (decision.key !== undefined) await stores.built.set(node.id, { key: decision.key, takeId, output });
  run.report(node, { action: 'reuse', reason: decision.reason, takeId, output });
  run.ctx.emit({ type: 'reused', nodeId: node.id, takeId, output });
  return { state: 'done', output: cached.output.hash };
}

/**
 * A paid result the planner found in its take's record though the action cache lost it: put
 * back in the cache, its stored copy put back from the take's file if that is the copy left,
 * then reused like any other. Never paid for again.
 */
export async function reuseRecorded(run: BuildRun, node: GridNode | VideoNode, decision: NodeDecision, cached: ActionResult): Promise<Outcome | undefined> {
  const { stores } = run.ctx;
  const { hash, size } = cached.output;
  if (!(await stores.blobs.has(hash, size))) {
    const take = await stores.journal.find(node.recordId, cached.key);
    if (take !== undefined) await restoreBlob(take.output, hash, stores.blobs, stores.files);
  }
  await stores.actions.put(cached, decision.material);
  run.ctx.emit({ type: 'warning', nodeId: node.id, message: `${node.id}: the action cache had lost this result; put back from its take's record (no new call)` });
  return reuseResult(run, node, decision, cached);
}
