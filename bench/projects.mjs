// Built benchmark projects, kept between runs under bench/.work/ (gitignored).
//
// A generated project (bench/make-plan.mjs, the demo's bible and refs, tiny sim animatics) is
// built for real: one `cg build --jobs <cores>`, a pick of every other grid (written to
// decisions.json by the grid's content hash, as `cg pick` would), and a second build that cuts
// those frames and makes their takes. The folder and its build times are kept, so later runs
// measure the same project without building 10,000 sequences again; BENCH_REBUILD=1 (or a
// change to the plan generator, see GENERATION) builds afresh. A kept project is brought up to
// date by one `cg build` before it is measured: after a change to clipgraph that changes keys
// or caches, that build is the honest price of the change, and it is printed.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasGrid, makePlan, sequenceId } from './make-plan.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const workDir = join(benchDir, '.work');
const demoDir = join(dirname(benchDir), 'projects', 'demo');
/** Bump when make-plan.mjs or the set-up below changes what a project holds. */
const GENERATION = 1;

// The animatic must be at least 64×64 px (src/providers/sim/animatic.ts): 114×64 is the smallest 16:9.
const config = (count) =>
  `// clipgraph bench: tiny sim output so that building ${count} sequences stays fast.\n` +
  `export default {\n  defaultProject: 'bench${count}',\n  sim: { latencyMs: 0, animaticWidth: 114, animaticHeight: 64 },\n};\n`;

function generate(root, count) {
  rmSync(root, { recursive: true, force: true });
  const dir = join(root, 'projects', `bench${count}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, 'pipeline.config.ts'), config(count));
  cpSync(join(demoDir, 'refs'), join(dir, 'refs'), { recursive: true });
  cpSync(join(demoDir, 'bible.json'), join(dir, 'bible.json'));
  writeFileSync(join(dir, 'plan.json'), `${JSON.stringify(makePlan(count), null, 2)}\n`);
  writeFileSync(join(dir, 'decisions.json'), `${JSON.stringify({ sequences: {} }, null, 2)}\n`);
}

/** Picks a cell of every other grid (as `cg pick` would: by the grid's content hash); returns how many. */
function pickHalfTheGrids(dir, gridIds) {
  const decisions = { sequences: {} };
  gridIds.forEach((id, n) => {
    if (n % 2 === 1) return;
    const record = JSON.parse(readFileSync(join(dir, 'state', 'shots', `${id}_grid.json`), 'utf8'));
    const take = record.takes.findLast((t) => t.blob !== null && /complete/.test(t.status));
    if (take === undefined) throw new Error(`${id}: the first build left no complete grid take to pick from`);
    decisions.sequences[id] = { pick: { grid: take.blob, cell: 1 + (n % 4), at: '2026-01-01T00:00:00.000Z' } };
  });
  writeFileSync(join(dir, 'decisions.json'), `${JSON.stringify(decisions, null, 2)}\n`);
  return Object.keys(decisions.sequences).length;
}

const summaryLine = (stdout) => stdout.trim().split('\n').find((line) => /^(Built|Nothing to build)/.test(line)) ?? '(no summary line)';

/**
 * The built project of `count` sequences: { root, name, dir, sequences, gridIds, build }, where
 * build = { fresh, jobs, steps: [{ step, ms, rssKB, summary }], totalMs } (fresh: built in this run).
 * `run(args, cwd, label)` runs cg with these arguments and returns { ms, rssKB, stdout }.
 */
export function builtProject(count, { run, log }) {
  const root = join(workDir, `p${count}`);
  const name = `bench${count}`;
  const dir = join(root, 'projects', name);
  const markerFile = join(root, 'built.json');
  const gridIds = [];
  for (let i = 0; i < count; i++) if (hasGrid(i)) gridIds.push(sequenceId(i, count));
  const project = { root, name, dir, sequences: count, gridIds };
  const marker = existsSync(markerFile) ? JSON.parse(readFileSync(markerFile, 'utf8')) : undefined;
  if (process.env.BENCH_REBUILD !== '1' && marker?.generation === GENERATION) {
    log(`${count}: using the project built on ${marker.date} in ${root} (BENCH_REBUILD=1 builds it again)`);
    return { ...project, build: { ...marker.build, fresh: false } };
  }
  const jobs = os.cpus().length;
  log(`${count}: generating ${count} sequences (${gridIds.length} with a grid) in ${root}; building for real with --jobs ${jobs}…`);
  generate(root, count);
  const steps = [];
  const step = (label, args) => {
    const r = run(['build', '--project', name, '--jobs', String(jobs), ...args], root, `${count}: ${label}`);
    steps.push({ step: label, ms: r.ms, rssKB: r.rssKB, summary: summaryLine(r.stdout) });
    log(`${count}: ${label} took ${(r.ms / 1000).toFixed(1)} s (peak RSS ${(r.rssKB / 1024).toFixed(0)} MB): ${summaryLine(r.stdout)}`);
  };
  step('first build', []);
  const picked = pickHalfTheGrids(dir, gridIds);
  step(`second build after ${picked} picks`, []);
  const build = { jobs, picked, steps, totalMs: steps.reduce((sum, s) => sum + s.ms, 0) };
  writeFileSync(markerFile, `${JSON.stringify({ generation: GENERATION, date: new Date().toISOString(), build }, null, 2)}\n`);
  return { ...project, build: { ...build, fresh: true } };
}
