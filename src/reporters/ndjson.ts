import type { BuildEvent } from '../graph/events.ts';
import type { Reason } from '../graph/reasons.ts';
import type { Clock } from '../providers/types.ts';
import { unreachable } from '../util/result.ts';
import { round } from './json.ts';
import type { OutputStream } from './progress.ts';
import { reasonText } from './reasons.ts';

/** A reason as scripts get it: its kind and fields to branch on, and the words a person reads. */
function reasonJson(reason: Reason): Reason & { text: string } {
  return { ...reason, text: reasonText(reason) };
}

/**
 * One `--ndjson` line: the event's own fields, money rounded as `--json` rounds it (no
 * 0.30000000000000004), reasons with their text, and `at`, when the reporter saw it.
 */
export function ndjsonLine(event: BuildEvent, at: Date): string {
  return `${JSON.stringify({ ...eventJson(event), at: at.toISOString() })}\n`;
}

function eventJson(event: BuildEvent): object {
  switch (event.type) {
    case 'planned':
      return { ...event, reason: reasonJson(event.reason), estimateUsd: round(event.estimateUsd) };
    case 'finished':
      return { ...event, costUsd: round(event.costUsd) };
    case 'failed':
      return { ...event, reason: reasonJson(event.reason) };
    case 'summary':
      return { ...event, spentUsd: round(event.spentUsd), estimateUsd: round(event.estimateUsd) };
    case 'reused':
    case 'started':
    case 'queued':
    case 'progress':
    case 'warning':
      return event;
    default:
      return unreachable(event);
  }
}

/** `--ndjson`: every event on stdout as it happens, warnings and failures included (stderr stays quiet). */
export function ndjsonReporter(out: OutputStream, clock: Pick<Clock, 'now'>): (event: BuildEvent) => void {
  return (event) => out.write(ndjsonLine(event, clock.now()));
}
