import { join } from 'node:path';
import { cutFacts } from '../../graph/cut-facts.ts';
import { chooseReporter } from '../../reporters/choose.ts';
import { placeholderList, timingLines, timingWarningText } from '../../reporters/cut.ts';
import { displayPath } from '../../plan/project-paths.ts';
import { CgFailure, type ExitCode } from '../../util/errors.ts';
import type { Io } from '../io.ts';
import { withProjectLock } from '../lock.ts';
import { openFile } from '../open-file.ts';
import { planOnly } from '../plan-only.ts';
import { openConfig, openWorkspace, resolveProject } from '../workspace.ts';
import { buildOnce, exitOf } from './build.ts';

export interface CutArgs {
  project: string | undefined;
  overlay: boolean;
  open: boolean;
  json: boolean;
  wait: boolean;
  jobs: number | undefined;
}

/**
 * Makes the cut from what exists: every free node it needs runs (sim takes, frames, segments,
 * the join), nothing billed starts; a slot without a take shows its start frame, grid or card.
 */
export async function cutCommand(io: Io, args: CutArgs): Promise<ExitCode> {
  const started = io.clock.now();
  const config = await openConfig(io);
  const { paths } = await resolveProject(config, args.project);
  return withProjectLock(io, paths, `cg cut${args.overlay ? ' --overlay' : ''}`, { wait: args.wait }, async () => {
    const ws = await openWorkspace(io, args.project, { config, overlay: args.overlay });
    const cut = ws.graph.cut;
    if (cut === undefined) {
      throw new CgFailure({ kind: 'input-invalid', issues: [{ file: displayPath(ws.paths, ws.paths.plan), path: 'song.file', message: 'the plan names no song: add "song": { "file": "song.m4a" } with the song in the project folder, and cg cut lays the sequences on it' }] });
    }
    if (!args.json) for (const line of timingLines(ws.graph.timing.map(timingWarningText))) io.stderr.write(`! ${line}\n`);
    try {
      const reporter = chooseReporter({ json: args.json, ndjson: false, isTTY: io.stdout.isTTY === true, env: io.env });
      const buildArgs = { targets: [cut], project: args.project, dryRun: false, retake: false, jobs: args.jobs, json: args.json, ndjson: false, wait: args.wait, yes: true, maxCost: undefined, resubmit: false, retryFailed: false };
      const outcome = await buildOnce(io, ws, buildArgs, started, { reporter, maySpend: false });
      const code = exitOf(io, outcome);
      const after = await planOnly(io, ws, [cut]);
      const facts = await cutFacts(ws.graph, after.plan, after.facts);
      if (facts !== undefined && !args.json && facts.placeholders.length > 0) io.stdout.write(`No take yet, shown by a placeholder: ${placeholderList(facts)}.\n`);
      if (args.open && facts?.file != null && !(await openFile(join(ws.paths.dir, facts.file), process.platform))) {
        io.stderr.write(`cg: no player could be opened here; the cut is ${displayPath(ws.paths, join(ws.paths.dir, facts.file))}\n`);
      }
      return code;
    } finally {
      await ws.built.save();
    }
  });
}
