import type { BuildReport } from '../../graph/apply/context.ts';
import { plannedEvents, summaryEvent, type BuildEvent } from '../../graph/events.ts';
import type { PlannedReport } from '../../graph/plan.ts';
import { summaryText } from '../../reporters/build-text.ts';
import { createReporter, type ReporterChoice } from '../../reporters/choose.ts';
import { jsonReport } from '../../reporters/json.ts';
import { reasonText } from '../../reporters/reasons.ts';
import { CgFailure, type ExitCode } from '../../util/errors.ts';
import type { Io } from '../io.ts';
import type { MemoSession, SettledReport } from '../noop-memo.ts';
import type { BuildArgs } from './build.ts';

/**
 * How a build ends: its summary, its exit code, and a no-op build served by the memo. Kept
 * apart from build.ts, which plans and runs builds, so that serving a no-op loads none of that
 * (src/cli/noop.ts serves one with this module and what it imports, nothing else).
 */

export type BuildOutcome =
  | { kind: 'declined' }
  | {
      kind: 'done';
      report: Pick<BuildReport, 'nodes' | 'totalCostUsd' | 'interrupted' | 'failures'>;
      /** The plan's report lines, when it had nothing to run or repair (they are then the report). */
      settled: PlannedReport[] | undefined;
      estimateUsd: number;
    };

/** The end of a build: the summary event, and the summary or the --json document. */
export function finish(io: Io, args: BuildArgs, done: Omit<Extract<BuildOutcome, { kind: 'done' }>, 'kind'>, started: Date, listen: (event: BuildEvent) => void): BuildOutcome {
  const { report } = done;
  const elapsedMs = io.clock.now().getTime() - started.getTime();
  listen(summaryEvent(report.nodes, report.totalCostUsd, done.estimateUsd, report.interrupted, elapsedMs));
  if (args.json) io.stdout.write(jsonReport(report.nodes, report.totalCostUsd));
  else if (!args.ndjson) io.stdout.write(summaryText({ ...report, elapsedMs }));
  return { kind: 'done', ...done };
}

/**
 * A settled build remembered by the no-op memo, shown as `carryOut` shows one: nothing runs,
 * so there is no cap question or warning, no "Building" line and no live display.
 */
async function showSettled(io: Io, args: BuildArgs, settled: SettledReport, started: Date, choice: ReporterChoice): Promise<BuildOutcome> {
  const reporter = await createReporter(choice === 'tty' ? 'plain' : choice, io);
  try {
    const listen = (event: BuildEvent): void => reporter.listen(event);
    if (reporter.perNode) for (const event of plannedEvents(settled.nodes)) listen(event);
    const report = { nodes: settled.nodes, totalCostUsd: 0, interrupted: false, failures: [] };
    return finish(io, args, { report, settled: settled.nodes, estimateUsd: settled.estimateUsd }, started, listen);
  } finally {
    await reporter.close();
  }
}

/** What the project lock names a build by. */
export function lockCommand(args: Pick<BuildArgs, 'targets'>): string {
  return `cg build ${args.targets.join(' ')}`.trim();
}

/** A no-op build served by the memo (under the project lock): what planning it in full prints, from the report it remembered. */
export async function serveMemo(io: Io, args: BuildArgs, memo: MemoSession, report: SettledReport, started: Date, choice: ReporterChoice): Promise<ExitCode> {
  io.codePaths.took('build:memo');
  await memo.stats.save();
  return exitOf(io, await showSettled(io, args, report, started, choice));
}

/** A finished build as exit code 0, or the failure it ended with. */
export function exitOf(io: Io, outcome: BuildOutcome): ExitCode {
  if (outcome.kind === 'declined') {
    io.stderr.write('cg: nothing was built.\n');
    return 2;
  }
  const { report } = outcome;
  if (report.interrupted) throw new CgFailure({ kind: 'interrupted' });
  if (report.failures.length > 0) throw new CgFailure({ kind: 'steps-failed', failures: report.failures.map((f) => ({ nodeId: f.nodeId, message: reasonText(f.reason) })) });
  return 0;
}
