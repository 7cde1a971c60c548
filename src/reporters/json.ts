import type { NodeReport } from '../graph/events.ts';
import { reasonText } from './reasons.ts';

/** The `--json` document: exactly the documented fields. */
export function jsonReport(nodes: readonly NodeReport[], totalCostUsd: number, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify(
    {
      nodes: nodes.map((node) => ({
        id: node.id,
        kind: node.kind,
        sequence: node.sequence,
        action: node.action,
        reason: reasonText(node.reason),
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
