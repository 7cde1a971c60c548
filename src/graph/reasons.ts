import type { BlobHash } from '../util/hash.ts';
import type { NodeId } from './nodes.ts';

/**
 * Why a node runs, is reused, waits or failed: a value for every case, rendered to words in
 * one place (src/reporters/reasons.ts). Commands branch on `kind`, never on the words.
 */
export type Reason =
  | { kind: 'up-to-date' }
  /** An earlier result matches these inputs again (a reverted edit): reused at no cost. */
  | { kind: 'earlier-result' }
  | { kind: 'new' }
  | { kind: 'inputs-changed' }
  /** Which fields changed since the last build, as a person names them (`shots[1].prompt`). */
  | { kind: 'changed'; fields: string[] }
  | { kind: 'retake'; variant: number }
  | { kind: 'missing-or-corrupt' }
  | { kind: 'final'; sequence: string }
  | { kind: 'dep-failed'; dep: NodeId }
  | { kind: 'waiting-for'; dep: NodeId }
  /** Runs once its start frame is cut (a dry run cannot know the frame's hash yet). */
  | { kind: 'after-frame'; frame: NodeId }
  /** A segment or the cut: runs once what it shows is made (a dry run cannot know its hash yet). */
  | { kind: 'after'; dep: NodeId }
  | { kind: 'grid-first'; sequence: string; cells: number }
  | { kind: 'waiting-for-pick'; sequence: string; cells: number }
  | { kind: 'grid-changed'; sequence: string; cells: number; from: BlobHash; to: BlobHash }
  | { kind: 'refused-before'; message: string }
  | { kind: 'submit-interrupted'; at: string }
  | { kind: 'interrupted'; before: 'start' | 'finish' }
  | { kind: 'account-stopped'; message: string }
  | { kind: 'max-cost'; maxUsd: number; committedUsd: number; nodeUsd: number }
  /** `cg watch` runs paid work only with a person's consent or within --auto-spend. */
  | { kind: 'needs-consent'; nodeUsd: number }
  | { kind: 'step-failed'; message: string }
  /** A paid result with no good copy left anywhere (see graph/restore.ts). */
  | { kind: 'lost'; label: string; costUsd: number; output: string; sequence: string };

/** The reasons that mean "a person has to pick a grid cell". */
export function waitsForPick(reason: Reason): reason is Extract<Reason, { kind: 'grid-first' | 'waiting-for-pick' | 'grid-changed' }> {
  return reason.kind === 'grid-first' || reason.kind === 'waiting-for-pick' || reason.kind === 'grid-changed';
}
