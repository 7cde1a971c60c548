import type { BuildEvent } from '../graph/events.ts';
import { seconds, usd } from './format.ts';
import { reasonText } from './reasons.ts';

/** Where a reporter writes (a stream, or a test's buffer). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Plain progress lines: one per node that runs, finishes or fails, and every warning. */
export function lineReporter(out: OutputStream, err: OutputStream): (event: BuildEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'started':
        out.write(`  … ${event.nodeId} running\n`);
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

