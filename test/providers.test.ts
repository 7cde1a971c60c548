import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProviders, type FakeProviders } from './fakes/server.ts';
import { buildJson, cg, makeProject, ran, snapshotTree, spawnCg, type TestProject } from './helpers/project.ts';

const realProviders = {
  providers: { image: 'gemini', video: 'fal' },
  fal: { pollIntervalMs: 10 },
  retry: { attempts: 6, baseDelayMs: 5, maxDelayMs: 40 },
};
const keys = { FAL_KEY: 'fal-secret-key-0123456789', GEMINI_API_KEY: 'gemini-secret-key-9876543210' };

let fake: FakeProviders | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(config: Record<string, unknown> = {}): Promise<{ project: TestProject; fake: FakeProviders; env: Record<string, string> }> {
  fake = await startFakeProviders();
  const project = await makeProject({ ...realProviders, ...config });
  return { project, fake, env: { ...fake.env, ...keys } };
}

type Submission = ReturnType<FakeProviders['submissions']>[number];
const submitted = (f: FakeProviders): number => Object.values(f.counts().falSubmits).reduce((a, b) => a + b, 0);
const geminiCalls = (f: FakeProviders): number => Object.values(f.counts().geminiCalls).reduce((a, b) => a + b, 0);
const inputOf = (s: Submission): Record<string, unknown> => s.input as Record<string, unknown>;

/** Every `duration` anywhere in a submitted input. */
function durations(value: unknown): unknown[] {
  if (Array.isArray(value)) return (value as unknown[]).flatMap(durations);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (k === 'duration' ? [v] : durations(v)));
  }
  return [];
}

