import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LandingStore } from '../../cache/landing.ts';
import { runBuild, type BuildOptions, type BuildReport } from '../../graph/execute.ts';
import type { NodeId } from '../../graph/nodes.ts';
import { RecordJournal } from '../../state/record-journal.ts';
import { updateDecisions } from '../../state/decisions-file.ts';
import { CgFailure } from '../../util/errors.ts';
import type { ExitCode } from '../../util/errors.ts';
import type { NodeKey } from '../../util/hash.ts';
import { invalidateSequences, sequenceFacts, writeSequences } from '../derived.ts';
import { plural, seconds, usd } from '../format.ts';
import type { Io } from '../io.ts';
import { checkKeys, providerFactory } from '../providers.ts';
import { environment } from '../secrets.ts';
import { CostLedger } from '../../state/cost-ledger.ts';
import { jsonReport, lineReporter, warningReporter } from '../reporter.ts';
import { withProjectLock } from '../lock.ts';
import { openConfig, openWorkspace, planningContext, resolveProject, resolveTargets, type Workspace } from '../workspace.ts';
import type { BuildEvent } from '../../graph/events.ts';

export interface BuildArgs {
  targets: string[];
  project: string | undefined;
  dryRun: boolean;
  retake: boolean;
  jobs: number | undefined;
  json: boolean;
  wait: boolean;
  yes: boolean;
  maxCost: number | undefined;
  resubmit: boolean;
  retryFailed: boolean;
}

const defaultJobs = 8;

