import type { BuildEvent, NodeReport } from '../graph/events.ts';
import { seconds, usd } from './format.ts';
import type { OutputStream } from './io.ts';

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
        err.write(`  ✗ ${event.nodeId}: ${event.message}\n`);
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
    if (event.type === 'failed') err.write(`cg: ${event.nodeId} failed: ${event.message}\n`);
  };
}

/** The `--json` document: exactly the documented fields. */
export function jsonReport(nodes: readonly NodeReport[], totalCostUsd: number, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify(
    {
      nodes: nodes.map((node) => ({
        id: node.id,
        kind: node.kind,
        sequence: node.sequence,
        action: node.action,
        reason: node.reason,
        costUsd: round(node.costUsd),
        estimateUsd: round(node.estimateUsd),
        takeId: node.takeId,
        output: node.output,
      })),
      totalCostUsd: round(totalCostUsd),
      ...extra,
    },
    null,
    2,
  )}\n`;
}

export function round(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}
