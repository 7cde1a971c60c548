import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildJson, cg, distCli, makeProject, ran, spawnCg, type TestProject } from './helpers/project.ts';

/** Slow enough that a build is still going when the test interrupts it. */
const slow = { sim: { latencyMs: 300 }, concurrency: { sim: 2 } };

interface RecordFile {
  shotId: string;
  takes: Array<{ takeId: string; key: string; status: string }>;
}

/** Every state file parses, and no key has two complete takes (nothing was paid twice). */
async function expectValidState(project: TestProject): Promise<RecordFile[]> {
  const shots = project.path('state', 'shots');
  const records: RecordFile[] = [];
  for (const name of (await readdir(shots)).filter((n) => n.endsWith('.json'))) {
    const record = JSON.parse(await readFile(join(shots, name), 'utf8')) as RecordFile;
    const complete = record.takes.filter((t) => t.status.endsWith('_complete'));
    expect(new Set(complete.map((t) => t.key)).size, `${name} has two takes for one key`).toBe(complete.length);
    records.push(record);
  }
  JSON.parse(await project.read('state/client/sequences.json'));
  return records;
}

function waitForLine(run: ReturnType<typeof spawnCg>, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => run.stdoutLines((line) => pattern.test(line) && resolve(line)));
}

describe('interruptions and concurrent builds', () => {
  it('a build killed with SIGKILL completes on the next run, re-running only what had not finished', async () => {
    const project = await makeProject(slow);
    const run = spawnCg(project, ['build', '--jobs', '2']);
    const finished: string[] = [];
    run.stdoutLines((line) => {
      const match = /✓ (\S+)/.exec(line);
      if (match?.[1] !== undefined) finished.push(match[1]);
    });
    await waitForLine(run, /✓ SEQ\d+:(take|grid|shot)/);
    run.child.kill('SIGKILL');
    await run.done;
    const done = [...finished];
    expect(done.length).toBeGreaterThan(0);

    const next = await buildJson(project);
    expect(next.code).toBe(0);
    for (const id of done) expect(next.nodes.find((n) => n.id === id)?.action, id).toBe('reuse');
    expect(ran(next.nodes).length).toBeGreaterThan(0);
    const records = await expectValidState(project);
    expect(records.flatMap((r) => r.takes).every((t) => t.status.endsWith('_complete'))).toBe(true);
    expect(ran((await buildJson(project)).nodes)).toEqual([]);
  });

  it('Ctrl-C stops starting work, exits 130, and the next build carries on', async () => {
    const project = await makeProject(slow);
    const run = spawnCg(project, ['build']);
    await waitForLine(run, /✓ SEQ\d+:(take|grid|shot)/);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('interrupted; finished work is kept');
    const next = await buildJson(project);
    expect(next.code).toBe(0);
    await expectValidState(project);
  });

  it('two builds started at once: one waits for the other, nothing is corrupted or made twice', async () => {
    const project = await makeProject(slow);
    const a = spawnCg(project, ['build', 'SEQ02', 'SEQ04', 'SEQ06']);
    const b = spawnCg(project, ['build', 'SEQ02', 'SEQ04', 'SEQ06']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(`${ra.stderr}${rb.stderr}`).toContain('waiting for the cg command already running on this project');
    expect([ra.stdout, rb.stdout].filter((out) => out.startsWith('Nothing to build'))).toHaveLength(1);
    const records = await expectValidState(project);
    expect(records.map((r) => r.takes.length)).toEqual([1, 1, 1]);
  });

  it('--no-wait says clearly that another build is running', async () => {
    const project = await makeProject(slow);
    const first = spawnCg(project, ['build', 'SEQ02']);
    await waitForLine(first, /running/);
    const second = await cg(project, ['build', 'SEQ02', '--no-wait']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another cg command \(pid \d+, "cg build SEQ02"/);
    expect((await first.done).code).toBe(0);
  });

  it('a reader that goes away (a closed socket) ends the output, not the build', async () => {
    const project = await makeProject(slow);
    const run = spawnCg(project, ['build']);
    await waitForLine(run, /^Building demo: \d+ nodes to run/);
    // As a parent that stops listening does: later writes fail with EPIPE.
    run.child.stdout?.destroy();
    const { code, stderr } = await run.done;
    expect(stderr).not.toMatch(/EPIPE|Error|\bat /);
    expect(code).toBe(0);
    // Everything was made and stored: nothing is left to run.
    expect(ran((await buildJson(project)).nodes)).toEqual([]);
    await expectValidState(project);
  });

  it('cg build | head -n 1: the first line, then the build finishes quietly', async () => {
    const project = await makeProject(slow);
    // A pipe (a FIFO, written directly), as a shell makes it; bash for the exit status of cg itself.
    const script = 'node "$0" build 2>cg-stderr.txt | head -n 1; echo "cg exited ${PIPESTATUS[0]}"';
    const child = spawn('bash', ['-c', script, distCli], { cwd: project.root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    expect(out).toMatch(/^Building demo: \d+ nodes to run .*\ncg exited 0\n$/);
    expect(await readFile(join(project.root, 'cg-stderr.txt'), 'utf8')).toBe('');
    expect(ran((await buildJson(project)).nodes)).toEqual([]);
    await expectValidState(project);
  });

  it('Ctrl-C while the no-op check runs stops the build before it starts anything', async () => {
    const project = await makeProject();
    expect((await cg(project, ['build'])).code).toBe(0);
    expect((await cg(project, ['build'])).stdout).toMatch(/^Nothing to build/m);
    await project.editJson<{ sequences: Array<{ id: string; shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      const shot = plan.sequences.find((sequence) => sequence.id === 'SEQ07')?.shots[0];
      if (shot !== undefined) shot.prompt += ' Thunder.';
    });
    // The memo, read through a named pipe: the no-op check (dist/noop.cjs) waits in a read until
    // the test writes it, and the Ctrl-C comes meanwhile. Whoever reads it next (the CLI, when the
    // check hands over before its handler ran) is given it too.
    const memoFile = project.path('.cg', 'noop.memo');
    const memo = await readFile(memoFile);
    await rm(memoFile);
    execFileSync('mkfifo', [memoFile]);
    const run = spawnCg(project, ['build']);
    const ended = run.done.then(() => undefined);
    for (let reads = 0; ; reads++) {
      const opening = open(memoFile, 'w'); // opens once the build opens it to read
      const writer = await Promise.race([opening, ended]);
      if (writer === undefined) {
        // Paired with a reader of the test's own, so that the open does not hold a thread.
        await (await open(memoFile, constants.O_RDONLY | constants.O_NONBLOCK)).close();
        await (await opening).close();
        break;
      }
      if (reads === 0) run.child.kill('SIGINT');
      // A reader may stop early (EPIPE): it read what it wanted.
      await writer.write(memo).catch(() => undefined);
      await writer.close();
    }
    const { code, stdout, stderr } = await run.done;
    expect(stderr).toMatch(/^cg: interrupted/m);
    expect(code).toBe(130);
    expect(stdout).not.toMatch(/✓/);
    // Nothing ran: the edited take is still to be made.
    await rm(memoFile);
    await writeFile(memoFile, memo);
    expect(ran((await buildJson(project, ['--dry-run'])).nodes)).toEqual(['SEQ07:take']);
  });
});
