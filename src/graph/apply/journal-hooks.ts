import type { VideoJournal } from '../../providers/types.ts';
import type { NodeDecision } from '../decide.ts';
import type { GridNode, VideoNode } from '../nodes.ts';
import type { Reason } from '../reasons.ts';
import type { BuildRun } from './context.ts';
import { newTake } from './paid.ts';

/** What a step's provider may tell the journal; local steps and grids journal nothing. */
export const idleJournal: VideoJournal = {
  resumeRequestId: null,
  submitting: async () => {},
  notSubmitted: async () => {},
  submitted: async () => {},
  processing: async () => {},
  resultReady: async () => {},
  queued: () => {},
};

/** A retake's variant is a decision once money is committed to it (its submit starts, or a result is in hand). */
export async function rememberVariant(run: BuildRun, node: GridNode | VideoNode, decision: NodeDecision): Promise<void> {
  if (decision.variant > 0 && decision.baseKey !== undefined) await run.ctx.onVariant(node.sequence, decision.baseKey, decision.variant);
}

export type Begun = { ok: true; takeId: string; journal: VideoJournal } | { ok: false; takeId: string; reason: Reason };

/**
 * Registers the take of a paid node (or finds the one an interrupted build left) and the
 * journal its provider writes through: the submit marked before it is sent, the request id
 * kept before anything waits on the job, the result's URL before it is downloaded.
 */
export async function beginPaid(run: BuildRun, node: GridNode | VideoNode, decision: NodeDecision): Promise<Begun> {
  const { journal } = run.ctx.stores;
  const { faults, emit } = run.ctx;
  const begun = await journal.begin(newTake(node, decision), run.ctx.retryRefused);
  faults('registered');
  const id = begun.takeId;
  if (begun.refused !== null) return { ok: false, takeId: id, reason: { kind: 'refused-before', message: begun.refused } };
  if (begun.submitStartedAt !== null && !run.ctx.resubmit) return { ok: false, takeId: id, reason: { kind: 'submit-interrupted', at: begun.submitStartedAt } };
  if (begun.resumeRequestId !== null) emit({ type: 'progress', nodeId: node.id, stage: 'resumed', requestId: begun.resumeRequestId, message: `resuming job ${begun.resumeRequestId} (no new submission)` });
  const hooks: VideoJournal = {
    resumeRequestId: begun.resumeRequestId,
    submitting: async () => {
      await rememberVariant(run, node, decision);
      await journal.submitting(node.recordId, id, true);
      faults('submitting');
    },
    notSubmitted: () => journal.submitting(node.recordId, id, false),
    submitted: async (requestId) => {
      faults('accepted');
      await journal.submitted(node.recordId, id, requestId);
      faults('journaled');
      emit({ type: 'progress', nodeId: node.id, stage: 'submitted', requestId, message: `submitted as ${requestId}` });
    },
    processing: async () => {
      await journal.processing(node.recordId, id);
      emit({ type: 'progress', nodeId: node.id, stage: 'generating', requestId: null, message: 'generating' });
    },
    resultReady: async (url) => {
      await journal.resultReady(node.recordId, id, url);
      faults('result-url');
    },
    queued: (position) => {
      emit({ type: 'queued', nodeId: node.id, position });
      // For other processes to show (cg serve); the job goes on whether or not this lands.
      journal.queued(node.recordId, id, position).catch(() => undefined);
    },
  };
  return { ok: true, takeId: id, journal: hooks };
}
