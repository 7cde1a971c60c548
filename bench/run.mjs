// The clipgraph benchmark: `npm run bench` (= node scripts/build.mjs && node --expose-gc bench/run.mjs).
//
// For plans of 12 (a copy of projects/demo), 1,000 and 10,000 sequences (5 shots × 3 s each,
// bench/make-plan.mjs) it brings each project to a built state once, then spawns the real CLI
// (dist/cg.mjs) and measures, as medians after one warm-up run, the wall time and the peak RSS of
//   cg build            (a no-op: everything is up to date)
//   cg build --dry-run
//   cg status
// next to a baseline of `node -e 0` measured the same way. Prints a table and the goals, and
// writes bench/results.json. Every project lives in its own folder under os.tmpdir(), removed at
// the end (BENCH_KEEP=1 keeps them).
//
// Built state: one `cg build`, then about half of the grid sequences get a pick (written to
// decisions.json, naming the grid's content hash as `cg pick` would) and a second `cg build`
// cuts those frames and makes their takes; the other grids stay waiting for review. The demo
// keeps its own config; generated projects use tiny animatics (sim.animaticWidth/Height).
//
// Environment:
//   BENCH_SIZES=12,1000,10000  which plan sizes to run (12 is the demo copy)
//   BENCH_RUNS=N               measured runs per command (default 15 / 7 / 5 by size; at least 5)
//   BENCH_FULL=auto|1|0        how sizes over 1,000 reach a built state. 1: a full build of unique
//                              sequences (10,000 takes ~9 min of drawing here). auto (default): the
//                              full build when the 1,000 build projects to ≤ BENCH_BUILD_BUDGET_S,
//                              else "seeded": the plan repeats the 1,000 plan's content (other ids,
//                              same node keys), that project's cache and picks are copied in and one
//                              build reuses everything. 0: not built; only planning is measured.
//                              Seeded or 0: planning is also measured on the unbuilt project.
//   BENCH_BUILD_BUDGET_S=300   the budget for that projection
//   BENCH_KEEP=1               keep the temporary project folders (their paths are printed)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasGrid, makePlan, sequenceId, SECONDS_PER_SHOT, SHOTS_PER_SEQUENCE } from './make-plan.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = dirname(benchDir);
const cg = join(repo, 'dist', 'cg.mjs');
const demoDir = join(repo, 'projects', 'demo');
const resultsFile = join(benchDir, 'results.json');
const GNU_TIME = '/usr/bin/time';
const MB = 1024 * 1024;

const goals = { demoNoopMs: 150, bigNoopMs: 3000, bigNoopRssMB: 500 };
const sizes = (process.env.BENCH_SIZES ?? '12,1000,10000').split(',').map((s) => Number(s.trim()));
const fullMode = process.env.BENCH_FULL ?? 'auto';
const buildBudgetS = Number(process.env.BENCH_BUILD_BUDGET_S ?? 300);
const keep = process.env.BENCH_KEEP === '1';
const runsFor = (size) => Math.max(5, Number(process.env.BENCH_RUNS ?? (size <= 12 ? 15 : size <= 1000 ? 7 : 5)));
const SPAWN_TIMEOUT_MS = 20 * 60 * 1000;

const benchStarted = performance.now();
const temps = [];
const notes = [];

// ---------------------------------------------------------------- output helpers

const elapsed = () => `${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s`;
const log = (line) => process.stdout.write(`[${elapsed()}] ${line}\n`);
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtMB = (kb) => (kb / 1024).toFixed(1);
const fmtCount = (n) => n.toLocaleString('en-US');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

class BenchFailure extends Error {}

// ---------------------------------------------------------------- spawning, timing, peak RSS

/**
 * Peak RSS of the child itself: GNU time's %M (the child's ru_maxrss, in KiB). Without GNU time,
 * a preloaded hook writes the child's own process.resourceUsage().maxRSS (also KiB) at exit.
 */
