import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { onTestFinished } from 'vitest';
import { runCli } from '../../src/cli/run-cli.ts';
import { processIsAlive, systemClock, type Io } from '../../src/cli/io.ts';
import { noFaults } from '../../src/util/faults.ts';
import { codePaths } from '../../src/cli/code-paths.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const distCli = join(repoRoot, 'dist', 'cg.cjs');

export interface TestProject {
  root: string;
  dir: string;
  path: (...parts: string[]) => string;
  read: (relativePath: string) => Promise<string>;
  readJson: <T = unknown>(relativePath: string) => Promise<T>;
  write: (relativePath: string, text: string) => Promise<void>;
  editJson: <T>(relativePath: string, change: (value: T) => void) => Promise<void>;
}

/**
 * A copy of the demo project (or a variant) in a temp folder with its own
 * pipeline.config.ts, removed when the test ends. Without `song`, the plan names no song
 * file: the cut (segments, the join) stays out of tests that are not about it.
 */
export async function makeProject(config: Record<string, unknown> = {}, options: { song?: boolean } = {}): Promise<TestProject> {
  const root = await mkdtemp(join(tmpdir(), 'cg-test-'));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'projects', 'demo');
  for (const part of ['plan.json', 'bible.json', 'decisions.json', 'refs', ...(options.song === true ? ['song.m4a'] : [])]) {
    await cp(join(repoRoot, 'projects', 'demo', part), join(dir, part), { recursive: true });
  }
  if (options.song !== true) {
    const plan = await readFile(join(dir, 'plan.json'), 'utf8');
    await writeFile(join(dir, 'plan.json'), plan.replace(', "file": "song.m4a"', ''));
  }
  await writeFile(join(root, 'pipeline.config.ts'), `export default ${JSON.stringify({ defaultProject: 'demo', ...config }, null, 2)};\n`);
  const project: TestProject = {
    root,
    dir,
    path: (...parts) => join(dir, ...parts),
    read: (path) => readFile(join(dir, path), 'utf8'),
    readJson: async <T>(path: string) => JSON.parse(await readFile(join(dir, path), 'utf8')) as T,
    write: (path, text) => writeFile(join(dir, path), text),
    editJson: async <T>(path: string, change: (value: T) => void) => {
      const value = JSON.parse(await readFile(join(dir, path), 'utf8')) as T;
      change(value);
      await writeFile(join(dir, path), `${JSON.stringify(value, null, 2)}\n`);
    },
  };
  return project;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The side effects the CLI gets, pointed at a test project and capturing what it prints. */
export function testIo(project: { root: string }, options: { signal?: AbortSignal; env?: Record<string, string> } = {}): Io & { printed: () => { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  return {
    cwd: project.root,
    env: options.env ?? {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ask: undefined,
    clock: systemClock,
    signal: options.signal ?? new AbortController().signal,
    pid: process.pid,
    random: Math.random,
    fetch: globalThis.fetch,
    isAlive: processIsAlive,
    version: '0.0.0-test',
    cacheTag: 'test',
    codePaths: codePaths(),
    faults: noFaults,
    printed: () => ({ stdout, stderr }),
  };
}

/** Runs the CLI in this process against a project folder, capturing what it prints. */
export async function cg(project: { root: string }, args: string[], options: { signal?: AbortSignal; env?: Record<string, string> } = {}): Promise<CliRun> {
  const io = testIo(project, options);
  const code = await runCli(args, io);
  return { code, ...io.printed() };
}

/** Parses `cg build --json` output. */
export interface JsonNode {
  id: string;
  kind: string;
  sequence: string;
  action: 'run' | 'reuse' | 'failed' | 'blocked';
  reason: string;
  costUsd: number;
  estimateUsd: number;
  takeId: string | null;
  output: string | null;
}

export async function buildJson(project: { root: string }, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; nodes: JsonNode[]; totalCostUsd: number; stderr: string }> {
  const run = await cg(project, ['build', '--json', ...args], { env });
  const parsed = JSON.parse(run.stdout) as { nodes: JsonNode[]; totalCostUsd: number };
  return { code: run.code, nodes: parsed.nodes, totalCostUsd: parsed.totalCostUsd, stderr: run.stderr };
}

export function ran(nodes: readonly JsonNode[]): string[] {
  return nodes.filter((node) => node.action === 'run').map((node) => node.id).sort();
}

/** Every file under a folder with the sha256 of its bytes: compare before and after. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

/** Starts the real bundled CLI as a child process. */
export function spawnCg(project: { root: string }, args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliRun>; stdoutLines: (listener: (line: string) => void) => void } {
  const child = spawn(process.execPath, [distCli, ...args], { cwd: project.root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  const listeners: Array<(line: string) => void> = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) listeners.forEach((listener) => listener(line));
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 1), stdout, stderr })));
  return { child, done, stdoutLines: (listener) => listeners.push(listener) };
}
