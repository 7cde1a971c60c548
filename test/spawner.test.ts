import { getEventListeners } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDirect, type ProgramExit, type RunProgram } from '../src/media/run-program.ts';
import { createSpawner, type Spawner } from '../src/media/spawner.ts';
import type { Result } from '../src/util/result.ts';

const node = process.execPath;

/** Running (a zombie waiting for its new parent to reap it counts as gone). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function until(test: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!test() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  return test();
}

/** A spawner over the real helper; `direct` counts the runs that fell back to this process. */
function spawner(idleMs = 60_000): Spawner & { direct: string[] } {
  const direct: string[] = [];
  const fallback: RunProgram = (file, args, options) => {
    direct.push(args.join(' '));
    return runDirect(file, args, options);
  };
  const kill = (pid: number, signal: 'SIGTERM' | 'SIGKILL'): void => {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  };
  const made = createSpawner({ shell: '/bin/sh', env: process.env, scratch: join(tmpdir(), `cg-spawner-scratch-${process.pid}`), fallback, kill, idleMs });
  return Object.assign(made, { direct });
}

function text(result: Result<ProgramExit, string>): { code: number | null; stdout: string; stderr: string } {
  if (!result.ok) throw new Error(result.error);
  return { code: result.value.code, stdout: Buffer.from(result.value.stdout).toString(), stderr: Buffer.from(result.value.stderr).toString() };
}

/** A program's process group (field 5 of /proc/<pid>/stat). */
const GROUP = "require('fs').readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[2]";

/** The pid of the helper: it leads the process group of the programs it runs. */
async function helperPid(s: Spawner): Promise<number> {
  return Number(text(await s.run(node, ['-e', `process.stdout.write(${GROUP})`], {})).stdout);
}

