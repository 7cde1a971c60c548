import type { CutFacts } from '../graph/cut-facts.ts';
import type { TimingWarning } from '../graph/nodes.ts';
import { clockText, secondsText } from '../plan/song-time.ts';
import { unreachable } from '../util/result.ts';
import { shortened } from './format.ts';

const span = (start: number, end: number): string => `${clockText(start)}–${clockText(end)}`;

/** A timing check in words: what does not fit the song, and what the cut will do about it. */
export function timingWarningText(warning: TimingWarning): string {
  switch (warning.kind) {
    case 'slot-fill': {
      const { start, end } = warning.slot;
      const slot = end - start;
      const what = warning.shotsSec < slot ? `${secondsText(slot - warning.shotsSec)} will hold the last frame` : `the last ${secondsText(warning.shotsSec - slot)} will be cut`;
      return `${warning.sequence}: shots total ${secondsText(warning.shotsSec)}, slot ${span(start, end)} is ${secondsText(slot)}: ${what}`;
    }
    case 'overlap':
      return `${warning.sequence} overlaps ${warning.other} at ${span(warning.start, warning.end)}: the cut starts ${warning.sequence} where ${warning.other} ends`;
    case 'gap': {
      const between = warning.after === undefined ? `before ${warning.before ?? 'the first sequence'}` : warning.before === undefined ? `after ${warning.after}, to the song's end` : `between ${warning.after} and ${warning.before}`;
      return `no sequence covers ${span(warning.start, warning.end)} (${between}): the cut shows a card there`;
    }
    case 'no-time':
      return `${warning.sequence} has no "time" in plan.json: it is not in the cut until it has one`;
    case 'past-song':
      return `${warning.sequence} ends at ${clockText(warning.end)}, after the song (${clockText(warning.songSec)}): the cut stops with the song`;
    default:
      return unreachable(warning);
  }
}

const shown: Record<string, string> = { frame: 'start frame', grid: 'grid', card: 'title card' };

/** Timing warnings in words as a command prints them: a long list shortened (cg status --json has every one). */
export function timingLines(texts: readonly string[]): string[] {
  return shortened(texts, 'cg status --json lists every one');
}

/** `SEQ01 (grid), SEQ02 (title card)`: the slots of the last cut that show no take. */
export function placeholderList(facts: CutFacts): string {
  return facts.placeholders.map(({ sequence, picture }) => `${sequence} (${shown[picture ?? 'card'] ?? picture})`).join(', ');
}

/** Where the cut stands, for cg status. */
export function cutText(facts: CutFacts): string {
  const file = facts.file === null ? 'Cut: none yet (cg cut makes it)' : `Cut: ${facts.file}${facts.upToDate ? '' : ' (older than the plan: cg cut remakes it from what exists, cg build also makes the takes)'}`;
  const slots = facts.file === null ? '' : facts.placeholders.length === 0 ? '; every sequence shows a take' : `; no take yet for ${placeholderList(facts)}`;
  return `${file}${slots}.\n`;
}
