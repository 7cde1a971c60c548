import type { NodeKey } from '../util/hash.ts';
import type { ExecutionRecord } from './records.ts';
import { isComplete, isInFlight } from './take-status.ts';

/**
 * A sequence's place in the flow, derived after every command from the graph's
 * results, the execution records and the decisions — never stored as a source:
 *
 *   not_started → grid_exploring → grid_review → start_frame_approved → generating → review → approved → final
 *   not_started → generating → review → …                                    (no grid)
 */
export type SequenceState =
  | 'not_started'
  | 'grid_exploring'
  | 'grid_review'
  | 'start_frame_approved'
  | 'generating'
  | 'review'
  | 'approved'
  | 'final';

/** What the command learned about one sequence, in plain data. */
export interface SequenceFacts {
  id: string;
  section: string;
  time: { start: string; end: string } | undefined;
  title: string | undefined;
  mode: 'multi_shot' | 'individual';
  grid: { recordId: string; currentKey: NodeKey | undefined; pickCell: number | undefined; frameReady: boolean } | undefined;
  /** One per video node (the take, or each shot): its record and current key (undefined when stale or blocked). */
  videos: Array<{ recordId: string; currentKey: NodeKey | undefined }>;
  approved: string | undefined;
  final: boolean;
}

export interface DerivedSequence {
  id: string;
  section: string;
  time: { start: string; end: string } | null;
  title: string | null;
  mode: 'multi_shot' | 'individual';
  state: SequenceState;
  /** The plan changed since the newest take: the current inputs have no take yet. */
  stale: boolean;
  takes: number;
  currentTakes: string[];
  approvedTake: string | null;
  /** The approved take was made from inputs the plan no longer has (an approval names a take, not a plan). */
  approvedStale: boolean;
  gridTake: string | null;
  pickedCell: number | null;
  spentUsd: number;
}

export interface SequencesDocument {
  project: string;
  sequences: DerivedSequence[];
}

function currentTake(record: ExecutionRecord | undefined, key: NodeKey | undefined): string | undefined {
  if (record === undefined || key === undefined) return undefined;
  return record.takes.findLast((take) => take.key === key && isComplete(take.status))?.takeId;
}

function stateOf(facts: SequenceFacts, records: ReadonlyMap<string, ExecutionRecord>, current: string[], earlierTakes: number): SequenceState {
  if (facts.final) return 'final';
  const videoRecords = facts.videos.map((video) => records.get(video.recordId));
  if (current.length === facts.videos.length) return facts.approved !== undefined && current.includes(facts.approved) ? 'approved' : 'review';
  if (videoRecords.some((record) => record?.takes.some((take) => isInFlight(take.status)))) return 'generating';
  if (facts.grid !== undefined) {
    const gridRecord = records.get(facts.grid.recordId);
    if (gridRecord?.takes.some((take) => isInFlight(take.status))) return 'grid_exploring';
    if (currentTake(gridRecord, facts.grid.currentKey) !== undefined) return facts.grid.frameReady ? 'start_frame_approved' : 'grid_review';
    if (earlierTakes > 0) return 'review';
    return (gridRecord?.takes.length ?? 0) > 0 ? 'grid_exploring' : 'not_started';
  }
  return earlierTakes > 0 ? 'review' : 'not_started';
}

/** Derives state/client/sequences.json. Pure; no timestamps, so the same inputs give the same file. */
export function deriveSequences(project: string, facts: readonly SequenceFacts[], records: ReadonlyMap<string, ExecutionRecord>): SequencesDocument {
  return {
    project,
    sequences: facts.map((fact) => {
      const current = fact.videos.map((video) => currentTake(records.get(video.recordId), video.currentKey)).filter((id): id is string => id !== undefined);
      const own = [...fact.videos.map((video) => video.recordId), ...(fact.grid === undefined ? [] : [fact.grid.recordId])];
      const spentUsd = own.reduce((sum, id) => sum + (records.get(id)?.takes.reduce((s, take) => s + take.costUsd, 0) ?? 0), 0);
      const takes = fact.videos.reduce((sum, video) => sum + (records.get(video.recordId)?.takes.filter((take) => isComplete(take.status)).length ?? 0), 0);
      const gridTake = fact.grid === undefined ? undefined : currentTake(records.get(fact.grid.recordId), fact.grid.currentKey);
      return {
        id: fact.id,
        section: fact.section,
        time: fact.time ?? null,
        title: fact.title ?? null,
        mode: fact.mode,
        state: stateOf(fact, records, current, takes),
        stale: takes > 0 && current.length < fact.videos.length,
        takes,
        currentTakes: current,
        approvedTake: fact.approved ?? null,
        approvedStale: fact.approved !== undefined && !current.includes(fact.approved),
        gridTake: gridTake ?? null,
        pickedCell: fact.grid?.pickCell ?? null,
        spentUsd: Math.round(spentUsd * 1e6) / 1e6,
      };
    }),
  };
}
