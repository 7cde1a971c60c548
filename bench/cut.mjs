// `cg cut` benchmark (run by `npm run bench`; alone: node bench/cut.mjs).
//
// The demo is built without its song (every sim take made), then copied BENCH_CUT_RUNS times
// (default 3). In each copy the song is named in plan.json and timed:
//   full cut: `cg cut` makes the song's audio, all 12 segments and the join;
//   re-cut:   after `cg build SEQ04 --retake` (one new take), `cg cut` re-renders SEQ04's
//             segment and the join only.
// Medians of the runs, and the re-cut as a share of the full cut. Writes bench/cut-results.json.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const cg = join(repo, 'dist', 'cg.cjs');
const runs = Number(process.env.BENCH_CUT_RUNS ?? 3);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const log = (line) => process.stdout.write(`[cut bench] ${line}\n`);

function run(cwd, args) {
  const started = process.hrtime.bigint();
  const done = spawnSync(process.execPath, [cg, ...args], { cwd, encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`cg ${args.join(' ')} failed: ${done.stderr}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout: done.stdout };
}

const root = mkdtempSync(join(os.tmpdir(), 'cg-bench-cut-'));
try {
  const base = join(root, 'base');
  for (const part of ['plan.json', 'bible.json', 'decisions.json', 'refs', 'song.m4a']) cpSync(join(repo, 'projects', 'demo', part), join(base, 'projects', 'demo', part), { recursive: true });
  writeFileSync(join(base, 'pipeline.config.ts'), "export default { defaultProject: 'demo' };\n");
  const planFile = join(base, 'projects', 'demo', 'plan.json');
  const withSong = readFileSync(planFile, 'utf8');
  writeFileSync(planFile, withSong.replace(', "file": "song.m4a"', ''));
  log('building the demo without its song (every sim take)…');
  run(base, ['build']);
  const full = [];
  const recut = [];
  for (let i = 0; i < runs; i++) {
    const copy = join(root, `copy${i}`);
    cpSync(base, copy, { recursive: true });
    writeFileSync(join(copy, 'projects', 'demo', 'plan.json'), withSong);
    full.push(run(copy, ['cut']).ms);
    run(copy, ['build', 'SEQ04', '--retake']);
    const again = run(copy, ['cut', '--json']);
    const ran = JSON.parse(again.stdout).nodes.filter((node) => node.action === 'run').map((node) => node.id).sort();
    if (ran.join(',') !== 'CUT:cut,SEQ04:segment') throw new Error(`the re-cut ran ${ran.join(', ')}`);
    recut.push(again.ms);
    log(`run ${i + 1}/${runs}: full cut ${(full[i] / 1000).toFixed(2)} s, re-cut ${(recut[i] / 1000).toFixed(2)} s`);
  }
  const results = { date: new Date().toISOString(), runs, fullCutMs: Math.round(median(full)), recutMs: Math.round(median(recut)), recutShare: Number((median(recut) / median(full)).toFixed(3)) };
  log(`full cut ${(results.fullCutMs / 1000).toFixed(2)} s (median of ${runs}), re-cut after one new take ${(results.recutMs / 1000).toFixed(2)} s: ${(results.recutShare * 100).toFixed(0)} % of the full cut (goal: under 20 %)`);
  writeFileSync(join(repo, 'bench', 'cut-results.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
