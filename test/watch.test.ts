import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startFakeProviders, type FakeProviders } from './fakes/server.ts';
import { buildJson, cg, makeProject, ran, spawnCg, type CliRun, type TestProject } from './helpers/project.ts';

/** `cg watch` as a child process, with a way to wait for its own lines (never a sleep). */
interface Watching {
  lines: string[];
  /** Resolves when the count-th line matching the pattern has been printed. */
  waitFor(pattern: RegExp, count?: number): Promise<void>;
  count(pattern: RegExp): number;
  stop(): Promise<CliRun>;
}

function watch(project: TestProject, args: string[] = [], env: Record<string, string> = {}): Watching {
  const run = spawnCg(project, ['watch', ...args], env);
  let errors = '';
  run.child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const stderr = (): string => errors;
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  run.stdoutLines((line) => {
    lines.push(line);
    waiters.splice(0).forEach((wake) => wake());
  });
  onTestFinished(() => {
    run.child.kill('SIGKILL');
  });
  const count = (pattern: RegExp): number => lines.filter((line) => pattern.test(line)).length;
  return {
    lines,
    count,
    waitFor: async (pattern, n = 1) => {
      // Bounded: a watcher that never prints the line fails the test with what it did print.
      const deadline = setTimeout(() => waiters.splice(0).forEach((wake) => wake()), 30_000);
      const started = Date.now();
      try {
        while (count(pattern) < n) {
          if (Date.now() - started >= 30_000) throw new Error(`no ${n}th line matching ${String(pattern)}; the watcher printed:\n${lines.join('\n')}\n${stderr()}`);
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      } finally {
        clearTimeout(deadline);
      }
    },
    stop: () => {
      run.child.kill('SIGINT');
      return run.done;
    },
  };
}

const idle = /^Watching for changes/;
const cycleStart = /^\[\d\d:\d\d:\d\d\] /;

async function editPrompt(project: TestProject, text: string): Promise<void> {
  await project.editJson<{ sequences: Array<{ shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
    const shot = plan.sequences[1]?.shots[1];
    if (shot !== undefined) shot.prompt = text;
  });
}

let fake: FakeProviders | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('cg watch', () => {
  it('five saves within the debounce window make one cycle that runs that take alone; Ctrl-C exits 130', async () => {
    // A window wide enough that five saves fall inside it even on a loaded machine.
    const project = await makeProject({ watch: { debounceMs: 3000 } });
    const watcher = watch(project);
    await watcher.waitFor(idle);
    for (let i = 1; i <= 5; i++) await editPrompt(project, `Close on @maya, take ${i}.`);
    await watcher.waitFor(idle, 2);
    expect(watcher.count(cycleStart)).toBe(2); // the first cycle at start, then one for the burst
    expect(watcher.lines).toContain('  SEQ02:take  changed: shots[1].prompt');
    expect(watcher.lines.filter((line) => /✓ \S+/.test(line)).slice(-1)[0]).toMatch(/✓ SEQ02:take .*SEQ02_take002/);
    const dry = await buildJson(project, ['--dry-run']);
    expect(ran(dry.nodes)).toEqual([]);
    const stopped = await watcher.stop();
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('interrupted; finished work is kept');
  });

  it('a broken save shows the error with file, line and path and runs nothing; the next good save builds', async () => {
    const project = await makeProject({ watch: { debounceMs: 50 } });
    const watcher = watch(project);
    await watcher.waitFor(idle);
    const good = await project.read('plan.json');
    await project.write('plan.json', good.replace('"duration": 4', '"duration": "4s"'));
    await watcher.waitFor(idle, 2);
    const stderrRun = await watcher.stop();
    expect(stderrRun.stderr).toContain('projects/demo/plan.json:19:23 sequences[0].shots[0].duration: a duration is whole seconds, written 5 or "5"; got "4s"');

    const again = watch(project);
    await again.waitFor(idle);
    await project.write('plan.json', good);
    await editPrompt(project, 'Fixed and edited.');
    // The two saves may fall in one cycle or in two (the first with nothing to do): wait for the build's line.
    await again.waitFor(/^ {2}SEQ02:take {2}changed: shots\[1\]\.prompt$/);
    expect(again.lines).toContain('  SEQ02:take  changed: shots[1].prompt');
    expect(await again.stop()).toMatchObject({ code: 130 });
  });

  it('a save during a running build gives exactly one follow-up cycle', async () => {
    // The follow-up's debounce also gathers change events a loaded machine delivers late.
    const project = await makeProject({ watch: { debounceMs: 1000 }, sim: { latencyMs: 1500 }, concurrency: { sim: 1 } });
    const watcher = watch(project, ['SEQ02', 'SEQ04']);
    await watcher.waitFor(idle);
    await editPrompt(project, 'First edit.');
    await watcher.waitFor(/… SEQ02:take running/, 2);
    for (let i = 0; i < 3; i++) await editPrompt(project, `Edit during the build ${i}.`);
    // The cycle that saw the saves ends with a change pending (not idle): the follow-up ends idle.
    await watcher.waitFor(idle, 2);
    expect(watcher.count(cycleStart)).toBe(3);
    expect(watcher.count(/… SEQ02:take running/)).toBe(3);
    expect(ran((await buildJson(project, ['SEQ02', '--dry-run'])).nodes)).toEqual([]);
    await watcher.stop();
  });

  it('a pick in another terminal makes the watcher cut the frame and make the take', async () => {
    const project = await makeProject({ watch: { debounceMs: 50 } });
    const watcher = watch(project, ['SEQ03']);
    await watcher.waitFor(idle);
    const pick = await cg(project, ['pick', 'SEQ03', '--cell', '2']);
    expect(pick.code).toBe(0);
    await watcher.waitFor(idle, 2);
    expect(watcher.lines.some((line) => /✓ SEQ03:frame/.test(line))).toBe(true);
    expect(watcher.lines.some((line) => /✓ SEQ03:take .*SEQ03_take001/.test(line))).toBe(true);
    await watcher.stop();
  });

  it('on real providers nothing paid runs without consent (--auto-spend 0); --auto-spend 5 runs the $1.26 edit once', async () => {
    fake = await startFakeProviders();
    const project = await makeProject({ providers: { image: 'gemini', video: 'fal' }, fal: { pollIntervalMs: 5 }, watch: { debounceMs: 50 } });
    const env = { ...fake.env, FAL_KEY: 'fal-key-0123456789', GEMINI_API_KEY: 'gemini-key-0123456789' };
    expect((await buildJson(project, ['SEQ02'], env)).code).toBe(0);
    const submitted = (): number => fake?.submissions().length ?? 0;
    expect(submitted()).toBe(1);

    const careful = watch(project, ['SEQ02'], env);
    await careful.waitFor(idle);
    await editPrompt(project, 'A paid edit.');
    await careful.waitFor(idle, 2);
    expect(careful.lines).toContain('  SEQ02:take  changed: shots[1].prompt  $1.26');
    expect(careful.lines).toContain('  waiting for a person: SEQ02:take $1.26 ($1.26); run them with: cg build SEQ02');
    expect(submitted()).toBe(1);
    await careful.stop();

    const trusting = watch(project, ['SEQ02', '--auto-spend', '5'], env);
    await trusting.waitFor(idle);
    expect(submitted()).toBe(2);
    expect(trusting.lines.some((line) => /✓ SEQ02:take .*\$1\.26/.test(line))).toBe(true);
    await trusting.stop();
    expect(JSON.parse(await readFile(project.path('state', 'shots', 'SEQ02.json'), 'utf8'))).toMatchObject({ takes: [{ status: 'video_complete' }, { status: 'video_complete' }] });
  });
});
