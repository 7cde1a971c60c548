import { chooseReporter } from '../reporters/choose.ts';
import { noFaults } from '../util/faults.ts';
import { lockCommand, serveMemo } from './commands/settled.ts';
import { codePaths } from './code-paths.ts';
import { fastArgs } from './fast-args.ts';
import { withProjectLock } from './lock.ts';
import { statSync } from 'node:fs';
import { memoFile, openMemo } from './noop-memo.ts';
import { interruptedBeforeStart, processIo } from './process-io.ts';
import { openConfig, resolveProject } from './project.ts';
import { reportFailure } from './render-error.ts';
import type { CompileOverrides } from '../graph/overrides.ts';
import type { BuildArgs } from './commands/build.ts';
import type { Io } from './io.ts';
import type { ExitCode } from '../util/errors.ts';
import { takeOverrides } from './take-variants.ts';

/** What this process ran, for its code cache: the boot (boot.ts) reads it at exit. */
const paths = codePaths();
export const runNotes = paths.notes;

/**
 * A larger memo is left to the CLI: a project of hundreds of sequences, whose no-op takes far
 * longer than a start, would have it read twice (here, then by the CLI) whenever it does not hold.
 */
const largestMemo = 1024 * 1024;

/**
 * dist/noop.cjs: `cg build` served by the no-op memo without the rest of the CLI. The CLI's
 * bundle (main.ts) is 400 KB that a start reads, and whose compiled code it loads; this one is
 * a seventh of that, and the boot runs it first for `cg build`. It serves a build of the plan
 * as it is whose memo holds, through the modules the CLI serves one with, so it prints exactly
 * what the CLI would. For anything else (other flags, a memo that does not hold, a lock another
 * command holds, any problem at all) it returns false having printed nothing and left nothing
 * behind, and the boot runs the CLI, which does it all again and says what there is to say.
 */
export async function serveNoop(argv: readonly string[]): Promise<boolean> {
  const fast = fastArgs(argv);
  // The crash harness's faults are the CLI's to arm.
  if (fast?.command !== 'build' || process.env['CG_FAULT'] !== undefined) return false;
  const { args } = fast;
  if (args.dryRun || args.retake || (args.json && args.ndjson)) return false;
  let overrides: CompileOverrides | undefined;
  try {
    overrides = takeOverrides(args.targets, args);
  } catch {
    return false;
  }
  if (overrides !== undefined) return false;
  const { io, detach, drained } = processIo(noFaults, paths);
  const code = await servedCode(io, args);
  if (code !== undefined) {
    process.exitCode = code;
    // The boot exits at once (process.exit): what stdout and stderr hold is written first.
    await drained();
    return true;
  }
  detach();
  // Its code cache is for the runs it serves (code-paths.ts).
  paths.leftEverydayPath();
  return false;
}

/** The exit code of a build this bundle saw through (served, failed once it printed, or interrupted); undefined for the CLI to do. */
async function servedCode(io: Io, args: BuildArgs): Promise<ExitCode | undefined> {
  const started = io.clock.now();
  let serving = false;
  try {
    const config = await openConfig(io);
    const project = await resolveProject(config, args.project);
    const size = statSync(memoFile(project.paths), { throwIfNoEntry: false })?.size;
    // No memo, or one this bundle leaves to the CLI: nothing to do here. The lock is never waited
    // for: a command holding it is the CLI's to wait for, and to say so.
    const code =
      size === undefined || size > largestMemo
        ? undefined
        : await withProjectLock(io, project.paths, lockCommand(args), { wait: false }, async () => {
            const memo = await openMemo(io, project.paths, project.config, args.targets);
            if (memo.report === undefined) return undefined;
            serving = true;
            const reporter = chooseReporter({ json: args.json, ndjson: args.ndjson, isTTY: io.stdout.isTTY === true, env: io.env });
            return serveMemo(io, args, memo, memo.report, started, reporter);
          });
    if (code !== undefined) return code;
  } catch (error) {
    // Once it printed, the build is this run's to finish, as the CLI would.
    if (serving) return reportFailure(io, error);
  }
  // A Ctrl-C during the check stops the build here; one not handled yet goes to the CLI's handlers (detach).
  if (io.signal.aborted) {
    io.stderr.write(interruptedBeforeStart);
    return 130;
  }
  return undefined;
}
