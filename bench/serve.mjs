// The review console's benchmark (`npm run bench` runs it after bench/run.mjs):
//
//   node bench/serve.mjs            (after node scripts/build.mjs)
//
// A generated plan of 1,000 sequences (bench/make-plan.mjs; the demo's bible and refs, tiny sim
// animatics) is built once, so that cards have takes and posters; then the real CLI runs
// `cg serve --port 0` and Debian's chromium (playwright-core, /usr/bin/chromium) opens the
// board: after one warm-up load, each of BENCH_RUNS loads (default 7) is timed from the start of
// navigation to the first frame painted after the board was drawn (the page stamps `data-rendered`
// on <body> with performance.now() then); the board holds all the sequences and draws the cards
// near the visible stretch of the song. The server's own share (GET /api/board) is timed too.
// Goal: the board within 1 s. Writes bench/serve-results.json.
//
// Environment: BENCH_SERVE_SIZE=1000 (sequences), BENCH_RUNS=7, BENCH_SERVE_BUILD=0 (skip the
// build: every card is not_started), BENCH_KEEP=1 (keep the temporary project).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { makePlan } from './make-plan.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = dirname(benchDir);
const cg = join(repo, 'dist', 'cg.cjs');
const size = Number(process.env.BENCH_SERVE_SIZE ?? 1000);
const runs = Math.max(3, Number(process.env.BENCH_RUNS ?? 7));
const goalMs = 1000;
const log = (line) => process.stdout.write(`[serve bench] ${line}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const root = mkdtempSync(join(os.tmpdir(), 'cg-bench-serve-'));
writeFileSync(join(root, 'pipeline.config.ts'), `export default { defaultProject: 'bench', sim: { latencyMs: 0, animaticWidth: 114, animaticHeight: 64 } };\n`);
const dir = join(root, 'projects', 'bench');
mkdirSync(dir, { recursive: true });
cpSync(join(repo, 'projects', 'demo', 'refs'), join(dir, 'refs'), { recursive: true });
cpSync(join(repo, 'projects', 'demo', 'bible.json'), join(dir, 'bible.json'));
writeFileSync(join(dir, 'plan.json'), `${JSON.stringify(makePlan(size), null, 2)}\n`);
writeFileSync(join(dir, 'decisions.json'), '{ "sequences": {} }\n');

let server;
let browser;
try {
  if (process.env.BENCH_SERVE_BUILD !== '0') {
    const started = performance.now();
    const built = spawnSync(process.execPath, [cg, 'build'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    log(`built ${size} sequences in ${((performance.now() - started) / 1000).toFixed(1)} s (exit ${built.status})`);
  }
  server = spawn(process.execPath, [cg, 'serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const found = /http:\/\/\S+/.exec(out)?.[0];
      if (found) resolve(found);
    });
    server.on('exit', (code) => reject(new Error(`cg serve exited (${code}): ${out}`)));
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const token = new URL(url).searchParams.get('token');
  const boardUrl = `${new URL(url).origin}/api/board?token=${token}`;

  const load = async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    // The board holds every sequence and draws the cards near the visible stretch of the song.
    await page.waitForFunction((n) => document.body.dataset.rendered !== undefined && document.getElementById('timeline')?.dataset.cards === String(n) && document.querySelector('[data-card]') !== null, size, { timeout: 60_000 });
    const ms = Number(await page.evaluate(() => document.body.dataset.rendered));
    await page.close();
    return ms;
  };
  const api = async () => {
    const started = performance.now();
    const response = await fetch(boardUrl);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  await load(); // warm-up: the first request loads the server's modules and the project
  const pageMs = [];
  const apiMs = [];
  for (let i = 0; i < runs; i++) {
    pageMs.push(await load());
    apiMs.push(await api());
  }
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown' },
    sequences: size,
    built: process.env.BENCH_SERVE_BUILD !== '0',
    runs,
    boardRenderMs: { samples: pageMs.map((x) => Math.round(x)), median: Math.round(median(pageMs)) },
    boardApiMs: { samples: apiMs.map((x) => Math.round(x)), median: Math.round(median(apiMs)) },
    goal: `board of ${size} sequences drawn within ${goalMs} ms`,
    met: median(pageMs) <= goalMs,
  };
  writeFileSync(join(benchDir, 'serve-results.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(`board of ${size} sequences: drawn in ${result.boardRenderMs.median} ms (median of ${runs}; GET /api/board ${result.boardApiMs.median} ms) — goal ${goalMs} ms ${result.met ? 'met' : 'NOT met'}`);
  if (!result.met) process.exitCode = 1;
} finally {
  await browser?.close();
  server?.kill('SIGTERM');
  if (process.env.BENCH_KEEP === '1') log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