/** Nodes a --retake applies to: the video nodes (or a named node) of the targets. */
function retakeNodes(ws: Workspace, targets: readonly string[], resolved: readonly NodeId[]): Set<NodeId> {
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

function planText(ws: Workspace, report: BuildReport): string {
  const lines = [`Dry run of ${ws.paths.name}: nothing is run or written.`];
  const shown = report.nodes.filter((node) => node.action !== 'reuse');
  const width = Math.max(0, ...shown.map((node) => node.id.length));
  for (const node of shown) {
    const cost = node.action === 'run' && node.estimateUsd > 0 ? `  ${usd(node.estimateUsd)}` : '';
    lines.push(`  ${node.action.padEnd(7)} ${node.id.padEnd(width)}  ${node.reason}${cost}`);
  }
  const runs = report.nodes.filter((node) => node.action === 'run').length;
  const reused = report.nodes.filter((node) => node.action === 'reuse').length;
  const blocked = report.nodes.filter((node) => node.action === 'blocked').length;
  const { providers, prices } = ws.projectConfig;
  const free = providers.image === 'sim' && providers.video === 'sim' ? ' (the sim provider is free; this is what the same build costs for real)' : '';
  lines.push(
    `Would run ${plural(runs, 'node')}, reuse ${reused}, ${blocked} waiting. Estimated ${usd(report.estimateUsd)} at the prices of ${prices.date}${free}.`,
  );
  return `${lines.join('\n')}\n`;
}

function summaryText(ws: Workspace, report: BuildReport, elapsedMs: number): string {
  const ran = report.nodes.filter((node) => node.action === 'run');
  const reused = report.nodes.filter((node) => node.action === 'reuse').length;
  const blocked = report.nodes.filter((node) => node.action === 'blocked');
  const failed = report.nodes.filter((node) => node.action === 'failed').length;
  const waitingPicks = blocked.filter((node) => node.kind === 'frame' && node.reason.includes('cg pick'));
  if (ran.length === 0 && failed === 0 && !report.interrupted) {
    const waiting = blocked.length === 0 ? '' : ` (${blocked.length} waiting: ${waitingPicks.length > 0 ? `${plural(waitingPicks.length, 'grid')} to pick from, ` : ''}see cg status)`;
    return `Nothing to build: ${reused} nodes up to date${waiting}.\n`;
  }
  const atReal = ran.reduce((sum, node) => sum + node.estimateUsd, 0);
  const lines = [
    `Built ${plural(ran.length, 'node')} in ${seconds(elapsedMs)}, reused ${reused}, ${blocked.length} waiting, ${failed} failed. Spent ${usd(report.totalCostUsd)}${report.totalCostUsd === 0 && atReal > 0 ? ` (${usd(atReal)} at real prices)` : ''}.`,
  ];
  for (const node of waitingPicks) {
    const grid = report.nodes.find((n) => n.id === `${node.sequence}:grid`);
    lines.push(`  ${node.sequence}: ${grid?.output == null ? '' : `look at ${grid.output}, then `}${node.reason.replace(/^.*?(cg pick)/, '$1')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The element-cap warnings of sequences whose video is about to be made (not of those reused). */
function capWarnings(ws: Workspace, plan: BuildReport): string[] {
  const running = new Set(plan.nodes.filter((node) => node.action === 'run' && (node.kind === 'take' || node.kind === 'shot')).map((node) => node.sequence));
  return ws.graph.warnings.filter((warning) => running.has(warning.split(' ')[0] ?? ''));
}

/** Asks before a build drops elements over the model's cap (interactive terminals only); the question shows the warnings. */
async function confirmCap(io: Io, ws: Workspace, plan: BuildReport, args: BuildArgs): Promise<'not-asked' | 'accepted' | 'declined'> {
  if (io.ask === undefined || args.yes || args.json) return 'not-asked';
  const warnings = capWarnings(ws, plan);
  if (warnings.length === 0) return 'not-asked';
  io.stderr.write(`${warnings.map((warning) => `! ${warning}`).join('\n')}\n`);
  const answer = await io.ask('Build anyway, without those elements? [y/N] ');
  return /^y(es)?$/i.test(answer.trim()) ? 'accepted' : 'declined';
}

/** The executor's options for one workspace: stores, providers, journal, ledger, limits. */
function executorOptions(io: Io, ws: Workspace, args: BuildArgs, env: Readonly<Record<string, string | undefined>>, targets: readonly NodeId[]): Omit<BuildOptions, 'planning' | 'dryRun' | 'emit'> {
  const priceDate = ws.projectConfig.prices.date;
  const ledger = new CostLedger(ws.paths.costs, ws.faults);
  return {
    graph: ws.graph,
    targets,
    blobs: ws.blobs,
    actions: ws.actions,
    built: ws.built,
    journal: new RecordJournal(ws.paths.shots, () => io.clock.now(), () => invalidateSequences(ws), ws.faults),
    landing: new LandingStore(join(ws.paths.cache, 'landing'), ws.faults),
    files: ws.files,
    refetch: async (url) => {
      const response = await io.fetch(url, { signal: io.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    faults: ws.faults,
    providers: providerFactory({ io, config: ws.projectConfig, paths: ws.paths, env }),
    readFile: (path: string) => readFile(path),
    clock: io.clock,
    signal: io.signal,
    concurrency: ws.projectConfig.concurrency,
    jobs: args.jobs ?? defaultJobs,
    maxCostUsd: args.maxCost,
    resubmit: args.resubmit,
    retryRefused: args.retryFailed,
    onPaid: (calls) => ledger.append(calls.map((call) => ({ at: io.clock.now().toISOString(), ...call, priceDate }))),
    onVariant: async (sequence: string, baseKey: NodeKey, variant: number) => {
      await updateDecisions(ws.paths.decisions, (decisions) => {
        const entry = decisions.sequences[sequence] ?? {};
        decisions.sequences[sequence] = { ...entry, retakes: { ...(entry.retakes ?? {}), [baseKey]: variant } };
      }, () => ws.faults('write:decisions'));
    },
  };
}

export async function buildCommand(io: Io, args: BuildArgs): Promise<ExitCode> {
  const started = io.clock.now();
  if (args.dryRun) {
    const ws = await openWorkspace(io, args.project, { readOnly: true });
    const targets = resolveTargets(ws.graph, args.targets);
    const retake = args.retake ? retakeNodes(ws, args.targets, targets) : new Set<NodeId>();
    const env = await environment(io, ws.paths);
    const plan = await runBuild({ ...executorOptions(io, ws, args, env, targets), planning: await planningContext(ws, retake), dryRun: true, emit: () => {} });
    if (!args.json) for (const warning of capWarnings(ws, plan)) io.stderr.write(`! ${warning}\n`);
    io.stdout.write(args.json ? jsonReport(plan.nodes, plan.estimateUsd, { dryRun: true }) : planText(ws, plan));
    return 0;
  }
  // The project is read under the lock: a pick, an approval or another build that finished
  // a moment ago is seen, never planned around.
  const config = await openConfig(io);
  const { paths } = await resolveProject(config, args.project);
  const command = `cg build ${args.targets.join(' ')}`.trim();
  return withProjectLock(io, paths, command, { wait: args.wait }, async () => {
    const ws = await openWorkspace(io, args.project, { config });
    try {
      return await buildLocked(io, ws, args, started);
    } finally {
      await ws.built.save();
    }
  });
}

async function buildLocked(io: Io, ws: Workspace, args: BuildArgs, started: Date): Promise<ExitCode> {
  const targets = resolveTargets(ws.graph, args.targets);
  const retake = args.retake ? retakeNodes(ws, args.targets, targets) : new Set<NodeId>();
  const env = await environment(io, ws.paths);
  const listen: (event: BuildEvent) => void = args.json ? warningReporter(io.stderr) : lineReporter(io.stdout, io.stderr);
  const options = executorOptions(io, ws, args, env, targets);
  const preview = await runBuild({ ...options, planning: await planningContext(ws, retake), dryRun: true, checkFiles: true, emit: () => {} });
  const running = preview.nodes.filter((node) => node.action === 'run');
  checkKeys({ io, config: ws.projectConfig, paths: ws.paths, env }, new Set(running.map((node) => ws.graph.nodes.get(node.id)?.lane ?? 'local')));
  if (args.maxCost !== undefined && preview.estimateUsd > args.maxCost + 1e-9) {
    throw new CgFailure({ kind: 'budget-exceeded', estimateUsd: preview.estimateUsd, maxUsd: args.maxCost });
  }
  const cap = await confirmCap(io, ws, preview, args);
  if (cap === 'declined') {
    io.stderr.write('cg: nothing was built.\n');
    return 2;
  }
  if (cap === 'not-asked') for (const warning of capWarnings(ws, preview)) listen({ type: 'warning', message: warning });
  if (!args.json && running.length > 0) {
    io.stdout.write(`Building ${ws.paths.name}: ${plural(running.length, 'node')} to run (estimated ${usd(preview.estimateUsd)} at real prices).\n`);
  }
  // Nothing to run or repair: the plan is the report (a no-op build walks the graph once).
  const report = preview.settled ? preview : await runBuild({ ...options, planning: await planningContext(ws, retake), dryRun: false, emit: listen, memo: preview.memo });
  await ws.statCache.save();
  await writeSequences(ws, sequenceFacts(ws, report.nodes, true));
  const elapsed = io.clock.now().getTime() - started.getTime();
  io.stdout.write(args.json ? jsonReport(report.nodes, report.totalCostUsd) : summaryText(ws, report, elapsed));
  if (report.interrupted) throw new CgFailure({ kind: 'interrupted' });
  if (report.failures.length > 0) throw new CgFailure({ kind: 'steps-failed', failures: report.failures });
  return 0;
}
