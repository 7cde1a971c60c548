import type { NodeKey } from '../util/hash.ts';
import type { SequenceFacts } from './derive-sequences.ts';

/** A sequence as the plan and decisions have it (only what the derived state needs). */
export interface FactsSequence {
  id: string;
  section: string;
  time: { start: string; end: string } | undefined;
  title: string | undefined;
  mode: 'multi_shot' | 'individual';
  hasGrid: boolean;
  decision: { pick?: { cell: number } | { file: string }; approved?: string; final?: boolean } | undefined;
  /** The record ids of its video nodes: the take, or each shot. */
  videoRecords: Array<{ nodeId: string; recordId: string }>;
}

/** What one node of a command came to. */
export interface FactsNode {
  id: string;
  action: string;
  key: NodeKey | undefined;
}

/**
 * What each sequence's nodes came to, as plain facts for deriving its state.
 * `ran` says whether 'run' actions really ran (a build) or only would (a plan).
 */
export function sequenceFacts(sequences: readonly FactsSequence[], nodes: readonly FactsNode[], ran: boolean): SequenceFacts[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const current = (id: string): NodeKey | undefined => {
    const node = byId.get(id);
    if (node === undefined) return undefined;
    return node.action === 'reuse' || (ran && node.action === 'run') ? node.key : undefined;
  };
  return sequences.map((sequence) => {
    const frame = byId.get(`${sequence.id}:frame`);
    return {
      id: sequence.id,
      section: sequence.section,
      time: sequence.time,
      title: sequence.title,
      mode: sequence.mode,
      grid: sequence.hasGrid
        ? {
            recordId: `${sequence.id}_grid`,
            currentKey: current(`${sequence.id}:grid`),
            pickCell: sequence.decision?.pick !== undefined && 'cell' in sequence.decision.pick ? sequence.decision.pick.cell : undefined,
            frameReady: frame !== undefined && frame.action !== 'blocked' && frame.action !== 'failed',
          }
        : undefined,
      videos: sequence.videoRecords.map((video) => ({ recordId: video.recordId, currentKey: current(video.nodeId) })),
      approved: sequence.decision?.approved,
      final: sequence.decision?.final ?? false,
    };
  });
}
