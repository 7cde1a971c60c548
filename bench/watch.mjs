// `cg watch` benchmark (run by `npm run bench` after bench/run.mjs; alone: node bench/watch.mjs).
//
// A copy of the demo is built once, then the real CLI (dist/cg.cjs) watches it:
//   save → first line: 20 saves of one shot's prompt, one at a time; for each, the time from the
//     write to the watcher's "[hh:mm:ss] changed: …" line (the debounce, 300 ms by default, is in it),
//     then wait for the cycle to end ("Watching for changes");
//   idle CPU: the watcher's own CPU time (utime + stime from /proc) over BENCH_IDLE_S seconds
//     (default 60) with nothing changing, as a share of one core.
// Writes bench/watch-results.json.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const cg = join(repo, 'dist', 'cg.cjs');
const saves = Number(process.env.BENCH_SAVES ?? 20);
const idleSeconds = Number(process.env.BENCH_IDLE_S ?? 60);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const log = (line) => process.stdout.write(`[watch bench] ${line}\n`);

const root = mkdtempSync(join(os.tmpdir(), 'cg-bench-watch-'));
try {
  for (const part of ['plan.json', 'bible.json', 'decisions.json', 'refs', 'song.m4a']) cpSync(join(repo, 'projects', 'demo', part), join(root, 'projects', 'demo', part), { recursive: true });
  writeFileSync(join(root, 'pipeline.config.ts'), "export default { defaultProject: 'demo' };\n");
  const built = spawnSync(process.execPath, [cg, 'build'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`the first build failed: ${built.stderr}`);

  const child = spawn(process.execPath, [cg, 'watch', 'SEQ02'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = [];
  let waiting;
  let partial = '';
  child.stdout.on('data', (chunk) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) seen.push({ line, at: performance.now() });
    waiting?.();
  });
  const waitFor = async (pattern, count) => {
    const deadline = performance.now() + 60_000;
    while (seen.filter((s) => pattern.test(s.line)).length < count) {
      if (performance.now() > deadline) throw new Error(`the watcher never printed ${pattern} (${count}):\n${seen.map((s) => s.line).join('\n')}`);
      await new Promise((resolve) => {
        waiting = resolve;
        setTimeout(resolve, 1000);
      });
    }
    return seen.filter((s) => pattern.test(s.line))[count - 1].at;
  };
  const idle = /^Watching for changes/;
  const cycle = /^\[\d\d:\d\d:\d\d\] changed:/;
  await waitFor(idle, 1);

  const planFile = join(root, 'projects', 'demo', 'plan.json');
  const latencies = [];
  for (let i = 1; i <= saves; i++) {
    const plan = JSON.parse(readFileSync(planFile, 'utf8'));
    plan.sequences[1].shots[1].prompt = `Close on Maya singing, version ${i}.`;
    const savedAt = performance.now();
    writeFileSync(planFile, `${JSON.stringify(plan, null, 2)}\n`);
    latencies.push((await waitFor(cycle, i)) - savedAt);
    await waitFor(idle, i + 1);
  }
  const msPerTick = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
  // utime and stime of the watcher, in ms (fields 14 and 15 of /proc/<pid>/stat).
  const cpu = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * msPerTick;
  };
  const cpuBefore = cpu();
  const idleStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const idleCpuPercent = ((cpu() - cpuBefore) / (performance.now() - idleStart)) * 100;
  child.kill('SIGINT');

  const debounceMs = 300;
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    saves,
    saveToFirstLineMs: { median: median(latencies), min: Math.min(...latencies), max: Math.max(...latencies), ratioToDebounce: median(latencies) / debounceMs },
    idleSeconds,
    idleCpuPercent,
  };
  log(`save → first line: median ${Math.round(result.saveToFirstLineMs.median)} ms over ${saves} saves (min ${Math.round(result.saveToFirstLineMs.min)}, max ${Math.round(result.saveToFirstLineMs.max)}; ×${result.saveToFirstLineMs.ratioToDebounce.toFixed(2)} the ${debounceMs} ms debounce)`);
  log(`idle watcher: ${idleCpuPercent.toFixed(2)} % of one core over ${idleSeconds} s (goal: under 1 %)`);
  writeFileSync(join(repo, 'bench', 'watch-results.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
