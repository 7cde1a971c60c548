import { describeChange } from '../graph/diff.ts';
import type { NodeReport } from '../graph/events.ts';
import { reasonText } from './reasons.ts';

/** `cg explain --json`. */
export function explainJson(nodes: readonly NodeReport[]): string {
  const shown = nodes.map((node) => ({ id: node.id, action: node.action, reason: reasonText(node.reason), changes: node.changes, estimateUsd: node.estimateUsd }));
  return `${JSON.stringify({ nodes: shown }, null, 2)}\n`;
}

/** `cg explain`: for each node, up to date, or what it waits for, or which input changed (old value → new). */
export function explainText(nodes: readonly NodeReport[]): string {
  const lines: string[] = [];
  for (const node of nodes) {
    const verdict = node.action === 'reuse' ? 'up to date' : node.action === 'run' ? 'would rebuild' : 'waiting';
    lines.push(`${node.id}: ${verdict}${node.reason.kind === 'up-to-date' ? '' : ` — ${reasonText(node.reason)}`}`);
    for (const change of node.changes) lines.push(`    ${describeChange(change)}`);
  }
  return `${lines.join('\n')}\n`;
}
