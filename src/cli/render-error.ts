import { unreachable } from '../util/result.ts';
import { exitCodes, toCgError, type CgError, type ExitCode, type InputIssue, type UnusableTake } from '../util/errors.ts';
import type { Io } from './io.ts';

function where(issue: InputIssue): string {
  const at = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return issue.path === '' ? at : `${at} ${issue.path}`;
}

function unusableText(sequence: string, take: string, problem: UnusableTake): string {
  switch (problem.why) {
    case 'unknown':
      return `${sequence} has no take ${take}${problem.known.length > 0 ? ` (it has ${problem.known.join(', ')})` : ' yet'}`;
    case 'other-sequence':
      return `${take} is a take of ${problem.owner}, not of ${sequence}`;
    case 'not-finished':
      return problem.status === 'failed' ? `${take} failed${problem.error === null ? '' : ` (${problem.error})`}: it made nothing to bring back` : `${take} has not finished (${problem.status})`;
    case 'no-prompts':
      return `${take} is a grid of start-frame candidates: it has no shot prompts`;
    case 'no-shot':
      return `${take} has no shot ${problem.shot} (its shots: ${problem.shots.join(', ')})`;
    case 'not-in-plan':
      return `${sequence} has ${problem.planShots} shots in plan.json: there is no shot ${problem.shot} to write into`;
    case 'shot-count':
      return `${take} has ${problem.takeShots} shots and ${sequence} has ${problem.planShots} in plan.json: take them one at a time (--use 1:${take})`;
    default:
      return unreachable(problem);
  }
}

/** The one place that turns an error value into words for a person. */
export function renderError(error: CgError, version: string): string {
  switch (error.kind) {
    case 'input-invalid': {
      const count = error.issues.length;
      const lines = error.issues.map((issue) => `  ${where(issue)}: ${issue.message}`);
      return `cg: ${count === 1 ? 'a mistake' : `${count} mistakes`} in the project's files; nothing was run or written:\n${lines.join('\n')}`;
    }
    case 'usage':
      return `cg: ${error.message}`;
    case 'no-root':
      return `cg: no pipeline.config.ts in ${error.cwd} or any folder above it: run cg from your clipgraph folder, or cg init NAME to start one here`;
    case 'unknown-project':
      return `cg: no project "${error.name}" in ${error.projectsDir}/${error.available.length > 0 ? ` (there: ${error.available.join(', ')})` : ''}: pass --project NAME, or cg init ${error.name} to create it`;
    case 'unknown-sequence':
      return `cg: unknown sequence or node ${error.sequences.map((s) => `"${s}"`).join(', ')}: the plan has ${error.available.join(', ')} (a node is written SEQ08:take, SEQ08:grid, SEQ08:shot03)`;
    case 'lock-busy':
      return `cg: another cg command (pid ${error.holder.pid}, "${error.holder.command}", started ${error.holder.startedAt}) is working on this project (${error.lockPath}); wait for it to finish, or drop --no-wait to queue behind it`;
    case 'steps-failed':
      return `cg: ${error.failures.length} node${error.failures.length === 1 ? '' : 's'} failed:\n${error.failures.map((f) => `  ${f.nodeId}: ${f.message}`).join('\n')}`;
    case 'budget-exceeded':
      return `cg: this build is estimated at $${error.estimateUsd.toFixed(2)}, above --max-cost $${error.maxUsd.toFixed(2)}; nothing was submitted (build fewer sequences, or raise --max-cost)`;
    case 'missing-key':
      return `cg: ${error.variable} is not set: the ${error.provider} provider needs it (put it in the environment or in the project's .env)`;
    case 'interrupted':
      return 'cg: interrupted; finished work is kept, and the next build carries on where this one stopped';
    case 'no-grid':
      return `cg: ${error.sequence} has no "grid" in plan.json, so there is nothing to pick from`;
    case 'grid-not-built':
      return `cg: ${error.sequence}'s grid is not built for the current plan (${error.why}): run cg build ${error.sequence} first, then pick`;
    case 'unknown-take':
      return `cg: ${error.sequence} has no take ${error.take}${error.known.length > 0 ? `; it has ${error.known.join(', ')}` : ' yet: cg build it first'}`;
    case 'no-current-take':
      return `cg: ${error.sequence} has no take for the current plan; name one with --take N${error.known.length > 0 ? ` (${error.known.join(', ')})` : ''}`;
    case 'individual-mode':
      return `cg: ${error.sequence} is in individual mode: its shots have their own takes (cg takes ${error.sequence}); ${error.verdict} works on multi-shot sequences`;
    case 'not-approved':
      return `cg: ${error.sequence} has no approved take: cg approve ${error.sequence} --take N first`;
    case 'unusable-take':
      return `cg: cannot use ${error.take}: ${unusableText(error.sequence, error.take, error.problem)}; plan.json is unchanged`;
    case 'bad-frame-file':
      return `cg: ${error.file} cannot be a start frame: ${error.why}; nothing was written`;
    case 'internal':
      return `cg: internal error (a bug in clipgraph ${version}, not in your files): ${error.message}\n${error.stack ?? ''}\nPlease report it with the command you ran.`;
    default:
      return unreachable(error);
  }
}

/** A command's failure, as every command ends with one: rendered on stderr, and its exit code. */
export function reportFailure(io: Pick<Io, 'stderr' | 'version'>, error: unknown): ExitCode {
  const cg = toCgError(error);
  io.stderr.write(`${renderError(cg, io.version)}\n`);
  return exitCodes[cg.kind];
}
