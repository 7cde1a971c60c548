import type { BlobHash, NodeKey } from '../util/hash.ts';
import type { Action } from './decide.ts';
import type { FieldChange } from './diff.ts';
import type { NodeKind } from './nodes.ts';
import type { Reason } from './reasons.ts';

/** What the build tells its reporters; the core never prints. */
export type BuildEvent =
  | { type: 'started'; nodeId: string; lane: string }
  /** A remote job moved on: submitted (with its request id), resumed, or generating. */
  | { type: 'progress'; nodeId: string; message: string }
  | { type: 'finished'; nodeId: string; takeId: string | null; output: string | null; costUsd: number; calls: number; durationMs: number; notes: string[] }
  | { type: 'failed'; nodeId: string; reason: Reason }
  | { type: 'warning'; message: string };

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
