import type { NodeReport } from '../graph/events.ts';
import type { DerivedSequence } from '../state/derive-sequences.ts';
import { longList, summarized, table, usd } from './format.ts';
import { reasonText } from './reasons.ts';
import { cutText, timingLines } from './cut.ts';
import type { CutFacts } from '../graph/cut-facts.ts';

export interface StatusInput {
  project: string;
  sequences: readonly DerivedSequence[];
  /** How many nodes would run, and what they would cost. */
  toRun: number;
  estimateUsd: number;
  /** Frames that wait for a person: a pick to make, or to make again. */
  waiting: readonly NodeReport[];
  /** The cut, when the plan has a song. */
  cut: CutFacts | undefined;
  /** Timing checks against the song, in words. */
  timing: readonly string[];
}

/** `cg status --json`. */
export function statusJson(input: StatusInput): string {
  const cut = input.cut === undefined ? {} : { cut: { file: input.cut.file, upToDate: input.cut.upToDate, placeholders: input.cut.placeholders.map((p) => p.sequence) } };
  return `${JSON.stringify({ project: input.project, sequences: input.sequences, ...cut, ...(input.timing.length === 0 ? {} : { timing: input.timing }) }, null, 2)}\n`;
}

/** `cg status`: a row per sequence (state, takes, current take, spent) and what is left to build. */
export function statusText(input: StatusInput): string {
  const rows = input.sequences.map((s) => [
    s.id,
    s.time === null ? s.section : `${s.section} ${s.time.start}–${s.time.end}`,
    s.approvedStale ? `${s.state} (approved ${s.approvedTake ?? ''} no longer matches the plan)` : s.stale ? `${s.state} (plan changed)` : s.state,
    String(s.takes),
    s.currentTakes.length === 0 ? '—' : s.currentTakes.length === 1 ? (s.currentTakes[0] ?? '') : `${s.currentTakes.length} shots`,
    usd(s.spentUsd),
  ]);
  const spent = input.sequences.reduce((sum, s) => sum + s.spentUsd, 0);
  const left = input.toRun === 0 ? 'everything buildable is up to date' : `${input.toRun} nodes to build (${usd(input.estimateUsd)}): cg build --dry-run says which`;
  const picks =
    input.waiting.length > longList
      ? `${summarized(input.waiting.map((node) => node.sequence), 'wait for a pick', 'cg status SEQ… shows each')}\n`
      : input.waiting.map((node) => `  ${node.id}: ${reasonText(node.reason)}\n`).join('');
  const timing = timingLines(input.timing).map((line) => `! ${line}\n`).join('');
  const cut = input.cut === undefined ? '' : cutText(input.cut);
  return `${table(['sequence', 'song section', 'state', 'takes', 'current take', 'spent'], rows)}\n\n${picks === '' ? '' : `Waiting for you:\n${picks}\n`}${timing === '' ? '' : `${timing}\n`}${cut}${input.project}: spent ${usd(spent)}; ${left}.\n`;
}
