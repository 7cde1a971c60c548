import { join } from 'node:path';
import type { ActionResult } from '../../cache/action-cache.ts';
import type { StepFailure, StepOutput, StepResult } from '../../steps/step-types.ts';
import type { NodeKey } from '../../util/hash.ts';
import type { NodeDecision, Outcome } from '../decide.ts';
import { isPaid, type GraphNode, type NodeId } from '../nodes.ts';
import type { BuildRun, Providers } from './context.ts';
import { beginPaid, idleJournal, rememberVariant } from './journal-hooks.ts';
import { frameFile, nextCutFile, paidCalls } from './paid.ts';
import { repairInputs, runStep, type RunInput } from './runners.ts';

interface Started {
  key: NodeKey;
  takeId: string | null;
  at: Date;
  /** The result came from the landing store (an interrupted build received it). */
  landed: boolean;
  deps: ReadonlyMap<NodeId, Outcome>;
}

/** A step that did not produce its output: what was paid for it still reaches the ledger. */
async function stepFailed(run: BuildRun, node: GraphNode, error: StepFailure, spentUsd: number, started: Started): Promise<Outcome> {
  const { takeId } = started;
  if (error.kind === 'aborted') {
    // Left as it is (registered or submitted): the next build resumes it.
    run.report(node, { action: 'blocked', reason: { kind: 'interrupted', before: 'finish' }, takeId });
    return { state: 'blocked', reason: { kind: 'interrupted', before: 'finish' } };
  }
  if (isPaid(node) && takeId !== null) {
    if (spentUsd > 0) {
      const attempt = run.ctx.clock.now().toISOString();
      await run.ctx.onPaid(paidCalls(node, started.key, takeId, { costUsd: spentUsd, model: node.kind === 'grid' ? node.params.model : node.params.endpoint, requestId: null }, attempt));
    }
    const final = error.kind === 'rejected' || error.kind === 'blocked';
    await run.ctx.stores.journal.failed(node.recordId, takeId, error.message, final);
  }
  return run.fail(node, { kind: 'step-failed', message: error.message }, { takeId, costUsd: spentUsd });
}

/**
 * A result in hand: its bytes reach the landing store (paid), the blob store and the readable
 * file before anything reports it; then the action cache, the take's record and the ledger.
 */
async function storeResult(run: BuildRun, node: GraphNode, decision: NodeDecision, step: StepOutput, started: Started): Promise<Outcome> {
  const { stores, faults, clock } = run.ctx;
  const { key, takeId } = started;
  if (isPaid(node) && !started.landed) {
    await stores.landing.put(key, step);
    faults('landed');
    await rememberVariant(run, node, decision);
  }
  const hash = await stores.blobs.put(step.bytes);
  faults('blob-stored');
  let output: string | null = null;
  if (takeId !== null) output = join('takes', node.sequence, `${takeId}.${step.extension}`);
  else if (node.kind === 'frame') output = frameFile(node, decision.material);
  else if (node.kind === 'cut') output = await nextCutFile(node, stores.files);
  if (output !== null) await stores.files.write(output, step.bytes, hash);
  const finished = clock.now();
  const cached: ActionResult = {
    key,
    nodeId: node.id,
    kind: node.kind,
    output: { hash, size: step.bytes.byteLength, mimeType: step.mimeType, extension: step.extension },
    provider: isPaid(node) ? node.params.provider : 'local',
    model: step.model,
    costUsd: step.costUsd,
    estimateUsd: node.estimateUsd,
    requestId: step.requestId,
    createdAt: finished.toISOString(),
    durationMs: finished.getTime() - started.at.getTime(),
  };
  await stores.actions.put(cached, decision.material);
  faults('action-stored');
  if (isPaid(node) && takeId !== null && output !== null) {
    await stores.journal.complete(node.recordId, takeId, { output, blob: hash, costUsd: step.costUsd, requestId: step.requestId });
    faults('recorded');
    if (step.costUsd > 0) await run.ctx.onPaid(paidCalls(node, key, takeId, cached));
    await stores.landing.delete(key);
  }
  await stores.built.set(node.id, { key, takeId, output });
  for (const note of step.notes) run.ctx.emit({ type: 'warning', nodeId: node.id, message: `${node.id}: ${note}` });
  run.ctx.emit({ type: 'finished', nodeId: node.id, takeId, output, costUsd: step.costUsd, calls: step.calls, durationMs: cached.durationMs, notes: step.notes });
  run.report(node, { action: 'run', reason: decision.reason, costUsd: step.costUsd, takeId, output, outputHash: hash });
  return { state: 'done', output: hash };
}

/** Runs one node whose inputs are ready: registers a paid take, calls its runner, stores the result. */
export async function runNode(run: BuildRun, node: GraphNode, decision: NodeDecision, deps: ReadonlyMap<NodeId, Outcome>, providers: Providers): Promise<Outcome> {
  const key = decision.key as NodeKey;
  const started: Started = { key, takeId: null, at: run.ctx.clock.now(), landed: false, deps };
  run.ctx.emit({ type: 'started', nodeId: node.id, lane: node.lane });
  let journal = idleJournal;
  if (isPaid(node)) {
    const begun = await beginPaid(run, node, decision);
    started.takeId = begun.takeId;
    if (!begun.ok) return run.fail(node, begun.reason, { takeId: begun.takeId });
    journal = begun.journal;
  }
  // A paid result that arrived before an interrupted build could store it: finish from it, unpaid.
  const landed = isPaid(node) ? await run.ctx.stores.landing.get(key) : undefined;
  if (landed !== undefined) run.ctx.emit({ type: 'progress', nodeId: node.id, stage: 'landed', requestId: null, message: 'finishing from the result an interrupted build received (no new call)' });
  started.landed = landed !== undefined;
  const input: RunInput = { key, deps, journal, providers };
  let result: StepResult = landed !== undefined ? { ok: true, value: landed } : await runStep(run, node, input);
  // An input damaged in the blob store and put back from its readable file: try once more.
  if (!result.ok && result.error.kind === 'input-missing' && (await repairInputs(run, node, deps))) result = await runStep(run, node, input);
  if (!result.ok) {
    if (result.error.kind === 'account') run.accountStop = result.error.message;
    return stepFailed(run, node, result.error, result.spentUsd ?? 0, started);
  }
  return storeResult(run, node, decision, result.value, started);
}
