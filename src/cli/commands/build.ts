import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LandingStore } from '../../cache/landing.ts';
import { applyPlan } from '../../graph/apply/apply.ts';
import type { ApplyContext } from '../../graph/apply/context.ts';
import { plannedEvents, type BuildEvent, type NodeReport } from '../../graph/events.ts';
import { planBuild, planReports, type BuildPlan, type PlanFacts, type PlannedReport } from '../../graph/plan.ts';
import { loggedFacts, ReadLog } from '../../graph/read-log.ts';
import { planText } from '../../reporters/build-text.ts';
import { jsonReport } from '../../reporters/json.ts';
import { chooseReporter, createReporter, type ReporterChoice } from '../../reporters/choose.ts';
import { capWarningText } from '../../reporters/reasons.ts';
import { timingLines, timingWarningText } from '../../reporters/cut.ts';
import { isBilled, type NodeId } from '../../graph/nodes.ts';
import { RecordJournal } from '../../state/record-journal.ts';
import { updateDecisions } from '../../state/decisions-file.ts';
import { CgFailure } from '../../util/errors.ts';
import type { ExitCode } from '../../util/errors.ts';
import type { NodeKey } from '../../util/hash.ts';
import { beforeRecordWrite, deriveBuiltState, deriveState } from '../derived.ts';
import { plural, usd } from '../../reporters/format.ts';
import type { Io } from '../io.ts';
import { checkKeys, providerFactory } from '../providers.ts';
import { environment } from '../secrets.ts';
import { CostLedger } from '../../state/cost-ledger.ts';
import { planFacts, planOnly } from '../plan-only.ts';
import { withProjectLock } from '../lock.ts';
import { openConfig, openWorkspace, resolveProject, resolveTargets, type Workspace } from '../workspace.ts';
import { forgetMemo, inputChecks, mergeLines, narrowing, openMemo, rememberNarrowed, rememberSettled, type Narrowing } from '../noop-memo.ts';
import { takeOverrides, type VariantArgs } from '../take-variants.ts';
import { exitOf, finish, lockCommand, serveMemo, type BuildOutcome } from './settled.ts';

export { exitOf, type BuildOutcome } from './settled.ts';


export interface BuildArgs {
  targets: string[];
  project: string | undefined;
  dryRun: boolean;
  retake: boolean;
  jobs: number | undefined;
  json: boolean;
  /** One JSON event per line on stdout as the build goes, ending with the summary. */
  ndjson: boolean;
  wait: boolean;
  yes: boolean;
  maxCost: number | undefined;
  resubmit: boolean;
  retryFailed: boolean;
}

const defaultJobs = 8;

/** Nodes a --retake applies to: the video nodes (or a named node) of the targets. */
export function retakeNodes(ws: Workspace, targets: readonly string[], resolved: readonly NodeId[]): Set<NodeId> {
  if (targets.length === 0) {
    throw new CgFailure({ kind: 'usage', message: '--retake makes a new paid take: name the sequences to retake, e.g. cg build SEQ08 --retake' });
  }
  const named = new Set(targets.filter((target) => target.includes(':')));
  return new Set(
    resolved.filter((id) => {
      const node = ws.graph.nodes.get(id);
      if (node === undefined) return false;
      if (named.size > 0) return named.has(id);
      return node.kind === 'take' || node.kind === 'shot';
    }),
  );
}

/** The element-cap warnings of sequences whose video is about to be made (not of those reused). */
function capWarnings(ws: Workspace, nodes: readonly NodeReport[]): string[] {
  const running = new Set(nodes.filter((node) => node.action === 'run' && (node.kind === 'take' || node.kind === 'shot')).map((node) => node.sequence));
  return ws.graph.warnings.filter((warning) => running.has(warning.sequence)).map(capWarningText);
}

