// The clipgraph benchmark: `npm run bench` (= node scripts/build.mjs && node --expose-gc bench/run.mjs).
//
// Spawns the real CLI (dist/cg.cjs) and reports medians of wall time and the peak RSS, always as
// ratios to a yardstick measured in the same run, interleaved run by run (this machine is shared:
// only ratios within one run mean anything):
//   demo (12 sequences, a fresh copy of projects/demo, built)   cg build (no-op), cg status, cg --version,
//                                                               cg build --dry-run  vs  node -e 0
//   1,000 and 10,000 sequences (bench/make-plan.mjs)            cg build (no-op) vs ninja's no-op, cg build
//                                                               --dry-run vs ninja -n, on a build.ninja with
//                                                               the same nodes and edges (bench/ninja.mjs);
//                                                               cg status; at 10,000 also an edit
//   2,000 sequences                                             an edit build vs the no-op
// An edit: one shot's prompt of a sequence 70 % down the plan is changed, so exactly one take is
// made; the take's own time (from the action cache) is reported beside it.
//
// The generated projects are built for real (sim, tiny animatics, --jobs = cores; bench/projects.mjs)
// and kept under bench/.work/ between runs; their full-build time is quoted from when they were built.
// Without ninja on the PATH, the ninja rows are skipped (said so). Writes bench/results.json.
//
// Environment:
//   BENCH_SIZES=12,1000,2000,10000  which sizes to run
//   BENCH_RUNS=N                    measured runs per command (default 15 / 7 / 5 by size; at least 3)
//   BENCH_REBUILD=1                 build the generated projects again
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, cpSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ninjaBuild, ninjaPath, writeNinja } from './ninja.mjs';
import { builtProject } from './projects.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = dirname(benchDir);
const cg = join(repo, 'dist', 'cg.cjs');
const demoDir = join(repo, 'projects', 'demo');
const resultsFile = join(benchDir, 'results.json');
const GNU_TIME = '/usr/bin/time';
const MB = 1024 * 1024;

const sizes = (process.env.BENCH_SIZES ?? '12,1000,2000,10000').split(',').map((s) => Number(s.trim()));
const runsFor = (size) => Math.max(3, Number(process.env.BENCH_RUNS ?? (size <= 12 ? 15 : size <= 1000 ? 7 : 5)));
const SPAWN_TIMEOUT_MS = 60 * 60 * 1000;
const benchStarted = performance.now();
const temps = [];
const notes = [];

// ---------------------------------------------------------------- output helpers

const elapsed = () => `${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s`;
const log = (line) => process.stdout.write(`[${elapsed()}] ${line}\n`);
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtMB = (kb) => (kb / 1024).toFixed(0);
const fmtCount = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const ratio = (x) => `${x.toFixed(2)}×`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
class BenchFailure extends Error {}

// ---------------------------------------------------------------- spawning, timing, peak RSS

const hasGnuTime = (() => {
  try {
    accessSync(GNU_TIME, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();
const scratch = mkdtempSync(join(os.tmpdir(), 'cg-bench-scratch-'));
temps.push(scratch);
const rssFile = join(scratch, 'maxrss.txt');
const preload = join(scratch, 'maxrss.cjs');
writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);

/** Runs a command (node with its args when command is undefined); returns wall ms, peak RSS (KiB, NaN unknown) and output. */
function run(command, args, cwd, label) {
  rmSync(rssFile, { force: true });
  globalThis.gc?.();
  const program = command ?? process.execPath;
  const [exe, argv] = hasGnuTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, program, ...args]] : command === undefined ? [program, ['-r', preload, ...args]] : [program, args];
  const t0 = performance.now();
  const result = spawnSync(exe, argv, { cwd, encoding: 'utf8', maxBuffer: 1024 * MB, timeout: SPAWN_TIMEOUT_MS });
  const ms = performance.now() - t0;
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error !== undefined ? result.error.message : result.signal !== null ? `killed by ${result.signal}` : `exit code ${result.status}`;
    throw new BenchFailure(`${label} failed (${why}) in ${cwd}\n$ ${program} ${args.join(' ')}\n--- stderr ---\n${(result.stderr ?? '').trim().slice(-4000)}\n--- stdout (end) ---\n${(result.stdout ?? '').trim().slice(-1500)}`);
  }
  let rssKB = Number.NaN;
  try {
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    rssKB = Number(lines[lines.length - 1]);
  } catch {
    // unknown
  }
  return { ms, rssKB, stdout: result.stdout, stderr: result.stderr };
}
const runCg = (args, cwd, label) => run(undefined, [cg, ...args], cwd, label);

/**
 * Each case once to warm up, then `runs` rounds of every case in turn (interleaved: a busy
 * moment of the machine hits all of them). A case: { name, command?, args, cwd, before?, check? }.
 */
