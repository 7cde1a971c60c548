import { extname } from 'node:path';
import type { ActionResult } from '../../cache/action-cache.ts';
import { sniffImageType } from '../../steps/step-types.ts';
import type { NodeKey } from '../../util/hash.ts';
import type { NodeDecision, Outcome } from '../decide.ts';
import { isPaid, type GraphNode, type GridNode, type VideoNode } from '../nodes.ts';
import { restoreOutput } from '../restore.ts';
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
 * A paid result its take's record holds though the action cache lost it (a damaged or cut-short
 * index): put back in the cache from the record and a copy whose hash is the record's (the
 * stored one, else the take's file), and reused, never paid for again. Undefined when the
 * record has no such take, or no intact copy of it is left.
 */
export async function reuseRecorded(run: BuildRun, node: GridNode | VideoNode, decision: NodeDecision): Promise<Outcome | undefined> {
  const { stores } = run.ctx;
  const key = decision.key as NodeKey;
  const made = await stores.journal.made(node.recordId, key);
  if (made === undefined) return undefined;
  const stored = await stores.blobs.get(made.blob);
  const bytes = stored.ok ? stored.value : (await stores.files.matches(made.output, made.blob)) ? await stores.files.read(made.output) : undefined;
  if (bytes === undefined) return undefined;
  // The stored copy put back from the take's file (its hash is the record's).
  if (!stored.ok) await stores.blobs.put(bytes);
  const extension = extname(made.output).slice(1);
  const mimeType = node.kind === 'grid' ? sniffImageType(bytes) : 'video/mp4';
  const cached: ActionResult = {
    key,
    nodeId: node.id,
    kind: node.kind,
    output: { hash: made.blob, size: bytes.byteLength, mimeType, extension },
    provider: made.provider,
    model: made.model,
    costUsd: made.costUsd,
    estimateUsd: node.estimateUsd,
    requestId: made.requestId,
    createdAt: made.createdAt,
    durationMs: 0,
  };
  await stores.actions.put(cached, decision.material);
  return reuseResult(run, node, decision, cached);
}
