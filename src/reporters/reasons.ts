import type { CapWarning } from '../graph/nodes.ts';
import type { Reason } from '../graph/reasons.ts';
import { unreachable } from '../util/result.ts';

/** The command that picks a cell of a sequence's grid. */
export function pickCommand(sequence: string, cells: number): string {
  return `cg pick ${sequence} --cell 1-${cells}`;
}

function describeFields(fields: readonly string[]): string {
  return `changed: ${fields.slice(0, 3).join(', ')}${fields.length > 3 ? ` and ${fields.length - 3} more` : ''}`;
}

/** A reason in words, as build, --dry-run, explain, status and --json show it. */
export function reasonText(reason: Reason): string {
  switch (reason.kind) {
    case 'up-to-date':
      return 'up to date';
    case 'earlier-result':
      return 'an earlier result matches these inputs again: reused at no cost';
    case 'new':
      return 'new: never built';
    case 'inputs-changed':
      return 'inputs changed';
    case 'changed':
      return describeFields(reason.fields);
    case 'retake':
      return `retake requested: variant ${reason.variant} of the same inputs`;
    case 'missing-or-corrupt':
      return 'the cached result is missing or corrupt: rebuilding it';
    case 'final':
      return `${reason.sequence} is final: its inputs changed but a final sequence does not spend (cg final ${reason.sequence} --reopen to change it)`;
    case 'dep-failed':
      return `${reason.dep} failed`;
    case 'waiting-for':
      return `waiting for ${reason.dep}`;
    case 'after-frame':
      return `after ${reason.frame} is cut`;
    case 'grid-first':
      return `the grid will be generated first; then pick a cell: ${pickCommand(reason.sequence, reason.cells)}`;
    case 'waiting-for-pick':
      return `waiting for a pick: look at the grid, then ${pickCommand(reason.sequence, reason.cells)}`;
    case 'grid-changed':
      return `the grid changed since the pick (${reason.from.slice(7, 19)} → ${reason.to.slice(7, 19)}); pick again: ${pickCommand(reason.sequence, reason.cells)}`;
    case 'refused-before':
      return `the provider refused these same inputs last time (${reason.message}); change the plan, or build with --retry-failed to try again (it may be charged)`;
    case 'submit-interrupted':
      return `an earlier build was interrupted while submitting this take (${reason.at}); the provider may have accepted and billed it. Check the provider's dashboard, then build it with --resubmit to submit again`;
    case 'interrupted':
      return `interrupted before it ${reason.before === 'start' ? 'started' : 'finished'}`;
    case 'account-stopped':
      return `not submitted: ${reason.message}`;
    case 'max-cost':
      return `not submitted: --max-cost $${reason.maxUsd.toFixed(2)} would be passed (spent or running: $${reason.committedUsd.toFixed(2)}, this node: $${reason.nodeUsd.toFixed(2)})`;
    case 'needs-consent':
      return `not run: it would cost $${reason.nodeUsd.toFixed(2)} and this cycle may not spend (confirm it, raise --auto-spend, or run cg build)`;
    case 'after':
      return `runs once ${reason.dep} is made`;
    case 'step-failed':
      return reason.message;
    case 'lost':
      return `its paid result (${reason.label}, $${reason.costUsd.toFixed(2)}) is lost: ${reason.output} and the stored copy are damaged, and the provider no longer serves it. Put the file back from a backup and build again, or pay for a new take with cg build ${reason.sequence} --retake`;
    default:
      return unreachable(reason);
  }
}

/** An element-cap warning in words. */
export function capWarningText(warning: CapWarning): string {
  const frame = warning.withStartFrame ? 'with' : 'without';
  return `${warning.sequence} lists ${warning.listed} elements but the model takes ${warning.cap} ${frame} a start frame: dropping ${warning.dropped.join(', ')} (plan order is the priority; they are described in the prompt instead)`;
}
