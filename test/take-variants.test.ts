import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../src/state/records.ts';
import { startFakeProviders, type FakeProviders } from './fakes/server.ts';
import { buildJson, cg, makeProject, ran, snapshotTree } from './helpers/project.ts';

let fake: FakeProviders | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const keys = { FAL_KEY: 'fal-secret-key-0123456789', GEMINI_API_KEY: 'gemini-secret-key-9876543210' };
const submitted = (f: FakeProviders): number => Object.values(f.counts().falSubmits).reduce((a, b) => a + b, 0);

describe('cg build --mode: one take in another mode, without editing plan.json', () => {
  it('makes SEQ02 as one clip per shot beside its multi-shot take; the plan build still reuses the multi-shot take', async () => {
    const project = await makeProject();
    const plan = await project.read('plan.json');
    expect(ran((await buildJson(project, ['SEQ02'])).nodes)).toEqual(['SEQ02:elements', 'SEQ02:take']);

    const individual = await buildJson(project, ['SEQ02', '--mode', 'individual']);
    expect(individual.code).toBe(0);
    expect(ran(individual.nodes)).toEqual(['SEQ02:shot01', 'SEQ02:shot02', 'SEQ02:shot03', 'SEQ02:shot04']);
    expect(individual.nodes.filter((node) => node.kind === 'take')).toEqual([]);
    expect(await project.read('plan.json')).toBe(plan);
    expect((await readdir(project.path('takes', 'SEQ02'))).sort()).toEqual([
      'SEQ02_shot01_take001.mp4',
      'SEQ02_shot02_take001.mp4',
      'SEQ02_shot03_take001.mp4',
      'SEQ02_shot04_take001.mp4',
      'SEQ02_take001.mp4',
    ]);
    // The derived state stays the plan's: its current take is still the multi-shot one.
    const sequences = await project.readJson<{ sequences: Array<{ id: string; mode: string; currentTakes: string[] }> }>('state/client/sequences.json');
    expect(sequences.sequences.find((s) => s.id === 'SEQ02')).toMatchObject({ mode: 'multi_shot', currentTakes: ['SEQ02_take001'] });

    const again = await buildJson(project, ['SEQ02']);
    expect(ran(again.nodes)).toEqual([]);
    expect(again.nodes.find((node) => node.id === 'SEQ02:take')).toMatchObject({ action: 'reuse', takeId: 'SEQ02_take001' });
    expect(ran((await buildJson(project, ['SEQ02', '--mode', 'individual'])).nodes)).toEqual([]);
    expect((await readdir(project.path('state', 'shots'))).filter((file) => file.startsWith('SEQ02')).sort()).toEqual([
      'SEQ02.json',
      'SEQ02_shot01.json',
      'SEQ02_shot02.json',
      'SEQ02_shot03.json',
      'SEQ02_shot04.json',
    ]);
  });
});

describe('cg build --shot-override: one take with a shot prompt replaced, without editing plan.json', () => {
  it('pays once for an override (on the wire fakes), records it as overridden, and reuses it when asked again', async () => {
    fake = await startFakeProviders();
    const project = await makeProject({ providers: { image: 'gemini', video: 'fal' }, fal: { pollIntervalMs: 5 } });
    const env = { ...fake.env, ...keys };
    const plan = await project.read('plan.json');
    expect((await buildJson(project, ['SEQ02'], env)).code).toBe(0);
    expect(submitted(fake)).toBe(1);

    const override = '1:A slow dolly toward @maya at the wheel, rain on the glass';
    const dry = await cg(project, ['build', 'SEQ02', '--shot-override', override, '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/run\s+SEQ02:take\s+changed: shots\[0\]\.prompt\s+\$1\.26/);
    expect(submitted(fake)).toBe(1);

    const built = await buildJson(project, ['SEQ02', '--shot-override', override], env);
    expect(built.code).toBe(0);
    expect(ran(built.nodes)).toEqual(['SEQ02:take']);
    expect(submitted(fake)).toBe(2);
    const input = fake.submissions()[1]?.input as { multi_prompt: Array<{ prompt: string }> };
    // maya is the sequence's first element, so the model reads her as @Element1.
    expect(input.multi_prompt.map((shot) => shot.prompt)[0]).toBe('A slow dolly toward @Element1 at the wheel, rain on the glass');
    expect(input.multi_prompt).toHaveLength(4);

    const repeated = await buildJson(project, ['SEQ02', '--shot-override', override], env);
    expect(ran(repeated.nodes)).toEqual([]);
    expect(submitted(fake)).toBe(2);
    expect(await project.read('plan.json')).toBe(plan);

    const record = await project.readJson<ExecutionRecord>('state/shots/SEQ02.json');
    const take = record.takes.find((t) => t.takeId === 'SEQ02_take002');
    expect(take?.shot_prompts.map((shot) => [shot.shot, shot.overridden])).toEqual([
      [1, true],
      [2, false],
      [3, false],
      [4, false],
    ]);
    expect(take?.shot_prompts[0]?.prompt).toBe('A slow dolly toward @maya at the wheel, rain on the glass');
    expect(record.takes[0]?.shot_prompts.every((shot) => shot.overridden === false)).toBe(true);
  });

  it('refuses bad overrides and modes with one line, exit 2, and nothing written', async () => {
    const project = await makeProject();
    await buildJson(project, ['SEQ02']);
    const before = await snapshotTree(project.dir);
    const refusals: Array<[string[], RegExp]> = [
      [['SEQ02', '--shot-override', '9:a new prompt'], /^cg: --shot-override 9: SEQ02 has shots 1–4, so there is no shot 9 to replace\n$/],
      [['SEQ02', '--shot-override', 'a new prompt'], /^cg: --shot-override "a new prompt": write SHOT:PROMPT/],
      [['SEQ02', '--shot-override', '2:  '], /^cg: --shot-override 2: the prompt is empty/],
      [['SEQ02', '--shot-override', '2:@juno at the wheel'], /^cg: SEQ02 cannot be built with --shot-override 2:…: shots\[1\]\.prompt: the prompt mentions @juno/],
      [['SEQ02', 'SEQ06', '--shot-override', '1:a new prompt'], /^cg: --shot-override numbers the shots of one sequence, but 2 are named/],
      [['--shot-override', '1:a new prompt'], /^cg: --shot-override replaces a shot of one sequence: name it/],
      [['--mode', 'individual'], /^cg: --mode makes new paid takes: name the sequences/],
      [['SEQ04', '--mode', 'individual'], /^cg: SEQ04 cannot be built with --mode individual: shots\[1\]\.duration: an individual-mode shot is one Kling O3 clip of 3–15 s, got 2 s/],
      [['SEQ08', '--mode', 'multi_shot'], /^cg: SEQ08 cannot be built with --mode multi_shot: shots: SEQ08's shots add up to 18 s/],
    ];
    for (const [args, message] of refusals) {
      const run = await cg(project, ['build', ...args]);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(await snapshotTree(project.dir)).toEqual(before);
  });
});