function measure(title, cases, runs) {
  log(`${title}: ${cases.map((c) => c.name).join(' | ')} (${runs} rounds)`);
  for (const c of cases) {
    c.before?.();
    c.check?.(run(c.command, c.args, c.cwd, c.name));
  }
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      c.before?.();
      const r = run(c.command, c.args, c.cwd, c.name);
      c.check?.(r);
      c.after?.(r);
      samples.get(c.name).push(r);
    }
  }
  const out = {};
  for (const c of cases) {
    const xs = samples.get(c.name);
    const ms = xs.map((x) => x.ms);
    out[c.name] = { runs, samplesMs: ms.map((x) => Math.round(x)), medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), peakRssKB: Math.max(...xs.map((x) => x.rssKB)) };
    log(`  ${c.name.padEnd(28)} median ${fmtMs(out[c.name].medianMs).padStart(7)}  (${fmtMs(out[c.name].minMs)}–${fmtMs(out[c.name].maxMs)}), peak RSS ${fmtMB(out[c.name].peakRssKB)} MB`);
  }
  return out;
}

const mustBeNoop = (label) => (r) => {
  if (!/^Nothing to build/m.test(r.stdout)) throw new BenchFailure(`${label}: expected a no-op build ("Nothing to build…"), but it printed:\n${r.stdout.trim().slice(-3000)}\n${r.stderr.trim().slice(-2000)}`);
};
const mustBuildOne = (label) => (r) => {
  if (!/^Built 1 node/m.test(r.stdout)) throw new BenchFailure(`${label}: expected one node to run, but it printed:\n${r.stdout.trim().slice(-3000)}\n${r.stderr.trim().slice(-2000)}`);
};
const ninjaNoop = (r) => {
  if (!/no work to do/.test(r.stdout)) throw new BenchFailure(`ninja: expected "no work to do", got:\n${r.stdout.slice(-2000)}`);
};

// ---------------------------------------------------------------- projects

/** A copy of the real demo, as a user gets it, built once (first build, no picks). */
function demoProject() {
  const root = mkdtempSync(join(os.tmpdir(), 'cg-bench-demo-'));
  temps.push(root);
  writeFileSync(join(root, 'pipeline.config.ts'), `// clipgraph bench: the demo with the default settings.\nexport default { defaultProject: 'demo' };\n`);
  const dir = join(root, 'projects', 'demo');
  cpSync(demoDir, dir, { recursive: true, filter: (src) => !/[/\\](state|takes|cut|\.cg)$/.test(src) });
  const first = runCg(['build'], root, 'demo: first cg build');
  log(`demo: first cg build took ${fmtMs(first.ms)}`);
  return { root, name: 'demo', dir, build: { fresh: true, jobs: null, totalMs: first.ms } };
}

/**
 * Edits one shot's prompt of the sequence 70 % down the plan, differently each time; restore()
 * puts the plan back. The plan is written whole once, with a stamp at the prompt's end; each
 * edit then writes a new stamp of the same length over it, in place: this process neither
 * parses nor writes the plan (13 MB at 10,000 sequences, and the garbage collection after it)
 * while the build it times starts.
 */
function editor(project) {
  const file = join(project.dir, 'plan.json');
  const original = readFileSync(file, 'utf8');
  const plan = JSON.parse(original);
  const sequence = plan.sequences[Math.floor(plan.sequences.length * 0.7)];
  const prompt = sequence.shots[1].prompt.replace(/ \(bench edit \d+ \d+\)$/, '');
  const stamp = (n) => ` (bench edit ${String(process.pid).padStart(7, '0')} ${String(n).padStart(6, '0')})`;
  sequence.shots[1].prompt = `${prompt}${stamp(0)}`;
  const laidOut = Buffer.from(`${JSON.stringify(plan, null, 2)}\n`);
  const from = laidOut.indexOf(`"id": "${sequence.id}"`);
  const written = Buffer.from(JSON.stringify(sequence.shots[1].prompt));
  const found = laidOut.indexOf(written, from);
  if (from < 0 || found < 0) throw new BenchFailure(`${project.name}: the edited prompt of ${sequence.id} was not found in the plan as written`);
  const at = found + written.length - 1 - Buffer.byteLength(stamp(0));
  writeFileSync(file, laidOut);
  runCg(['build', '--project', project.name], project.root, `${project.name}: build of the plan with room for the stamp`);
  let n = 0;
  return {
    sequence: sequence.id,
    edit: () => {
      n += 1;
      const fd = openSync(file, 'r+');
      try {
        writeSync(fd, Buffer.from(stamp(n)), 0, undefined, at);
      } finally {
        closeSync(fd);
      }
    },
    /** The time the newest take of the edited sequence took to make (from the action index's last lines: the parent stays small). */
    takeMs: () => {
      const index = join(project.dir, '.cg', 'actions', 'actions.jsonl');
      const fd = openSync(index, 'r');
      const tail = Buffer.alloc(64 * 1024);
      let lines;
      try {
        const size = fstatSync(fd).size;
        const count = readSync(fd, tail, 0, tail.length, Math.max(0, size - tail.length));
        lines = tail.subarray(0, count).toString('utf8').trim().split('\n').slice(1);
      } finally {
        closeSync(fd);
      }
      for (let i = lines.length - 1; i >= 0; i--) {
        const entry = JSON.parse(lines[i]);
        if (entry.nodeId === `${sequence.id}:take`) return entry.durationMs;
      }
      return Number.NaN;
    },
    /** How many takes the edited sequence's record holds (each edit adds one: reading a long history costs more). */
    takes: () => JSON.parse(readFileSync(join(project.dir, 'state', 'shots', `${sequence.id}.json`), 'utf8')).takes.length,
    restore: () => {
      writeFileSync(file, original);
      runCg(['build', '--project', project.name], project.root, `${project.name}: build after restoring the plan`);
    },
  };
}