const rssMethod = (() => {
  try {
    accessSync(GNU_TIME, constants.X_OK);
    return 'gnu-time';
  } catch {
    return 'preload';
  }
})();
const scratch = mkdtempSync(join(os.tmpdir(), 'cg-bench-scratch-'));
temps.push(scratch);
const rssFile = join(scratch, 'maxrss.txt');
const preload = join(scratch, 'maxrss.cjs');
writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);

/** Runs `node <args>` in cwd; returns wall ms, peak RSS (KiB) and output. Aborts the bench on failure. */
function runNode(args, cwd, label) {
  rmSync(rssFile, { force: true });
  globalThis.gc?.();
  const [command, argv] =
    rssMethod === 'gnu-time' ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]] : [process.execPath, ['-r', preload, ...args]];
  const t0 = performance.now();
  const result = spawnSync(command, argv, { cwd, encoding: 'utf8', maxBuffer: 1024 * MB, timeout: SPAWN_TIMEOUT_MS });
  const ms = performance.now() - t0;
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error !== undefined ? result.error.message : result.signal !== null ? `killed by ${result.signal}` : `exit code ${result.status}`;
    throw new BenchFailure(
      `${label} failed (${why}) in ${cwd}\n$ node ${args.join(' ')}\n--- stderr ---\n${(result.stderr ?? '').trim().slice(-4000)}\n--- stdout (end) ---\n${(result.stdout ?? '').trim().slice(-1500)}`,
    );
  }
  let rssKB = Number.NaN;
  try {
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    rssKB = Number(lines[lines.length - 1]);
  } catch {
    // reported as NaN below
  }
  if (!Number.isFinite(rssKB)) throw new BenchFailure(`${label}: could not read the peak RSS of the child (${rssMethod})`);
  return { ms, rssKB, stdout: result.stdout, stderr: result.stderr };
}

/** One warm-up, then `runs` measured runs; `check` validates every run's output. */
function measure(label, args, cwd, runs, check = () => {}) {
  process.stdout.write(`[${elapsed()}] ${label}: warm-up`);
  const warm = runNode(args, cwd, label);
  check(warm);
  process.stdout.write(` ${fmtMs(warm.ms)}; runs`);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const run = runNode(args, cwd, label);
    check(run);
    samples.push(run);
    process.stdout.write(` ${fmtMs(run.ms)}`);
  }
  const ms = samples.map((s) => s.ms);
  const rss = samples.map((s) => s.rssKB);
  const m = { runs, samplesMs: ms.map((x) => Math.round(x * 10) / 10), medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), peakRssKB: Math.max(...rss), medianRssKB: median(rss) };
  process.stdout.write(` → median ${fmtMs(m.medianMs)}, peak RSS ${fmtMB(m.peakRssKB)} MB\n`);
  return m;
}

// ---------------------------------------------------------------- project set-up

function newRoot(tag, config) {
  const root = mkdtempSync(join(os.tmpdir(), `cg-bench-${tag}-`));
  temps.push(root);
  writeFileSync(join(root, 'pipeline.config.ts'), config);
  mkdirSync(join(root, 'projects'));
  return root;
}

/** A copy of the real demo, as a user gets it (no state, no takes, no cache). */
function demoProject() {
  const root = newRoot('demo', `// clipgraph bench: the demo with the default settings.\nexport default { defaultProject: 'demo' };\n`);
  const dir = join(root, 'projects', 'demo');
  cpSync(demoDir, dir, { recursive: true, filter: (src) => !/[/\\](state|takes|\.cg)$/.test(src) });
  writeFileSync(join(dir, 'decisions.json'), readFileSync(join(demoDir, 'decisions.json')));
  const sequences = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')).sequences;
  return { root, name: 'demo', dir, sequences: sequences.length, gridIds: sequences.filter((s) => s.grid !== undefined).map((s) => s.id) };
}