describe('the spawner: programs run from a helper process', () => {
  it('gives a program its stdin and reports its stdout, stderr and exit code as a direct spawn does', async () => {
    const s = spawner();
    try {
      const input = new Uint8Array(300_000).map((_, i) => i % 251);
      const args = ['-e', "const c=[];process.stdin.on('data',d=>c.push(d)).on('end',()=>{const b=Buffer.concat(c);process.stdout.write(b.length+':'+b[299999]);process.stderr.write('said');process.exitCode=3})"];
      const viaHelper = text(await s.run(node, args, { input }));
      expect(viaHelper).toEqual(text(await runDirect(node, args, { input })));
      expect(viaHelper).toEqual({ code: 3, stdout: `300000:${299_999 % 251}`, stderr: 'said' });
      expect(await helperPid(s)).not.toBe(Number(eval(GROUP)));
      expect(s.direct).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('passes every argument as it is, quotes, spaces, $ and all; one a shell line cannot carry runs from here', async () => {
    const s = spawner();
    try {
      const words = ["it's", 'two words', '$HOME', '`date`', '"q"', '\\', '*', ';exit 3', 'Ünïcødé ✓', ''];
      const echo = ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))'];
      expect(JSON.parse(text(await s.run(node, [...echo, ...words], {})).stdout)).toEqual(words);
      expect(s.direct).toEqual([]);
      expect(JSON.parse(text(await s.run(node, [...echo, 'two\nlines'], {})).stdout)).toEqual(['two\nlines']);
      expect(s.direct).toHaveLength(1);
    } finally {
      s.close();
    }
  });

  it('runs programs side by side, and a program that cannot start fails in Node’s words', async () => {
    const s = spawner();
    try {
      const runs = await Promise.all([1, 2, 3].map((n) => s.run(node, ['-e', `setTimeout(()=>process.stdout.write('${n}'),${100 - n * 20})`], {})));
      expect(runs.map((run) => text(run).stdout)).toEqual(['1', '2', '3']);
      const missing = await s.run('/no/such/program', [], {});
      expect(missing).toEqual({ ok: false, error: 'spawn /no/such/program ENOENT' });
      expect(missing).toEqual(await runDirect('/no/such/program', [], {}));
    } finally {
      s.close();
    }
  });

  it('aborting stops the program: the run fails as aborted, and the program is gone', async () => {
    const s = spawner();
    try {
      const controller = new AbortController();
      // A build's signal is given to every run: a run that ended leaves no listener on it.
      for (let i = 0; i < 12; i++) expect(text(await s.run(node, ['-e', ''], { signal: controller.signal })).code).toBe(0);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      const pidFile = join(tmpdir(), `cg-spawner-${process.pid}`);
      const running = s.run(node, ['-e', `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000)`], { signal: controller.signal });
      expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '')).toBe(true);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      rmSync(pidFile);
      controller.abort();
      expect(await running).toEqual({ ok: false, error: 'The operation was aborted' });
      expect(await until(() => !isAlive(pid))).toBe(true);
      // Already aborted: nothing starts.
      expect(await s.run(node, ['-e', ''], { signal: controller.signal })).toEqual({ ok: false, error: 'The operation was aborted' });
    } finally {
      s.close();
    }
  });

  it('when the helper dies, what it ran is killed and run again from here, and so is all later work', async () => {
    const s = spawner();
    try {
      const helper = await helperPid(s);
      const marker = join(tmpdir(), `cg-spawner-orphan-${process.pid}`);
      rmSync(marker, { force: true });
      // Writes its pid and process group, then waits (a minute when the helper ran it: only a kill ends that copy in time).
      const script = `require('fs').appendFileSync(${JSON.stringify(marker)}, process.pid + ' ' + ${GROUP} + '\\n'); setTimeout(() => process.stdout.write('done'), process.ppid === ${process.pid} ? 100 : 60000)`;
      const running = s.run(node, ['-e', script], {});
      expect(await until(() => existsSync(marker))).toBe(true);
      process.kill(helper, 'SIGKILL');
      expect(text(await running).stdout).toBe('done');
      const lines = readFileSync(marker, 'utf8').trim().split('\n').map((line) => line.split(' ').map(Number));
      rmSync(marker);
      expect(lines).toHaveLength(2);
      expect(lines[0]?.[1]).toBe(helper);
      expect(lines[1]?.[1]).not.toBe(helper);
      expect(await until(() => !isAlive(lines[0]?.[0] ?? 0))).toBe(true);
      expect(await helperPid(s)).not.toBe(helper);
      expect(s.direct).toHaveLength(2);
    } finally {
      s.close();
    }
  });

  it('when this process is killed, the helper kills what it runs', async () => {
    const pidFile = join(tmpdir(), `cg-spawner-parent-${process.pid}`);
    rmSync(pidFile, { force: true });
    const program = `
      const { createJiti } = require('jiti');
      const jiti = createJiti(${JSON.stringify(join(process.cwd(), 'test', 'spawner.test.ts'))});
      jiti.import(${JSON.stringify(join(process.cwd(), 'src', 'media', 'spawner.ts'))}).then(({ createSpawner }) => {
        const s = createSpawner({ shell: '/bin/sh', env: process.env, scratch: ${JSON.stringify(join(tmpdir(), `cg-spawner-scratch-${process.pid}`))}, fallback: () => { throw new Error('direct'); }, kill: () => {} });
        s.run(process.execPath, ['-e', ${JSON.stringify(`require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000)`)}], {});
      });`;
    const { spawn } = await import('node:child_process');
    const parent = spawn(node, ['-e', program], { stdio: 'ignore' });
    expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 20_000)).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    rmSync(pidFile);
    expect(isAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await until(() => !isAlive(pid))).toBe(true);
  });

  it('the helper ends when closed or idle, and a later run starts another', async () => {
    const s = spawner(200);
    const first = await helperPid(s);
    expect(isAlive(first)).toBe(true);
    expect(await until(() => !isAlive(first))).toBe(true);
    const second = await helperPid(s);
    expect(second).not.toBe(first);
    s.close();
    expect(await until(() => !isAlive(second))).toBe(true);
    expect(s.direct).toEqual([]);
  });
});
