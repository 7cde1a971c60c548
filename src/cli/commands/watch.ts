import { join } from 'node:path';
import type { NodeReport } from '../../graph/events.ts';
import { isBilled } from '../../graph/nodes.ts';
import { usd } from '../../reporters/format.ts';
import { chooseReporter } from '../../reporters/choose.ts';
import { reasonText } from '../../reporters/reasons.ts';
import { CgFailure, toCgError, type ExitCode } from '../../util/errors.ts';
import { WatchDriver, type WatchEvent } from '../../watch/driver.ts';
import { watchProject } from '../../watch/files.ts';
import type { Io } from '../io.ts';
import { withProjectLock } from '../lock.ts';
import { planOnly } from '../plan-only.ts';
import { renderError } from '../render-error.ts';
import { openConfig, openWorkspace, resolveProject, resolveTargets, type Workspace } from '../workspace.ts';
import { buildOnce, type BuildArgs } from './build.ts';

export interface WatchArgs {
  targets: string[];
  project: string | undefined;
  /** Paid work a cycle may start without asking, in USD (0: nothing paid without a person). */
  autoSpend: number;
  /** What this watcher may spend in all, in USD. */
  maxCost: number | undefined;
  jobs: number | undefined;
}

/** What one watcher has spent so far, across its cycles. */
interface Spending {
  usd: number;
}

/** What a cycle would run, why and at what price, before it runs anything. */
function staleLines(ws: Workspace, nodes: readonly NodeReport[]): string[] {
  const running = nodes.filter((node) => node.action === 'run');
  if (running.length === 0) return ['  nothing is out of date'];
  const width = Math.max(...running.map((node) => node.id.length));
  return running.map((node) => {
    const paid = ws.graph.nodes.get(node.id);
    const price = paid !== undefined && isBilled(paid) ? `  ${usd(node.estimateUsd)}` : '';
    return `  ${node.id.padEnd(width)}  ${reasonText(node.reason)}${price}`;
  });
}

/**
 * The cost guard: billed nodes run only within --auto-spend and --max-cost, or when a person at
 * the terminal says yes. Without a terminal the cycle builds the free nodes and says how to run the rest.
 */
async function consent(io: Io, args: WatchArgs, spent: Spending, billed: Array<{ id: string; estimateUsd: number }>): Promise<boolean> {
  if (billed.length === 0) return true;
  const price = billed.reduce((sum, node) => sum + node.estimateUsd, 0);
  const withinCap = args.maxCost === undefined || spent.usd + price <= args.maxCost + 1e-9;
  if (withinCap && price <= args.autoSpend + 1e-9) return true;
  const list = billed.map((node) => `${node.id} ${usd(node.estimateUsd)}`).join(', ');
  if (!withinCap) {
    io.stdout.write(`  not spent: ${list} would take this watcher past --max-cost ${usd(args.maxCost ?? 0)} (spent ${usd(spent.usd)})\n`);
    return false;
  }
  if (io.ask !== undefined) {
    const answer = await io.ask(`  Spend ${usd(price)} on ${list}? [Y/n] `);
    if (/^(y(es)?)?$/i.test(answer.trim())) return true;
  }
  const sequences = [...new Set(billed.map((node) => node.id.split(':')[0] ?? ''))];
  io.stdout.write(`  waiting for a person: ${list} (${usd(price)}); run them with: cg build ${sequences.join(' ')}\n`);
  return false;
}

/** One cycle: under the lock, plan, say what is stale and its price, ask before spending, build. */
async function cycle(io: Io, args: WatchArgs, spent: Spending): Promise<void> {
  const started = io.clock.now();
  const config = await openConfig(io);
  const { paths } = await resolveProject(config, args.project);
  await withProjectLock(io, paths, 'cg watch', { wait: true }, async () => {
    const ws = await openWorkspace(io, args.project, { config });
    try {
      const targets = resolveTargets(ws.graph, args.targets);
      const { nodes } = await planOnly(io, ws, targets);
      io.stdout.write(`${staleLines(ws, nodes).join('\n')}\n`);
      const billed = nodes.filter((node) => {
        const graphNode = ws.graph.nodes.get(node.id);
        return node.action === 'run' && graphNode !== undefined && isBilled(graphNode);
      });
      const maySpend = await consent(io, args, spent, billed);
      const build: BuildArgs = { targets: args.targets, project: args.project, dryRun: false, retake: false, jobs: args.jobs, json: false, ndjson: false, wait: true, yes: true, maxCost: undefined, resubmit: false, retryFailed: false };
      const reporter = chooseReporter({ json: false, ndjson: false, isTTY: io.stdout.isTTY === true, env: io.env });
      const outcome = await buildOnce(io, ws, build, started, { reporter, maySpend });
      if (outcome.kind === 'done') spent.usd += outcome.report.totalCostUsd;
    } finally {
      await ws.built.save();
    }
  });
}

/** A cycle's failure a person caused (a broken plan, a failed node, a missing key) is printed; the watcher goes on. */
async function guarded(io: Io, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const failure = toCgError(error);
    if (failure.kind === 'internal' || failure.kind === 'interrupted') throw error;
    io.stderr.write(`${renderError(failure, io.version)}\n`);
  }
}

function describe(event: WatchEvent, io: Io, root: string): void {
  if (event.type === 'cycle-started') {
    const changed = event.changed.filter((path) => path !== '').map((path) => path.slice(root.length + 1)).join(', ');
    io.stdout.write(`\n[${io.clock.now().toTimeString().slice(0, 8)}] ${changed === '' ? 'building what is out of date' : `changed: ${changed}`}\n`);
  }
  if (event.type === 'idle') io.stdout.write('Watching for changes (Ctrl-C to stop)…\n');
  if (event.type === 'stopping') io.stdout.write('Stopping after this build…\n');
}

/** `cg watch`: a cycle at start, then one per burst of saves; Ctrl-C exits 130 with finished work kept. */
export async function watchCommand(io: Io, args: WatchArgs): Promise<ExitCode> {
  const ctx = await openConfig(io);
  const { paths } = await resolveProject(ctx, args.project);
  const spent: Spending = { usd: 0 };
  const driver = new WatchDriver<ReturnType<typeof setTimeout>>({
    debounceMs: ctx.config.watch.debounceMs,
    timers: { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) },
    build: () => guarded(io, () => cycle(io, args, spent)),
    onEvent: (event) => describe(event, io, ctx.root),
  });
  const files = watchProject({ projectDir: paths.dir, configFile: join(ctx.root, ctx.configFile), onChange: driver.change, onError: (error) => io.stderr.write(`cg: watching stopped working: ${error.message}\n`) });
  io.signal.addEventListener('abort', driver.stop, { once: true });
  await files.ready;
  driver.change(''); // no file: the first cycle builds what is out of date now
  try {
    await driver.exited;
  } finally {
    await files.close();
  }
  if (io.signal.aborted) throw new CgFailure({ kind: 'interrupted' });
  return 0;
}
