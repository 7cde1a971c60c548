import type { BuildEvent } from '../graph/events.ts';
import { seconds, usd } from './format.ts';
import { unreachable } from '../util/result.ts';
import { reasonText } from './reasons.ts';

/** Where a reporter writes (a stream, or a test's buffer). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Plain progress lines: one per node that runs, waits in a queue, finishes or fails, and every
 * warning. No escape codes: this is what piped output and CI logs get.
 */
export function lineReporter(out: OutputStream, err: OutputStream): (event: BuildEvent) => void {
  // fal's status stream repeats a job's queue position on every poll: a log shows it when it moves.
  const positions = new Map<string, number>();
  return (event) => {
    switch (event.type) {
      case 'started':
        out.write(`  … ${event.nodeId} running\n`);
        return;
      case 'queued':
        if (positions.get(event.nodeId) === event.position) return;
        positions.set(event.nodeId, event.position);
        out.write(`  ⋯ ${event.nodeId} queued (position ${event.position})\n`);
        return;
      case 'progress':
        out.write(`  ⋯ ${event.nodeId} ${event.message}\n`);
        return;
      case 'finished': {
        const cost = event.costUsd > 0 ? `  ${usd(event.costUsd)}` : '';
        const where = event.output === null ? '' : `  → ${event.output}`;
        out.write(`  ✓ ${event.nodeId} ${seconds(event.durationMs)}${cost}${where}\n`);
        return;
      }
      case 'failed':
        err.write(`  ✗ ${event.nodeId}: ${reasonText(event.reason)}\n`);
        return;
      case 'warning':
        err.write(`  ! ${event.message}\n`);
        return;
      // The plan is printed before the build and the summary after it, by the command itself.
      case 'planned':
      case 'reused':
      case 'summary':
        return;
      default:
        unreachable(event);
    }
  };
}

/** Warnings only (for --json, whose stdout is one JSON document). */
export function warningReporter(err: OutputStream): (event: BuildEvent) => void {
  return (event) => {
    if (event.type === 'warning') err.write(`cg: warning: ${event.message}\n`);
    if (event.type === 'failed') err.write(`cg: ${event.nodeId} failed: ${reasonText(event.reason)}\n`);
  };
}

