import { diffWords } from 'diff';
import type { NodeReport } from '../graph/events.ts';
import type { HistoryEntry, HistoryShot } from '../state/take-history.ts';
import { plural, usd } from './format.ts';
import { reasonText } from './reasons.ts';

export interface TakesInput {
  sequence: string;
  takes: readonly HistoryEntry[];
}

/** `cg takes SEQ --json`: the contract other tools read, so exactly these keys. */
export function takesJson(input: TakesInput): string {
  const takes = input.takes.map((take) => ({
    id: take.id,
    kind: take.kind,
    mode: take.mode,
    createdAt: take.createdAt,
    provider: take.provider,
    model: take.model,
    costUsd: take.costUsd,
    state: take.state,
    approved: take.approved,
    rejected: take.rejected,
    // Takes made before shot overrides existed carry no mark: their prompts are the plan's.
    shotPrompts: take.shots.map((shot) => ({ shot: shot.shot, prompt: shot.prompt, duration: shot.duration, overridden: shot.overridden ?? false })),
  }));
  return `${JSON.stringify({ sequence: input.sequence, takes }, null, 2)}\n`;
}

export interface DiffPart {
  op: 'same' | 'added' | 'removed';
  text: string;
}

/** The words of `after` against `before`, in order: kept, added and removed runs. */
export function wordDiffParts(before: string, after: string): DiffPart[] {
  return diffWords(before, after).map((part) => ({ op: part.removed ? 'removed' : part.added ? 'added' : 'same', text: part.value }));
}

/** Removed words as `[-old-]`, added as `{+new+}`: readable without colour, in a pipe or a log. */
export function wordDiff(before: string, after: string): string {
  return wordDiffParts(before, after)
    .map((part) => (part.op === 'removed' ? `[-${part.text}-]` : part.op === 'added' ? `{+${part.text}+}` : part.text))
    .join('');
}

function stateText(take: HistoryEntry): string {
  switch (take.state) {
    case 'current':
      return 'current for the plan';
    case 'approved':
      return 'approved (current for the plan)';
    case 'stale':
      return take.approved ? 'approved (stale: the plan changed since)' : 'stale';
    case 'rejected':
      return take.current ? 'rejected (current for the plan)' : 'rejected';
    case 'failed':
      return take.error === null ? 'failed' : `failed: ${take.error}`;
    case 'unfinished':
      return 'unfinished (a build is running or was interrupted)';
  }
}

/** A shot's duration and prompt marked with what changed since the previous take; undefined when nothing did. */
function shotText(shot: HistoryShot): string | undefined {
  const { previous } = shot;
  if (previous === undefined) return `${shot.duration} s  ${shot.prompt}`;
  if (previous.prompt === shot.prompt && previous.duration === shot.duration) return undefined;
  const duration = previous.duration === shot.duration ? shot.duration : wordDiff(previous.duration, shot.duration);
  return `${duration} s  ${wordDiff(previous.prompt, shot.prompt)}`;
}

function shotLine(shot: HistoryShot): string {
  return `  shot ${shot.shot}  ${shotText(shot) ?? `${shot.duration} s  same as ${shot.previous?.takeId ?? ''}`}`;
}

/** `cg takes SEQ`: each take oldest first with its state, and per shot what changed since the take before. */
export function takesText(input: TakesInput): string {
  if (input.takes.length === 0) return `${input.sequence} has no takes yet: cg build ${input.sequence} makes one.\n`;
  const lines = [`${input.sequence}: ${plural(input.takes.length, 'take')}, oldest first; shots show what changed since the previous take of their kind ([-removed-] {+added+}).`];
  for (const take of input.takes) {
    const when = `${take.createdAt.slice(0, 16).replace('T', ' ')} UTC`;
    lines.push('', `${take.id}  ${take.kind}${take.mode === null ? '' : ` (${take.mode})`}  ${when}  ${take.provider} ${take.model}  ${usd(take.costUsd)}  ${stateText(take)}`);
    lines.push(...take.shots.map(shotLine));
  }
  // The newest change to a shot, offered the way back to the take before it (if that one made something).
  const finished = new Set(input.takes.filter((take) => take.state !== 'failed' && take.state !== 'unfinished').map((take) => take.id));
  const changed = input.takes.flatMap((take) => take.shots).findLast((shot) => shot.previous !== undefined && finished.has(shot.previous.takeId) && shotText(shot) !== undefined);
  if (changed?.previous !== undefined) {
    const back = changed.previous.takeId;
    lines.push('', `To bring back shot ${changed.shot} as ${back} had it: cg takes ${input.sequence} --use ${changed.shot}:${back} (--use all:${back} for every shot).`);
  }
  return `${lines.join('\n')}\n`;
}

export interface UseInput {
  sequence: string;
  take: string;
  /** The shots written back. */
  shots: readonly number[];
  planFile: string;
  /** What the edit changed (`shot 2 prompt`); empty when the plan already had these values. */
  changed: readonly string[];
  /** The sequence's nodes, planned after the edit. */
  nodes: readonly NodeReport[];
}

/** `cg takes SEQ --use N:TAKE`: what was written, and what the next build would do and cost. */
export function useText(input: UseInput): string {
  const which = `${input.shots.length === 1 ? 'shot' : 'shots'} ${input.shots.join(', ')} of ${input.take}`;
  const lines = [
    input.changed.length === 0
      ? `${input.sequence}: ${input.planFile} already has ${which}; nothing was written.`
      : `${input.sequence}: wrote ${which} into ${input.planFile} (changed: ${input.changed.join(', ')}).`,
    `Next cg build ${input.sequence}:`,
  ];
  // The video nodes are what a person came for; other nodes only when they would do something.
  const shown = input.nodes.filter((node) => node.kind === 'take' || node.kind === 'shot' || node.action !== 'reuse');
  for (const node of shown) lines.push(`  ${node.id}: ${reasonText(node.reason)}${node.action === 'run' ? ` (${usd(node.estimateUsd)})` : ''}`);
  const estimate = input.nodes.filter((node) => node.action === 'run').reduce((sum, node) => sum + node.estimateUsd, 0);
  lines.push(`Estimated ${usd(estimate)} at real prices.`);
  return `${lines.join('\n')}\n`;
}
