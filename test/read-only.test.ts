import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { PlanFacts } from '../src/graph/plan.ts';
import { startFakeProviders, type FakeProviders } from './fakes/server.ts';
import { buildJson, cg, makeProject, snapshotTree } from './helpers/project.ts';

const config = { providers: { image: 'gemini', video: 'fal' }, fal: { pollIntervalMs: 5 } };
const keys = { FAL_KEY: 'fal-key-0123456789', GEMINI_API_KEY: 'gemini-key-0123456789' };

let fake: FakeProviders | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('read-only commands plan and cannot spend', () => {
  it('the planner sees no provider and nothing that writes', () => {
    expectTypeOf<PlanFacts>().not.toHaveProperty('providers');
    expectTypeOf<keyof PlanFacts['takes']>().toEqualTypeOf<'find'>();
    expectTypeOf<keyof PlanFacts['built']>().toEqualTypeOf<'get'>();
    expectTypeOf<keyof PlanFacts['files']>().toEqualTypeOf<'matches'>();
  });

  it('status, explain, cost, --dry-run and pick on real providers send no request at all and change no take', async () => {
    fake = await startFakeProviders();
    const project = await makeProject(config);
    const env = { ...fake.env, ...keys };
    expect((await buildJson(project, ['SEQ03', 'SEQ04'], env)).code).toBe(0);
    // Plan edits that would spend if anything ran.
    await project.editJson<{ sequences: Array<{ id: string; shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      for (const sequence of plan.sequences) for (const shot of sequence.shots) shot.prompt += ' At dusk.';
    });
    const requests = fake.requestLog().length;
    const takes = await snapshotTree(project.path('takes'));
    for (const args of [['status'], ['explain', 'SEQ04'], ['cost'], ['build', '--dry-run'], ['build', '--dry-run', '--json'], ['pick', 'SEQ03', '--cell', '2']]) {
      const run = await cg(project, args, { env });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
    expect(fake.requestLog().length).toBe(requests);
    expect(await snapshotTree(project.path('takes'))).toEqual(takes);
  });
});

describe('every paid attempt reaches the ledger', () => {
  it('a grid that fails after two paid attempts that were not grids puts both on the ledger', async () => {
    fake = await startFakeProviders();
    const project = await makeProject({ ...config, grid: { rows: 2, cols: 2, maxAttempts: 3 } });
    const env = { ...fake.env, ...keys };
    fake.failNext('gemini', { notAGrid: true }, 2);
    fake.failNext('gemini', { blockPrompt: 'OTHER' });
    const run = await buildJson(project, ['SEQ03'], env);
    expect(run.code).toBe(1);
    const grid = run.nodes.find((n) => n.id === 'SEQ03:grid');
    expect(grid?.action).toBe('failed');
    expect(grid?.costUsd).toBeCloseTo(2 * 0.039, 6);
    expect(fake.geminiRequests().filter((r) => r.status === 200)).toHaveLength(3);
    const ledger = (await project.read('state/costs.jsonl')).trim().split('\n').map((line) => JSON.parse(line) as { node: string; usd: number; unit: string });
    expect(ledger.map((line) => [line.node, line.unit, line.usd])).toEqual([
      ['SEQ03:grid', 'image', 0.039],
      ['SEQ03:grid', 'image', 0.039],
    ]);
    const cost = JSON.parse((await cg(project, ['cost', '--json'], { env })).stdout) as { totalUsd: number };
    expect(cost.totalUsd).toBeCloseTo(0.078, 6);
  });
});