/** The edit build interleaved with the no-op on the same project. */
function measureEdit(label, project, runs) {
  const e = editor(project);
  const takes = [];
  const p = ['--project', project.name];
  const m = measure(`${label}: edit of ${e.sequence} vs no-op`, [
    { name: 'cg build (no-op)', args: [cg, 'build', ...p], cwd: project.root, check: mustBeNoop(`${label}: no-op`) },
    { name: 'cg build (one prompt edited)', args: [cg, 'build', ...p], cwd: project.root, before: e.edit, check: mustBuildOne(`${label}: edit`), after: () => takes.push(e.takeMs()) },
  ], runs);
  e.restore();
  return { noop: m['cg build (no-op)'], edit: m['cg build (one prompt edited)'], takeMs: median(takes), sequence: e.sequence, takesInRecord: e.takes() };
}

// ---------------------------------------------------------------- the run

function cleanup() {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  process.stdout.write('\ninterrupted: removing the temporary projects\n');
  cleanup();
  process.exit(130);
});

async function main() {
  if (!existsSync(cg)) throw new BenchFailure(`${cg} is missing: run node scripts/build.mjs first (npm run bench does)`);
  const cpus = os.cpus();
  const machine = { cores: cpus.length, cpu: cpus[0]?.model ?? 'unknown', memoryMB: Math.round(os.totalmem() / MB), loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10) };
  log(`clipgraph bench: node ${process.version}, ${machine.cores} cores (${machine.cpu}), ${fmtCount(machine.memoryMB)} MB RAM, load average ${machine.loadAverage.join(' ')}`);
  log(`peak RSS via ${hasGnuTime ? `${GNU_TIME} -f %M` : 'process.resourceUsage().maxRSS in the child (ninja: not measured)'}; ninja: ${ninjaPath ?? 'not on the PATH: its rows are skipped'}`);
  if (ninjaPath === undefined) notes.push('ninja is not on the PATH: the ninja comparisons were skipped.');
  const results = { sizes: {} };
  const lines = [];
  const builds = [];

  for (const size of sizes) {
    const runs = runsFor(size);
    if (size === 12) {
      const project = demoProject();
      builds.push({ size, ...project.build });
      const m = measure('demo', [
        { name: 'node -e 0', args: ['-e', '0'], cwd: project.root },
        { name: 'cg build (no-op)', args: [cg, 'build'], cwd: project.root, check: mustBeNoop('demo') },
        { name: 'cg status', args: [cg, 'status'], cwd: project.root },
        { name: 'cg --version', args: [cg, '--version'], cwd: project.root },
        { name: 'cg build --dry-run', args: [cg, 'build', '--dry-run'], cwd: project.root },
      ], runs);
      const base = m['node -e 0'];
      results.sizes[size] = m;
      for (const name of ['cg build (no-op)', 'cg status', 'cg --version', 'cg build --dry-run']) {
        lines.push(`demo ${name} / node -e 0: ${fmtMs(m[name].medianMs)} / ${fmtMs(base.medianMs)} = ${ratio(m[name].medianMs / base.medianMs)}${name === 'cg build (no-op)' ? ' (goal ≤ 1.4×)' : ''}`);
      }
      continue;
    }
    const project = builtProject(size, { run: runCg, log });
    builds.push({ size, ...project.build });
    const p = ['--project', project.name];
    // Brought up to date with this clipgraph first (not measured; prints what it did).
    const settle = runCg(['build', ...p], project.root, `${size}: settling build`);
    log(`${fmtCount(size)}: settling build ${fmtMs(settle.ms)}: ${settle.stdout.trim().split('\n').find((l) => /^(Built|Nothing)/.test(l)) ?? ''}`);
    const entry = {};
    results.sizes[size] = entry;
    if (size === 1000 || size === 10000) {
      const cases = [
        { name: 'cg build (no-op)', args: [cg, 'build', ...p], cwd: project.root, check: mustBeNoop(`${size}`) },
        { name: 'cg build --dry-run', args: [cg, 'build', '--dry-run', ...p], cwd: project.root },
        { name: 'cg status', args: [cg, 'status', ...p], cwd: project.root },
      ];
      let ninja;
      if (ninjaPath !== undefined) {
        ninja = writeNinja(project.dir);
        ninjaBuild(ninja.dir, os.cpus().length);
        cases.push({ name: 'ninja (no-op)', command: ninjaPath, args: ['-C', ninja.dir], cwd: project.root, check: ninjaNoop }, { name: 'ninja -n', command: ninjaPath, args: ['-C', ninja.dir, '-n'], cwd: project.root, check: ninjaNoop });
      }
      Object.assign(entry, measure(`${fmtCount(size)} sequences${ninja === undefined ? '' : ` (build.ninja: ${fmtCount(ninja.edges)} edges)`}`, cases, runs));
      const noop = entry['cg build (no-op)'];
      if (ninja !== undefined) {
        entry.ninjaEdges = ninja.edges;
        lines.push(`${fmtCount(size)} cg build (no-op) / ninja (no-op): ${fmtMs(noop.medianMs)} / ${fmtMs(entry['ninja (no-op)'].medianMs)} = ${ratio(noop.medianMs / entry['ninja (no-op)'].medianMs)} (goal ≤ ${size === 1000 ? 8 : 5}×)`);
        lines.push(`${fmtCount(size)} cg build --dry-run / ninja -n: ${fmtMs(entry['cg build --dry-run'].medianMs)} / ${fmtMs(entry['ninja -n'].medianMs)} = ${ratio(entry['cg build --dry-run'].medianMs / entry['ninja -n'].medianMs)}`);
      }
      lines.push(`${fmtCount(size)} cg build (no-op): ${fmtMs(noop.medianMs)}, peak RSS ${fmtMB(noop.peakRssKB)} MB${size === 10000 ? ' (goal ≤ 1.2 s, ≤ 250 MB)' : ''}`);
      lines.push(`${fmtCount(size)} cg status: ${fmtMs(entry['cg status'].medianMs)}, peak RSS ${fmtMB(entry['cg status'].peakRssKB)} MB`);
    }
    if (size === 2000 || size === 10000) {
      const edit = measureEdit(fmtCount(size), project, runs);
      entry.edit = edit;
      const overNoop = edit.edit.medianMs - edit.noop.medianMs;
      lines.push(
        `${fmtCount(size)} edit (${edit.sequence}, ${edit.takesInRecord} takes in its record) / no-op: ${fmtMs(edit.edit.medianMs)} / ${fmtMs(edit.noop.medianMs)} = ${ratio(edit.edit.medianMs / edit.noop.medianMs)} time, ` +
          `${fmtMB(edit.edit.peakRssKB)} / ${fmtMB(edit.noop.peakRssKB)} MB = ${ratio(edit.edit.peakRssKB / edit.noop.peakRssKB)} peak RSS; ` +
          `the take itself ${fmtMs(edit.takeMs)}, so edit − no-op − take = ${fmtMs(overNoop - edit.takeMs)}` +
          (size === 2000 ? ' (goal ≤ 1.5× time, ≤ 1.3× RSS)' : ' (goal ≤ no-op + take + 0.3 s, ≤ 300 MB)'),
      );
    }
  }

  const out = ['', 'Full builds (sim, tiny animatics; the generated projects are kept in bench/.work/):'];
  for (const b of builds) out.push(`  ${(b.size === 12 ? 'demo' : fmtCount(b.size)).padEnd(7)} ${fmtMs(b.totalMs).padStart(8)}${b.jobs === null ? '' : ` with --jobs ${b.jobs}`}${b.fresh ? ' (built in this run)' : ' (built in an earlier run)'}${b.steps === undefined ? '' : `: ${b.steps.map((s) => `${s.step} ${fmtMs(s.ms)}`).join(', ')}`}`);
  out.push('', 'Medians; each ratio is between figures measured interleaved in this run:', ...lines.map((l) => `  ${l}`));
  for (const note of notes) out.push(`note: ${note}`);
  process.stdout.write(`${out.join('\n')}\n`);
  writeFileSync(
    resultsFile,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, machine, ninja: ninjaPath ?? null, builds, results, summary: lines, notes, totalSeconds: (performance.now() - benchStarted) / 1000 }, null, 2)}\n`,
  );
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
