import { updateDecisions } from '../../state/decisions-file.ts';
import { CgFailure, type ExitCode } from '../../util/errors.ts';
import type { Io } from '../io.ts';
import { withProjectLock } from '../lock.ts';
import { openWorkspace } from '../workspace.ts';
import { buildCommand } from './build.ts';
import { refreshSequences, sequenceOf } from './decide.ts';

export interface GridArgs {
  project: string | undefined;
  sequence: string;
  again: boolean;
}

/**
 * `cg grid SEQ [--again]`: the sequence's grid, or one more of the same inputs beside the
 * earlier ones. A new grid asks a person to look again: the current pick is set aside (kept in
 * `earlierPicks`), so the sequence returns to grid review; every earlier grid stays pickable.
 */
export async function gridCommand(io: Io, args: GridArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project);
  const sequence = sequenceOf(ws, args.sequence);
  if (!ws.graph.nodes.has(`${sequence}:grid`)) throw new CgFailure({ kind: 'no-grid', sequence });
  const picked = ws.project.decisions.sequences[sequence]?.pick;
  if (args.again && picked !== undefined) {
    await withProjectLock(io, ws.paths, `cg grid ${sequence} --again`, { wait: true }, async () => {
      await updateDecisions(ws.paths.decisions, (decisions) => {
        const { pick, ...rest } = decisions.sequences[sequence] ?? {};
        decisions.sequences[sequence] = { ...rest, earlierPicks: [...(rest.earlierPicks ?? []), ...(pick === undefined ? [] : [pick])] };
      }, () => ws.faults('write:decisions'));
      await refreshSequences(io, ws);
    });
    io.stdout.write(`${sequence}: the pick is set aside (kept in decisions.json as an earlier pick); look at the new grid, then cg pick ${sequence}.\n`);
  }
  return buildCommand(io, { targets: [`${sequence}:grid`], project: args.project, dryRun: false, retake: args.again, jobs: undefined, json: false, ndjson: false, wait: true, yes: true, maxCost: undefined, resubmit: false, retryFailed: false });
}
