import type { NodeReport } from '../../graph/events.ts';
import type { DerivedSequence, SequenceState } from '../../state/derive-sequences.ts';
import type { ExecutionRecord } from '../../state/records.ts';
import { isComplete, isInFlight, type TakeStatus } from '../../state/take-status.ts';

/** A take that a build (here or in another terminal) is making now, as its journal has it. */
export interface RunningTake {
  takeId: string;
  status: TakeStatus;
  /** When the take was registered: the page counts elapsed time from it. */
  since: string;
  /** The provider's queue position, while it is queued and said one. */
  queuePosition: number | null;
}

export interface BoardCard extends DerivedSequence {
  /** Seconds from the start of the song. */
  start: number;
  end: number;
  /** The take the card shows: the approved one, else the current one, else the newest finished. */
  shown: { takeId: string; output: string } | null;
  /** What a person does next, in a few words. */
  next: string;
  /** What building what is left of it would cost at real prices (run and waiting nodes). */
  remainingUsd: number;
  running: RunningTake[];
}

export interface Board {
  project: string;
  title: string;
  song: { title: string | null; artist: string | null; seconds: number };
  sections: Array<{ name: string; start: number; end: number }>;
  cards: BoardCard[];
  spentUsd: number;
  remainingUsd: number;
  /** The newest cut of the song, from the project folder, if one was made. */
  cut: string | null;
}

/** What the board is made from: the plan's sequences, what `cg status` derived, the planned nodes and the records. */
export interface BoardFacts {
  project: string;
  title: string;
  song: { title?: string | undefined; artist?: string | undefined; length?: string | undefined } | undefined;
  plan: ReadonlyArray<{ id: string; time?: { start: string; end: string } | undefined; shots: ReadonlyArray<{ duration: string }> }>;
  sequences: readonly DerivedSequence[];
  nodes: readonly NodeReport[];
  records: ReadonlyMap<string, ExecutionRecord>;
  cut: string | null;
}

/** `1:05` or `0:16.5` → seconds. */
export function clockSeconds(time: string): number {
  const [minutes, secs] = time.split(':');
  return Number(minutes) * 60 + Number(secs);
}

const nextActions: Record<SequenceState, string> = {
  not_started: 'build it',
  grid_exploring: 'wait for the grid',
  grid_review: 'pick a grid cell',
  start_frame_approved: 'build the take',
  generating: 'wait for the take',
  review: 'approve or reject',
  approved: 'make it final',
  final: 'done',
};

function nextAction(sequence: DerivedSequence): string {
  if (sequence.state === 'final') return nextActions.final;
  if (sequence.approvedStale && sequence.approvedTake !== null) return 'plan changed: build again';
  if (sequence.stale && sequence.state === 'review') return 'plan changed: build again';
  return nextActions[sequence.state];
}

function runningTakes(records: readonly ExecutionRecord[]): RunningTake[] {
  return records.flatMap((record) =>
    record.takes
      .filter((take) => isInFlight(take.status))
      .map((take) => ({ takeId: take.takeId, status: take.status, since: take.createdAt, queuePosition: take.queuePosition ?? null })),
  );
}

function shownTake(sequence: DerivedSequence, records: readonly ExecutionRecord[]): BoardCard['shown'] {
  const finished = records.flatMap((record) => record.takes.filter((take) => isComplete(take.status) && take.output !== null && record.medium === 'video'));
  const wanted = sequence.approvedTake ?? sequence.currentTakes[0];
  const take = finished.find((t) => t.takeId === wanted) ?? finished.at(-1);
  if (take?.output != null) return { takeId: take.takeId, output: take.output };
  // No take yet: the grid a person is to pick from is the best picture of the sequence.
  const grid = records.flatMap((record) => record.takes).find((t) => t.takeId === sequence.gridTake);
  return grid?.output == null ? null : { takeId: grid.takeId, output: grid.output };
}

/** Adjacent sequences of the same section make one stretch of the song's axis. */
function sectionsOf(cards: readonly BoardCard[]): Board['sections'] {
  const sections: Board['sections'] = [];
  for (const card of cards) {
    const last = sections.at(-1);
    if (last?.name === card.section && Math.abs(last.end - card.start) < 0.01) last.end = card.end;
    else sections.push({ name: card.section, start: card.start, end: card.end });
  }
  return sections;
}

/**
 * The Sequence Board as data: each sequence at its place in the song (its `time`, or after the
 * one before it for its shots' length), with its state, the take to show, what to do next and
 * what it has cost and would cost. Pure.
 */
export function boardOf(facts: BoardFacts): Board {
  const bySequence = new Map<string, ExecutionRecord[]>();
  for (const record of facts.records.values()) bySequence.set(record.sequence, [...(bySequence.get(record.sequence) ?? []), record]);
  const remaining = new Map<string, number>();
  for (const node of facts.nodes) if (node.action === 'run' || node.action === 'blocked') remaining.set(node.sequence, (remaining.get(node.sequence) ?? 0) + node.estimateUsd);
  const derived = new Map(facts.sequences.map((s) => [s.id, s]));
  let clock = 0;
  const cards = facts.plan.flatMap((planned): BoardCard[] => {
    const sequence = derived.get(planned.id);
    if (sequence === undefined) return [];
    const start = planned.time === undefined ? clock : clockSeconds(planned.time.start);
    const end = planned.time === undefined ? start + planned.shots.reduce((sum, shot) => sum + Number(shot.duration), 0) : clockSeconds(planned.time.end);
    clock = end;
    const records = bySequence.get(planned.id) ?? [];
    return [{ ...sequence, start, end, shown: shownTake(sequence, records), next: nextAction(sequence), remainingUsd: remaining.get(planned.id) ?? 0, running: runningTakes(records) }];
  });
  const last = cards.reduce((max, card) => Math.max(max, card.end), 0);
  const length = facts.song?.length === undefined ? last : Math.max(last, clockSeconds(facts.song.length));
  return {
    project: facts.project,
    title: facts.title,
    song: { title: facts.song?.title ?? null, artist: facts.song?.artist ?? null, seconds: length },
    sections: sectionsOf(cards),
    cards,
    spentUsd: cards.reduce((sum, card) => sum + card.spentUsd, 0),
    remainingUsd: cards.reduce((sum, card) => sum + (card.state === 'final' ? 0 : card.remainingUsd), 0),
    cut: facts.cut,
  };
}