/** Asks before a build drops elements over the model's cap (interactive terminals only); the question shows the warnings. */
async function confirmCap(io: Io, ws: Workspace, nodes: readonly NodeReport[], args: BuildArgs): Promise<'not-asked' | 'accepted' | 'declined'> {
  if (io.ask === undefined || args.yes || args.json) return 'not-asked';
  const warnings = capWarnings(ws, nodes);
  if (warnings.length === 0) return 'not-asked';
  io.stderr.write(`${warnings.map((warning) => `! ${warning}`).join('\n')}\n`);
  const answer = await io.ask('Build anyway, without those elements? [y/N] ');
  return /^y(es)?$/i.test(answer.trim()) ? 'accepted' : 'declined';
}

/** What applying a plan needs in this workspace: stores, providers, journal, ledger, limits. */
function applyContext(io: Io, ws: Workspace, args: BuildArgs, env: Readonly<Record<string, string | undefined>>, facts: PlanFacts, journal: RecordJournal, options: { listen: (event: BuildEvent) => void; maySpend: boolean }): ApplyContext {
  const ledger = new CostLedger(ws.paths.costs, ws.faults);
  const { media } = ws;
  return {
    graph: ws.graph,
    facts,
    stores: {
      blobs: ws.blobs,
      actions: ws.actions,
      built: ws.built,
      journal,
      landing: new LandingStore(join(ws.paths.cache, 'landing'), ws.faults),
      files: ws.files,
    },
    refetch: async (url) => {
      const response = await io.fetch(url, { signal: io.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    faults: ws.faults,
    providers: providerFactory({ io, config: ws.projectConfig, paths: ws.paths, env, media }),
    media,
    readFile: (path: string) => readFile(path),
    clock: io.clock,
    signal: io.signal,
    concurrency: ws.projectConfig.concurrency,
    jobs: args.jobs ?? defaultJobs,
    maxCostUsd: args.maxCost,
    maySpend: options.maySpend,
    resubmit: args.resubmit,
    retryRefused: args.retryFailed,
    emit: options.listen,
    onPaid: (calls) => ledger.append(calls.map((call) => ({ at: io.clock.now().toISOString(), ...call }))),
    onVariant: async (sequence: string, baseKey: NodeKey, variant: number) => {
      await updateDecisions(ws.paths.decisions, (decisions) => {
        const entry = decisions.sequences[sequence] ?? {};
        decisions.sequences[sequence] = { ...entry, retakes: { ...(entry.retakes ?? {}), [baseKey]: variant } };
      }, () => ws.faults('write:decisions'));
    },
  };
}

function dryRunText(ws: Workspace, nodes: readonly NodeReport[], plan: BuildPlan): string {
  const { providers } = ws.projectConfig;
  return planText({ project: ws.paths.name, nodes, estimateUsd: plan.estimateUsd, priceDates: plan.priceDates, simOnly: providers.image === 'sim' && providers.video === 'sim' });
}

export async function buildCommand(io: Io, args: BuildArgs & VariantArgs): Promise<ExitCode> {
  const started = io.clock.now();
  if (args.json && args.ndjson) throw new CgFailure({ kind: 'usage', message: '--json prints one document at the end and --ndjson one event per line as it goes: choose one' });
  const overrides = takeOverrides(args.targets, args);
  if (args.dryRun) {
    const ws = await openWorkspace(io, args.project, { readOnly: true, overrides });
    const targets = resolveTargets(ws.graph, args.targets);
    const retake = args.retake ? retakeNodes(ws, args.targets, targets) : new Set<NodeId>();
    const { plan, nodes } = await planOnly(io, ws, targets, retake);
    if (!args.json) for (const warning of [...capWarnings(ws, nodes), ...timingLines(ws.graph.timing.map(timingWarningText))]) io.stderr.write(`! ${warning}\n`);
    io.stdout.write(args.json ? jsonReport(nodes, plan.estimateUsd, { dryRun: true }) : dryRunText(ws, nodes, plan));
    return 0;
  }
  // The project is read under the lock: a pick, an approval or another build that finished
  // a moment ago is seen, never planned around.
  const config = await openConfig(io);
  const project = await resolveProject(config, args.project);
  return withProjectLock(io, project.paths, lockCommand(args), { wait: args.wait }, async () => {
    const reporter = chooseReporter({ json: args.json, ndjson: args.ndjson, isTTY: io.stdout.isTTY === true, env: io.env });
    // A build of the plan as it is (no retake, no take overrides) may be one done before.
    const memo = args.retake || overrides !== undefined ? undefined : await openMemo(io, project.paths, project.config, args.targets);
    if (memo?.report !== undefined) return serveMemo(io, args, memo, memo.report, started, reporter);
    // Planned in full: off the no-op's everyday path (code-paths.ts).
    io.codePaths.leftEverydayPath();
    const inputs = memo === undefined ? undefined : await inputChecks(project.paths, memo.stats, memo.plan, memo.stale?.scope);
    // Only a few sequences changed since the memo: plan and build those, take the rest from it.
    const narrow = memo === undefined || args.targets.length > 0 ? undefined : narrowing(memo, inputs);
    const ws = await openWorkspace(io, args.project, { config, overrides, statCache: memo?.stats, narrow, plan: inputs?.takePlan });
    const log = new ReadLog();
    let outcome: BuildOutcome;
    try {
      outcome = await buildOnce(io, ws, args, started, { reporter, maySpend: true, log, narrow });
    } catch (error) {
      if (narrow !== undefined && !(error instanceof CgFailure)) await forgetMemo(ws.paths);
      throw error;
    } finally {
      await ws.built.save();
    }
    if (memo !== undefined && inputs !== undefined && outcome.kind === 'done') {
      if (narrow !== undefined) await rememberNarrowed(io, ws, memo, inputs, narrow, outcome.settled === undefined ? undefined : { lines: outcome.settled, log });
      else if (outcome.settled !== undefined) await rememberSettled(ws, memo, inputs, log, { nodes: outcome.settled, estimateUsd: outcome.estimateUsd });
    }
    return exitOf(io, outcome);
  });
}

/** How one build runs: how it shows progress, and whether billed work may start. */
export interface BuildRunOptions {
  reporter: ReporterChoice;
  /** False: only free nodes run; billed ones wait for consent (cg watch). */
  maySpend: boolean;
  /** Notes what the plan reads (for the no-op memo). */
  log?: ReadLog;
  /** The workspace holds only the sequences that changed since the memo; its report holds for the rest. */
  narrow?: Narrowing;
}

/** Plans and builds the targets of a workspace whose lock is held; prints the summary. */
export async function buildOnce(io: Io, ws: Workspace, args: BuildArgs, started: Date, options: BuildRunOptions): Promise<BuildOutcome> {
  const targets = resolveTargets(ws.graph, args.targets);
  const retake = args.retake ? retakeNodes(ws, args.targets, targets) : new Set<NodeId>();
  const env = await environment(io, ws.paths);
  const journal = new RecordJournal(ws.paths.shots, () => io.clock.now(), (recordId) => beforeRecordWrite(ws, recordId), ws.faults);
  const read = await planFacts(io, ws, retake, journal);
  const facts = options.log === undefined ? read : loggedFacts(read, options.log);
  const plan = await planBuild(ws.graph, targets, facts);
  const preview = planReports(plan);
  // What will really start (without consent, billed nodes wait): only these need keys.
  const starting = preview.filter((report) => {
    const node = ws.graph.nodes.get(report.id);
    return report.action === 'run' && node !== undefined && (options.maySpend || !isBilled(node));
  });
  checkKeys(env, new Set(starting.map((report) => ws.graph.nodes.get(report.id)?.lane ?? 'local')));
  if (args.maxCost !== undefined && plan.estimateUsd > args.maxCost + 1e-9) {
    throw new CgFailure({ kind: 'budget-exceeded', estimateUsd: plan.estimateUsd, maxUsd: args.maxCost });
  }
  const cap = await confirmCap(io, ws, preview, args);
  if (cap === 'declined') return { kind: 'declined' };
  // A build with nothing to do draws no live display (and loads nothing for one).
  const reporter = await createReporter(plan.settled && options.reporter === 'tty' ? 'plain' : options.reporter, io);
  try {
    return await carryOut(io, ws, args, { plan, preview, starting, facts, journal, env, started, capShown: cap !== 'not-asked', listen: (event) => reporter.listen(event), perNode: reporter.perNode }, options);
  } finally {
    await reporter.close();
  }
}

interface Planned {
  plan: BuildPlan;
  preview: PlannedReport[];
  /** The nodes that will really start. */
  starting: NodeReport[];
  facts: PlanFacts;
  /** The execution records, read once for planning, building and deriving. */
  journal: RecordJournal;
  env: Readonly<Record<string, string | undefined>>;
  started: Date;
  /** The element-cap warnings were shown with the question already. */
  capShown: boolean;
  listen: (event: BuildEvent) => void;
  /** The reporter reads every node's events (Reporter.perNode). */
  perNode: boolean;
}

/** Runs a plan (or takes it as the report when it is settled), derives the state, prints the summary. */
async function carryOut(io: Io, ws: Workspace, args: BuildArgs, planned: Planned, options: BuildRunOptions): Promise<BuildOutcome> {
  const { plan, preview, starting, facts, journal, env, started, listen } = planned;
  const quiet = args.json || args.ndjson;
  const { narrow } = options;
  const all = <L extends NodeReport>(lines: L[]): Array<L | PlannedReport> => (narrow === undefined ? lines : mergeLines(narrow, lines));
  if (planned.perNode) for (const event of plannedEvents(all(preview))) listen(event);
  if (!planned.capShown) for (const warning of capWarnings(ws, preview)) listen({ type: 'warning', nodeId: null, message: warning });
  if (!quiet && starting.length > 0) {
    const estimate = starting.reduce((sum, node) => sum + node.estimateUsd, 0);
    io.stdout.write(`Building ${ws.paths.name}: ${plural(starting.length, 'node')} to run (estimated ${usd(estimate)} at real prices).\n`);
  }
  if (!plan.settled) {
    // A build that runs something reports each reused node as it goes; the memo's are intact (it was just checked).
    if (planned.perNode) for (const line of narrow?.others ?? []) if (line.action === 'reuse') listen({ type: 'reused', nodeId: line.id, takeId: line.takeId, output: line.output });
    io.codePaths.leftEverydayPath();
  }
  // Nothing to run or repair: the plan is the report (a no-op build walks the graph once).
  const report = plan.settled ? { nodes: preview, totalCostUsd: 0, interrupted: false, failures: [] } : await applyPlan(plan, applyContext(io, ws, args, env, facts, journal, { listen, maySpend: options.maySpend }));
  await ws.statCache.save();
  const nodes = all(report.nodes);
  const whole = (): Promise<Workspace> => openWorkspace(io, ws.paths.name, { readOnly: true, config: ws, statCache: ws.statCache });
  await (ws.variant ? derivePlanState(io, ws) : deriveBuiltState(ws, nodes, whole, journal));
  return finish(io, args, { report: { ...report, nodes }, settled: plan.settled ? preview : undefined, estimateUsd: plan.estimateUsd }, started, listen);
}

/**
 * The derived state after a build with take overrides: what the plan's own graph says, as
 * `cg status` derives it, so sequences.json never depends on the flags of the last build.
 */
async function derivePlanState(io: Io, variant: Workspace): Promise<void> {
  const ws = await openWorkspace(io, variant.paths.name, { readOnly: true, config: variant });
  await deriveState(ws, (await planOnly(io, ws, ws.graph.order)).nodes, false);
}