/** A generated plan with the demo's bible and refs, and a config that keeps sim output tiny. */
function generatedProject(count, period) {
  // The animatic must be at least 64×64 px (src/providers/sim/animatic.ts): 114×64 is the smallest 16:9.
  const root = newRoot(
    String(count),
    `// clipgraph bench: tiny sim output so that building ${fmtCount(count)} sequences stays fast.\n` +
      `export default {\n  defaultProject: 'bench',\n  sim: { latencyMs: 0, animaticWidth: 114, animaticHeight: 64 },\n};\n`,
  );
  const name = `bench${count}`;
  const dir = join(root, 'projects', name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(demoDir, 'refs'), join(dir, 'refs'), { recursive: true });
  cpSync(join(demoDir, 'bible.json'), join(dir, 'bible.json'));
  writeFileSync(join(dir, 'plan.json'), `${JSON.stringify(makePlan(count, { period }), null, 2)}\n`);
  writeFileSync(join(dir, 'decisions.json'), `${JSON.stringify({ sequences: {} }, null, 2)}\n`);
  const gridIds = [];
  for (let i = 0; i < count; i++) if (hasGrid(i % period)) gridIds.push(sequenceId(i, count));
  return { root, name, dir, sequences: count, gridIds };
}

/** Picks a cell of every other grid (as `cg pick` would: by the grid's content hash); returns how many. */
function pickHalfTheGrids(project) {
  const file = join(project.dir, 'decisions.json');
  const decisions = JSON.parse(readFileSync(file, 'utf8'));
  decisions.sequences ??= {};
  let picked = 0;
  project.gridIds.forEach((id, n) => {
    if (n % 2 === 1) return;
    const record = JSON.parse(readFileSync(join(project.dir, 'state', 'shots', `${id}_grid.json`), 'utf8'));
    const take = record.takes.findLast((t) => t.blob !== null && /complete/.test(t.status));
    if (take === undefined) throw new BenchFailure(`${id}: the first build left no complete grid take to pick from`);
    decisions.sequences[id] = { ...decisions.sequences[id], pick: { grid: take.blob, cell: 1 + (n % 4), at: '2026-01-01T00:00:00.000Z' } };
    picked++;
  });
  writeFileSync(file, `${JSON.stringify(decisions, null, 2)}\n`);
  return picked;
}

/**
 * Gives a project whose plan repeats `source`'s content every `period` sequences the source's
 * action cache and blobs, and the same picks (sequence i gets the pick of source sequence i % period).
 */
function seedProject(project, source, period) {
  for (const part of ['actions', 'blobs']) cpSync(join(source.dir, '.cg', part), join(project.dir, '.cg', part), { recursive: true });
  const sourcePicks = JSON.parse(readFileSync(join(source.dir, 'decisions.json'), 'utf8')).sequences ?? {};
  const decisions = { sequences: {} };
  for (let i = 0; i < project.sequences; i++) {
    const pick = sourcePicks[sequenceId(i % period, period)]?.pick;
    if (pick !== undefined) decisions.sequences[sequenceId(i, project.sequences)] = { pick };
  }
  writeFileSync(join(project.dir, 'decisions.json'), `${JSON.stringify(decisions, null, 2)}\n`);
  return Object.keys(decisions.sequences).length;
}

function removeRoot(root) {
  rmSync(root, { recursive: true, force: true });
  temps.splice(temps.indexOf(root), 1);
}

const buildSummary = (stdout) => stdout.trim().split('\n').find((line) => /^(Built|Nothing to build)/.test(line)) ?? '(no summary line)';

/** First build, picks, second build; returns the timings. */
function bringToBuiltState(project, label) {
  const steps = [];
  log(`${label}: first cg build (everything is new)…`);
  const first = runNode([cg, 'build', '--project', project.name], project.root, `${label}: first cg build`);
  log(`${label}: first cg build took ${fmtMs(first.ms)} (peak RSS ${fmtMB(first.rssKB)} MB): ${buildSummary(first.stdout)}`);
  steps.push({ step: 'first build', ms: first.ms, rssKB: first.rssKB, summary: buildSummary(first.stdout) });
  const picked = pickHalfTheGrids(project);
  log(`${label}: picked a cell of ${fmtCount(picked)} of ${fmtCount(project.gridIds.length)} grids; second cg build (frames and their takes)…`);
  const second = runNode([cg, 'build', '--project', project.name], project.root, `${label}: second cg build`);
  log(`${label}: second cg build took ${fmtMs(second.ms)} (peak RSS ${fmtMB(second.rssKB)} MB): ${buildSummary(second.stdout)}`);
  steps.push({ step: `second build after ${picked} picks`, ms: second.ms, rssKB: second.rssKB, summary: buildSummary(second.stdout) });
  return { picked, steps, totalMs: first.ms + second.ms };
}