describe('real providers through the official SDKs, against the loopback wire fakes', () => {
  it('builds the demo end to end: one paid submission per node that ran, zero on the second build', async () => {
    const { project, fake, env } = await setup();
    const first = await buildJson(project, [], env);
    expect(first.code).toBe(0);
    const videoRuns = ran(first.nodes).filter((id) => /:(take|shot\d+)$/.test(id));
    const gridRuns = ran(first.nodes).filter((id) => id.endsWith(':grid'));
    expect(submitted(fake)).toBe(videoRuns.length);
    expect(geminiCalls(fake)).toBe(gridRuns.length);
    expect(fake.counts().downloads).toBe(videoRuns.length);
    expect(await readdir(project.path('takes', 'SEQ02'))).toEqual(['SEQ02_take001.mp4']);

    const second = await buildJson(project, [], env);
    expect(ran(second.nodes)).toEqual([]);
    expect(submitted(fake)).toBe(videoRuns.length);
    expect(geminiCalls(fake)).toBe(gridRuns.length);

    // The ledger's total equals the takes' costs and the dry-run estimate for the same nodes.
    const ledger = (await project.read('state/costs.jsonl')).trim().split('\n').map((line) => JSON.parse(line) as { usd: number; node: string });
    const ledgerTotal = ledger.reduce((sum, event) => sum + event.usd, 0);
    expect(ledgerTotal).toBeCloseTo(first.totalCostUsd, 6);
    expect(ledgerTotal).toBeCloseTo(first.nodes.filter((n) => n.action === 'run').reduce((sum, n) => sum + n.estimateUsd, 0), 6);
    const cost = JSON.parse((await cg(project, ['cost', '--json'], { env })).stdout) as { totalUsd: number; bySequence: Record<string, { usd: number; estimateUsd: number }> };
    expect(cost.totalUsd).toBeCloseTo(ledgerTotal, 6);
    expect(cost.bySequence['SEQ02']?.usd).toBeCloseTo(15 * 0.084, 6);
  });

  it('routes by input shape, sends every duration as a string, and uploads each image once', async () => {
    const { project, fake, env } = await setup();
    await project.editJson<{ sequences: Array<{ id: string; elements: string[]; grid?: unknown }> }>('plan.json', (plan) => {
      const seq01 = plan.sequences.find((s) => s.id === 'SEQ01');
      if (seq01 !== undefined) seq01.elements = []; // a start frame alone
    });
    await project.editJson<{ sequences: Array<{ id: string; shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      for (const shot of plan.sequences.find((s) => s.id === 'SEQ01')?.shots ?? []) shot.prompt = shot.prompt.replace(/@\w+/g, 'the sign');
    });
    await buildJson(project, ['SEQ01', 'SEQ11'], env);
    expect((await cg(project, ['pick', 'SEQ01', '--cell', '1'], { env })).code).toBe(0);
    expect((await cg(project, ['pick', 'SEQ11', '--cell', '4'], { env })).code).toBe(0);
    const built = await buildJson(project, [], env);
    expect(built.code).toBe(0);

    const byEndpoint = (suffix: string): Submission[] => fake.submissions().filter((s) => s.endpoint.endsWith(suffix));
    const seq11 = byEndpoint('/reference-to-video').find((s) => Array.isArray(inputOf(s)['elements']) && typeof inputOf(s)['start_image_url'] === 'string');
    expect(seq11, 'start frame + 3 elements').toBeDefined();
    expect((inputOf(seq11 as Submission)['elements'] as unknown[]).length).toBe(3);
    const seq01 = byEndpoint('/image-to-video');
    expect(seq01).toHaveLength(1);
    expect(inputOf(seq01[0] as Submission)).toMatchObject({ image_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1/) });
    expect(inputOf(seq01[0] as Submission)['start_image_url']).toBeUndefined();
    expect(inputOf(seq01[0] as Submission)['elements']).toBeUndefined();

    const all = fake.submissions().flatMap((s) => durations(s.input));
    expect(all.length).toBeGreaterThan(10);
    expect(all.every((d) => typeof d === 'string')).toBe(true);

    // maya's frontal view is shared by SEQ02, SEQ06 and SEQ10: one upload, one URL.
    const urls = fake.submissions().flatMap((s) => JSON.stringify(s.input).match(/http:\/\/127\.0\.0\.1:\d+\/files\/[^"]+/g) ?? []);
    expect(fake.counts().falUploads).toBe(new Set(urls).size);
    expect(urls.length).toBeGreaterThan(new Set(urls).size);
  });

  /** Resolves on the n-th answered request of a route. */
  const nth = (f: FakeProviders, route: string, n: number): Promise<void> =>
    new Promise((resolve) => {
      let seen = 0;
      const off = f.onRequest((r) => {
        if (r.route === route && ++seen === n) {
          off();
          resolve();
        }
      });
    });

  it.each([
    ['once the job is journaled and queued', 'queued'],
    ['while the job is in progress', 'in-progress'],
    ['during the download', 'download'],
  ] as const)('SIGKILL %s: the next build resumes the job with zero new submissions', async (_when, point) => {
    const { project, fake, env } = await setup();
    fake.setJobPolls(2);
    const hold = point === 'in-progress' ? fake.holdJobs() : undefined;
    if (point === 'download') fake.failNext('fal-download', { delayMs: 30_000 });
    const run = spawnCg(project, ['build', 'SEQ04'], env);
    await (point === 'download' ? fake.waitForArrival('fal-download') : nth(fake, 'fal-status', point === 'queued' ? 1 : 4));
    run.child.kill('SIGKILL');
    await run.done;
    hold?.release();
    expect(submitted(fake)).toBe(1);
    const record = await project.readJson<{ takes: Array<{ status: string; requestId: string | null }> }>('state/shots/SEQ04.json');
    expect(record.takes[0]?.requestId).toBe(fake.submissions()[0]?.requestId);
    fake.clearFaults();

    const next = await buildJson(project, ['SEQ04'], env);
    expect(next.code).toBe(0);
    expect(ran(next.nodes)).toEqual(['SEQ04:take']);
    expect(submitted(fake)).toBe(1);
    const after = await project.readJson<{ takes: Array<{ status: string; output: string }> }>('state/shots/SEQ04.json');
    expect(after.takes).toHaveLength(1);
    expect(after.takes[0]?.status).toBe('video_complete');
    expect((await readFile(project.path(after.takes[0]?.output ?? ''))).subarray(4, 8).toString()).toBe('ftyp');
  });

  it('SIGKILL while the submit is on the wire: never resubmitted silently; --resubmit after a check', async () => {
    const { project, fake, env } = await setup();
    fake.failNext('fal-submit', { delayMs: 30_000 });
    const run = spawnCg(project, ['build', 'SEQ04'], env);
    await fake.waitForArrival('fal-submit');
    run.child.kill('SIGKILL');
    await run.done;
    const submitsBefore = fake.requestLog().filter((r) => r.route === 'fal-submit').length;
    const next = await buildJson(project, ['SEQ04'], env);
    expect(next.code).toBe(1);
    expect(next.nodes.find((n) => n.id === 'SEQ04:take')?.reason).toContain('interrupted while submitting');
    expect(fake.requestLog().filter((r) => r.route === 'fal-submit')).toHaveLength(submitsBefore); // nothing new was sent
    fake.clearFaults();
    const resubmitted = await buildJson(project, ['SEQ04', '--resubmit'], env);
    expect(resubmitted.code).toBe(0);
    expect(ran(resubmitted.nodes)).toEqual(['SEQ04:take']);
  });

  it('30% of requests answered 503/429 at random: the build completes and nothing is paid twice', async () => {
    const { project, fake, env } = await setup();
    fake.failRandomly({ rate: 0.3, seed: 7, statuses: [503, 429] });
    const result = await buildJson(project, ['SEQ02', 'SEQ04', 'SEQ09', 'SEQ12'], env);
    expect(result.code).toBe(0);
    expect(fake.requestLog().some((r) => r.status === 503 || r.status === 429)).toBe(true);
    const perEndpoint = fake.submissions().map((s) => s.endpoint);
    expect(perEndpoint).toHaveLength(ran(result.nodes).filter((id) => id.endsWith(':take')).length);
    expect(geminiCalls(fake)).toBe(1);
  }, 120_000);

  it('a 422 fails only its node, naming the field; a blocked Gemini prompt fails only its grid with the reason', async () => {
    const { project, fake, env } = await setup();
    fake.failNext('fal-result', { status: 422, detail: [{ loc: ['body', 'duration'], msg: "Input should be '5' or '10'", type: 'literal_error', input: '8' }] });
    fake.failNext('gemini', { blockPrompt: 'PROHIBITED_CONTENT' });
    const result = await buildJson(project, ['SEQ01', 'SEQ03', 'SEQ04', 'SEQ06'], env);
    expect(result.code).toBe(1);
    const failed = result.nodes.filter((n) => n.action === 'failed');
    expect(failed).toHaveLength(2);
    const video = failed.find((n) => n.kind === 'take');
    expect(video?.reason).toContain("duration: Input should be '5' or '10'");
    expect(failed.find((n) => n.kind === 'grid')?.reason).toContain('Gemini blocked the prompt (PROHIBITED_CONTENT)');
    expect(result.nodes.filter((n) => n.action === 'run').map((n) => n.kind).sort()).toEqual(['elements', 'elements', 'elements', 'elements', 'grid', 'take']);
    expect(result.stderr).toContain('failed');

    // The same refused inputs are not paid for again unasked.
    const paid = submitted(fake) + geminiCalls(fake);
    const again = await buildJson(project, ['SEQ01', 'SEQ03', 'SEQ04', 'SEQ06'], env);
    expect(again.code).toBe(1);
    expect(again.nodes.filter((n) => n.action === 'failed').every((n) => n.reason.includes('refused these same inputs last time'))).toBe(true);
    expect(submitted(fake) + geminiCalls(fake)).toBe(paid);
    const retried = await buildJson(project, ['SEQ01', 'SEQ03', 'SEQ04', 'SEQ06', '--retry-failed'], env);
    expect(retried.code).toBe(0);
    expect(submitted(fake) + geminiCalls(fake)).toBe(paid + 2);
  });

  it('--max-cost below the estimate refuses with exit 2 and submits nothing', async () => {
    const { project, fake, env } = await setup();
    const dry = await buildJson(project, ['--dry-run'], env);
    const refused = await cg(project, ['build', '--max-cost', (dry.totalCostUsd / 2).toFixed(2)], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/estimated at \$\d+\.\d\d, above --max-cost/);
    expect(submitted(fake)).toBe(0);
    expect(geminiCalls(fake)).toBe(0);
  });

  it('a locked fal account stops the build at once: nothing else is submitted', async () => {
    const { project, fake, env } = await setup({ concurrency: { fal: 1 } });
    fake.lockAccount();
    const result = await buildJson(project, ['SEQ02', 'SEQ04', 'SEQ06', 'SEQ07'], env);
    expect(result.code).toBe(1);
    expect(submitted(fake)).toBe(0);
    expect(fake.requestLog().filter((r) => r.route === 'fal-submit')).toHaveLength(1);
    expect(result.nodes.filter((n) => n.action === 'failed')[0]?.reason).toContain('User is locked');
    expect(result.nodes.filter((n) => n.action === 'blocked' && n.reason.includes('not submitted'))).toHaveLength(3);
  });

  it('a missing key exits 2 naming the variable; no key ever reaches files or output', async () => {
    const { project, fake, env } = await setup();
    const missing = await cg(project, ['build'], { env: { ...fake.env, GEMINI_API_KEY: keys.GEMINI_API_KEY } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('FAL_KEY is not set');
    expect(submitted(fake) + geminiCalls(fake)).toBe(0);

    fake.failNext('fal-result', { status: 422, detail: [{ loc: ['body', 'prompt'], msg: 'bad', type: 'value_error' }] });
    const outputs = [await cg(project, ['build', '--json'], { env }), await cg(project, ['status'], { env }), await cg(project, ['cost'], { env })];
    const files = await snapshotTree(project.dir);
    const texts = await Promise.all(Object.keys(files).filter((f) => /\.(json|jsonl)$/.test(f)).map((f) => readFile(join(project.dir, f), 'utf8')));
    for (const text of [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...texts]) {
      expect(text).not.toContain(keys.FAL_KEY);
      expect(text).not.toContain(keys.GEMINI_API_KEY);
    }
  });
});
