import type { BlobHash, NodeKey } from '../util/hash.ts';
import type { Action } from './decide.ts';
import type { FieldChange } from './diff.ts';
import type { NodeKind } from './nodes.ts';
import type { PlannedReport } from './plan.ts';
import type { Reason } from './reasons.ts';

/** Where a running node's remote work stands. */
export type ProgressStage = 'submitted' | 'resumed' | 'generating' | 'landed';

/**
 * What a build tells its reporters, in order per node: planned → (reused | started → queued* →
 * progress* → finished | failed) and, at the end, one summary. The core never prints.
 */
export type BuildEvent =
  /** Before anything runs: what the node will do, why, and its estimate at real prices. */
  | { type: 'planned'; nodeId: string; kind: NodeKind; sequence: string; action: Action; reason: Reason; estimateUsd: number }
  | { type: 'reused'; nodeId: string; takeId: string | null; output: string | null }
  | { type: 'started'; nodeId: string; lane: string }
  /** A remote job waits in the provider's queue at this position. */
  | { type: 'queued'; nodeId: string; position: number }
  /** A remote job moved on: submitted (with its request id), resumed, generating, or finished from a landed result. */
  | { type: 'progress'; nodeId: string; stage: ProgressStage; requestId: string | null; message: string }
  | { type: 'finished'; nodeId: string; takeId: string | null; output: string | null; costUsd: number; calls: number; durationMs: number; notes: string[] }
  | { type: 'failed'; nodeId: string; reason: Reason }
  | { type: 'warning'; nodeId: string | null; message: string }
  | { type: 'summary'; ran: number; reused: number; waiting: number; failed: number; spentUsd: number; estimateUsd: number; interrupted: boolean; durationMs: number };

/** One line of the build report (and of `--json`). */
export interface NodeReport {
  id: string;
  kind: NodeKind;
  sequence: string;
  action: Action | 'failed';
  reason: Reason;
  /** Spent for what ran; for --dry-run, the estimate at the real providers' prices. */
  costUsd: number;
  estimateUsd: number;
  takeId: string | null;
  output: string | null;
  /** The node's key, when its inputs are known. */
  key: NodeKey | undefined;
  /** The node's output hash, when it exists. */
  outputHash: BlobHash | undefined;
  /** What changed since the last build of this node (for explain). */
  changes: FieldChange[];
}

/** How many nodes took each action, in one pass (a report has a line per node: 26,000 at 10,000 sequences). */
export function actionCounts(nodes: ReadonlyArray<{ action: NodeReport['action'] }>): Record<NodeReport['action'], number> {
  const counts = { run: 0, reuse: 0, blocked: 0, failed: 0 };
  for (const node of nodes) counts[node.action]++;
  return counts;
}

/** The last event of a build: counts, money and time. */
export function summaryEvent(nodes: readonly NodeReport[], spentUsd: number, estimateUsd: number, interrupted: boolean, durationMs: number): BuildEvent {
  const count = actionCounts(nodes);
  return { type: 'summary', ran: count.run, reused: count.reuse, waiting: count.blocked, failed: count.failed, spentUsd, estimateUsd, interrupted, durationMs };
}

/** The plan's report lines as events, one `planned` per node, for reporters that show a build as it goes. */
export function plannedEvents(nodes: readonly PlannedReport[]): BuildEvent[] {
  return nodes.map((node) => ({ type: 'planned', nodeId: node.id, kind: node.kind, sequence: node.sequence, action: node.action, reason: node.reason, estimateUsd: node.estimateUsd }));
}