function mustBeNoop(label) {
  return (run) => {
    if (!/^Nothing to build/m.test(run.stdout)) {
      throw new BenchFailure(`${label}: expected a no-op build ("Nothing to build…"), but it printed:\n${run.stdout.trim().slice(-3000)}\n${run.stderr.trim().slice(-2000)}`);
    }
  };
}

// ---------------------------------------------------------------- the run

function cleanup() {
  for (const dir of temps.splice(0)) {
    if (keep && dir !== scratch) process.stdout.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
process.on('SIGINT', () => {
  process.stdout.write('\ninterrupted: removing the temporary projects\n');
  cleanup();
  process.exit(130);
});

async function main() {
  if (!existsSync(cg)) throw new BenchFailure(`${cg} is missing: run node scripts/build.mjs first (npm run bench does)`);
  const cpus = os.cpus();
  const machine = { cores: cpus.length, cpu: cpus[0]?.model ?? 'unknown', memoryMB: Math.round(os.totalmem() / MB), platform: `${os.platform()} ${os.release()}`, arch: os.arch() };
  log(`clipgraph bench: node ${process.version}, ${machine.cores} cores (${machine.cpu}), ${fmtCount(machine.memoryMB)} MB RAM`);
  log(`sizes ${sizes.map(fmtCount).join(', ')} sequences × ${SHOTS_PER_SEQUENCE} shots × ${SECONDS_PER_SHOT} s; peak RSS via ${rssMethod === 'gnu-time' ? `${GNU_TIME} -f %M` : 'process.resourceUsage().maxRSS in the child'}`);

  const baselineRuns = 15;
  const baseline = measure('baseline: node -e 0', ['-e', '0'], repo, baselineRuns);
  const rows = [{ size: 'baseline', sequences: 0, command: 'node -e 0', ...baseline }];
  const builds = [];
  let perSequenceBuildMs;
  let seedFrom; // the built 1,000 project

  for (const size of sizes) {
    const isDemo = size === 12;
    const label = isDemo ? '12 (demo)' : fmtCount(size);
    log(`— ${label} sequences —`);
    // How to reach a built state. 'full': build every node. 'seeded' (sizes over 1,000 when a full
    // build would blow the budget): the plan repeats the 1,000 plan's content, whose cache is copied
    // in, so one build only reuses (no drawing). 'planning': not built, planning measured only.
    let mode = 'full';
    if (size > 1000 && fullMode !== '1') {
      const projectedS = perSequenceBuildMs === undefined ? undefined : (perSequenceBuildMs * size) / 1000;
      if (fullMode === '0' || projectedS === undefined || projectedS > buildBudgetS) {
        mode = seedFrom !== undefined && fullMode !== '0' ? 'seeded' : 'planning';
        const why =
          fullMode === '0'
            ? 'BENCH_FULL=0'
            : projectedS === undefined
              ? 'no 1,000-sequence build ran to project the build time from; BENCH_FULL=1 builds it anyway'
              : `the 1,000-sequence build took ${fmtMs(perSequenceBuildMs * 1000)}, so ${fmtCount(size)} unique sequences would take about ${(projectedS / 60).toFixed(1)} min, over the ${buildBudgetS / 60} min budget; BENCH_FULL=1 builds them anyway`;
        const note =
          mode === 'seeded'
            ? `${label}: not built from scratch (${why}). Its plan repeats the content of the 1,000 plan ${size / 1000} times (other ids and titles, same node keys), the 1,000 project's cache (.cg/actions, .cg/blobs) and picks are copied in, and one cg build reuses everything (no drawing) to reach the built state. Planning is also measured on the unbuilt project first.`
            : `${label}: not built (${why}): only planning (cg build --dry-run, cg status) is measured, on the unbuilt project.`;
        notes.push(note);
        log(note);
      }
    }

    const t0 = performance.now();
    const project = isDemo ? demoProject() : generatedProject(size, mode === 'seeded' ? 1000 : size);
    log(`${label}: ${isDemo ? 'copied projects/demo' : `generated ${fmtCount(size)} sequences (${fmtCount(project.gridIds.length)} with a grid)`} into ${project.root} in ${fmtMs(performance.now() - t0)}`);

    const runs = runsFor(size);
    const p = ['--project', project.name];
    const measureAll = (built, suffix) => {
      const commands = [
        ...(built ? [{ command: `cg build (no-op)${suffix}`, args: [cg, 'build', ...p], check: mustBeNoop(`${label}: cg build`) }] : []),
        { command: `cg build --dry-run${suffix}`, args: [cg, 'build', '--dry-run', ...p] },
        { command: `cg status${suffix}`, args: [cg, 'status', ...p] },
      ];
      for (const { command, args, check } of commands) {
        const m = measure(`${label}: ${command}`, args, project.root, runs, check);
        rows.push({ size: label, sequences: size, built, mode, command, ...m });
      }
    };

    if (mode === 'full') {
      const built = bringToBuiltState(project, label);
      builds.push({ size, mode, sequences: project.sequences, grids: project.gridIds.length, picked: built.picked, totalMs: built.totalMs, steps: built.steps });
      if (size === 1000) {
        perSequenceBuildMs = built.totalMs / size;
        seedFrom = project;
      }
      measureAll(true, '');
    } else if (mode === 'seeded') {
      measureAll(false, ' (unbuilt)');
      const picked = seedProject(project, seedFrom, 1000);
      log(`${label}: copied the 1,000 project's cache and ${fmtCount(picked)} picks; cg build (reuses every node)…`);
      const run = runNode([cg, 'build', ...p], project.root, `${label}: seeded cg build`);
      log(`${label}: seeded cg build took ${fmtMs(run.ms)} (peak RSS ${fmtMB(run.rssKB)} MB): ${buildSummary(run.stdout)}`);
      if (/^Built/m.test(run.stdout)) throw new BenchFailure(`${label}: the seeded build ran nodes instead of reusing them (the keys differ from the 1,000 project's):\n${buildSummary(run.stdout)}`);
      const step = { step: `seeded build (cache of 1,000 copied in, ${picked} picks)`, ms: run.ms, rssKB: run.rssKB, summary: buildSummary(run.stdout) };
      builds.push({ size, mode, sequences: project.sequences, grids: project.gridIds.length, picked, totalMs: run.ms, steps: [step] });
      measureAll(true, ' (seeded)');
    } else {
      builds.push({ size, mode, sequences: project.sequences, grids: project.gridIds.length, picked: 0, totalMs: null, steps: [] });
      measureAll(false, ' (unbuilt)');
    }
    if (!keep && project !== seedFrom) removeRoot(project.root);
  }
  if (!keep && seedFrom !== undefined) removeRoot(seedFrom.root);

  // ---------------------------------------------------------------- report
  for (const row of rows) {
    row.timeRatio = row.medianMs / baseline.medianMs;
    row.rssRatio = row.peakRssKB / baseline.peakRssKB;
  }
  const header = ['size', 'command', 'median', 'min–max', 'peak RSS MB', '× node -e 0 (time, RSS)'];
  const cells = rows.map((r) => [
    r.size,
    r.command,
    fmtMs(r.medianMs),
    `${fmtMs(r.minMs)}–${fmtMs(r.maxMs)}`,
    fmtMB(r.peakRssKB),
    `×${r.timeRatio.toFixed(1)} time, ×${r.rssRatio.toFixed(1)} RSS`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const right = new Set([2, 3, 4]);
  const line = (c) => c.map((x, i) => (right.has(i) ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ').trimEnd();
  const table = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');

  const out = [];
  out.push('');
  out.push(`Initial builds (to reach the built state; sim provider, latency 0):`);
  for (const b of builds) {
    const sizeLabel = b.size === 12 ? '12 (demo)' : fmtCount(b.size);
    if (b.totalMs === null) out.push(`  ${sizeLabel.padEnd(10)} not built (planning only)`);
    else out.push(`  ${sizeLabel.padEnd(10)} ${fmtMs(b.totalMs).padStart(8)} total: ${b.steps.map((s) => `${s.step} ${fmtMs(s.ms)} (${fmtMB(s.rssKB)} MB)`).join(', ')}`);
  }
  out.push('');
  out.push(`Medians of ${[...new Set(rows.slice(1).map((r) => r.runs))].join('/')} runs after 1 warm-up (baseline: ${baselineRuns} runs); peak RSS = the highest of the runs.`);
  out.push(table);
  out.push('');

  const goalLines = [];
  const demoNoop = rows.find((r) => r.size === '12 (demo)' && r.command === 'cg build (no-op)');
  if (demoNoop !== undefined) {
    const met = demoNoop.medianMs <= goals.demoNoopMs;
    goalLines.push({ goal: `no-op build of the demo ≤ ${goals.demoNoopMs} ms`, value: `${fmtMs(demoNoop.medianMs)}`, met });
  } else {
    goalLines.push({ goal: `no-op build of the demo ≤ ${goals.demoNoopMs} ms`, value: 'not measured (size 12 not run)', met: null });
  }
  const bigGoal = `10,000 sequences within ${goals.bigNoopMs / 1000} s and ${goals.bigNoopRssMB} MB`;
  const bigNoop = rows.find((r) => r.sequences === 10000 && r.command.startsWith('cg build (no-op)'));
  const bigPlan = rows.find((r) => r.sequences === 10000 && r.command.startsWith('cg build --dry-run'));
  if (bigNoop !== undefined) {
    const met = bigNoop.medianMs <= goals.bigNoopMs && bigNoop.peakRssKB / 1024 <= goals.bigNoopRssMB;
    const how = bigNoop.mode === 'seeded' ? ' (seeded: 1,000 distinct sequence contents × 10, see the note)' : '';
    goalLines.push({ goal: bigGoal, value: `no-op build ${fmtMs(bigNoop.medianMs)} median, ${fmtMB(bigNoop.peakRssKB)} MB peak${how}`, met });
  } else if (bigPlan !== undefined) {
    const over = bigPlan.medianMs > goals.bigNoopMs || bigPlan.peakRssKB / 1024 > goals.bigNoopRssMB;
    goalLines.push({
      goal: bigGoal,
      value: `no-op build not measured (project not built); planning alone (cg build --dry-run, unbuilt) ${fmtMs(bigPlan.medianMs)}, ${fmtMB(bigPlan.peakRssKB)} MB${over ? ', and a no-op build plans at least as much' : ''}`,
      met: over ? false : null,
    });
  } else {
    goalLines.push({ goal: bigGoal, value: 'not measured (size 10000 not run)', met: null });
  }
  for (const g of goalLines) out.push(`${g.goal}: ${g.value} (${g.met === true ? 'met' : g.met === false ? 'NOT met' : 'unknown'})`);
  for (const note of notes) out.push(`note: ${note}`);
  process.stdout.write(`${out.join('\n')}\n`);

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    machine,
    cg: cg,
    rssMethod,
    nodeOptions: process.env.NODE_OPTIONS ?? null,
    shotsPerSequence: SHOTS_PER_SEQUENCE,
    secondsPerShot: SECONDS_PER_SHOT,
    baseline: { command: 'node -e 0', ...baseline },
    initialBuilds: builds,
    results: rows.slice(1).map((r) => ({ ...r, peakRssMB: r.peakRssKB / 1024, medianRssMB: r.medianRssKB / 1024 })),
    goals: goalLines,
    notes,
    totalSeconds: (performance.now() - benchStarted) / 1000,
  };
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${resultsFile}; the bench took ${((performance.now() - benchStarted) / 60000).toFixed(1)} min`);
}

try {
  await main();
} catch (error) {
  process.stdout.write('\n');
  process.stderr.write(`bench: ${error instanceof BenchFailure ? error.message : (error?.stack ?? String(error))}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
}
