import type { ShotPrompt } from '../cache/take-journal.ts';
import type { NodeKey } from '../util/hash.ts';
import type { ExecutionRecord, Take } from './records.ts';
import { isComplete } from './take-status.ts';

/** What made a take: the sequence's grid, a multi-shot take, or one shot's clip (individual mode). */
export type TakeKind = 'grid' | 'take' | 'shot';

/**
 * Where a take stands against the plan and the decisions. `stale`: its inputs are no longer
 * the plan's (an approved take can be stale too: `approved` says so). `unfinished`: registered
 * or still with the provider (a running or interrupted build).
 */
export type HistoryState = 'current' | 'approved' | 'rejected' | 'stale' | 'failed' | 'unfinished';

/** A shot of an earlier take: what a shot of a later take of the same kind is compared with. */
export interface EarlierShot {
  takeId: string;
  prompt: string;
  duration: string;
}

export interface HistoryShot extends ShotPrompt {
  /** The same shot in the previous take of the same kind; undefined for the first one. */
  previous: EarlierShot | undefined;
}

export interface HistoryEntry {
  id: string;
  kind: TakeKind;
  /** How the video was made; a grid has none. */
  mode: 'multi_shot' | 'individual' | null;
  createdAt: string;
  provider: string;
  model: string;
  costUsd: number;
  state: HistoryState;
  /** Its record's node would reuse exactly this take's inputs. */
  current: boolean;
  approved: boolean;
  rejected: boolean;
  /** Why it failed, when it did. */
  error: string | null;
  shots: HistoryShot[];
}

export interface HistoryFacts {
  sequence: string;
  /** Every execution record of the project; the sequence's own are picked out here. */
  records: Iterable<ExecutionRecord>;
  approved: string | undefined;
  rejected: readonly string[];
  /** Record id → the key its node reuses under the current plan (absent: the plan would run or wait). */
  currentKeys: ReadonlyMap<string, NodeKey>;
}

/** `SEQ08:grid` → grid, `SEQ08:take` → take, `SEQ08:shot03` → shot. */
function kindOf(record: ExecutionRecord): TakeKind {
  const node = record.node.slice(record.node.indexOf(':') + 1);
  if (record.medium === 'image' || node === 'grid') return 'grid';
  return node.startsWith('shot') ? 'shot' : 'take';
}

function stateOf(take: Take, current: boolean, approved: boolean, rejected: boolean): HistoryState {
  if (take.status === 'failed') return 'failed';
  if (!isComplete(take.status)) return 'unfinished';
  if (rejected) return 'rejected';
  if (current) return approved ? 'approved' : 'current';
  return 'stale';
}

/**
 * Every take of a sequence (grids and shot clips included), oldest first, each with its state
 * and, per shot, the same shot of the previous take of its kind to compare against. Pure.
 */
export function takeHistory(facts: HistoryFacts): HistoryEntry[] {
  const rejected = new Set(facts.rejected);
  const takes = [...facts.records]
    .filter((record) => record.sequence === facts.sequence)
    .flatMap((record) => record.takes.map((take) => ({ record, take, kind: kindOf(record) })))
    // Take numbers order takes within a record; across records only the time does.
    .sort((a, b) => (a.take.createdAt < b.take.createdAt ? -1 : a.take.createdAt > b.take.createdAt ? 1 : a.take.takeId < b.take.takeId ? -1 : 1));
  const latest = new Map<string, EarlierShot>();
  return takes.map(({ record, take, kind }) => {
    const current = isComplete(take.status) && facts.currentKeys.get(record.shotId) === take.key;
    const approved = facts.approved === take.takeId;
    const shots = take.shot_prompts.map((shot) => {
      const slot = `${kind}:${shot.shot}`;
      const previous = latest.get(slot);
      latest.set(slot, { takeId: take.takeId, prompt: shot.prompt, duration: shot.duration });
      return { ...shot, previous };
    });
    return {
      id: take.takeId,
      kind,
      mode: kind === 'grid' ? null : kind === 'shot' ? 'individual' : 'multi_shot',
      createdAt: take.createdAt,
      provider: take.provider,
      model: take.model,
      costUsd: take.costUsd,
      state: stateOf(take, current, approved, rejected.has(take.takeId)),
      current,
      approved,
      rejected: rejected.has(take.takeId),
      error: take.error,
      shots,
    };
  });
}
