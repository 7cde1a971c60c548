import { describe, expect, it } from 'vitest';
import { buildJson, cg, makeProject, ran, snapshotTree, type TestProject } from './helpers/project.ts';

interface PlanFile {
  sequences: Array<{ id: string; shots: Array<{ prompt: string; duration: number | string }> }>;
}

const before = "Side profile of @maya in the driver's seat, her silver bob catching passing neon";
const after = "Side profile of @maya in the driver's seat, her short bob catching passing neon";

/** Replaces text in plan.json as a person's editor would: only those bytes. */
async function editPlan(project: TestProject, from: string, to: string): Promise<void> {
  const text = await project.read('plan.json');
  expect(text).toContain(from);
  await project.write('plan.json', text.replace(from, to));
}

/** SEQ02 built twice: take001 from the demo plan, take002 after one word of shot 2 changed. */
async function twoTakes(): Promise<{ project: TestProject; original: string }> {
  const project = await makeProject();
  const original = await project.read('plan.json');
  expect((await buildJson(project, ['SEQ02'])).code).toBe(0);
  await editPlan(project, before, after);
  const second = await buildJson(project, ['SEQ02']);
  expect(second.nodes.find((node) => node.id === 'SEQ02:take')?.takeId).toBe('SEQ02_take002');
  return { project, original };
}

describe('cg takes', () => {
  it('lists every take oldest first with its state and a word diff of each changed shot; --json keeps the contract', async () => {
    const { project } = await twoTakes();
    const text = await cg(project, ['takes', 'SEQ02']);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    const first = lines.findIndex((line) => line.startsWith('SEQ02_take001'));
    const second = lines.findIndex((line) => line.startsWith('SEQ02_take002'));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(lines[first]).toMatch(/take \(multi_shot\) .* sim .* \$0\.00 {2}stale$/);
    expect(lines[second]).toMatch(/ {2}current for the plan$/);
    expect(lines).toContain("  shot 2  4 s  Side profile of @maya in the driver's seat, her [-silver-]{+short+} bob catching passing neon, red jacket collar turned up, rain streaking the window behind her, gentle handheld sway.");
    expect(lines).toContain('  shot 1  5 s  same as SEQ02_take001');
    expect(text.stdout).toContain('cg takes SEQ02 --use 2:SEQ02_take001');

    const json = await cg(project, ['takes', 'seq02', '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { sequence: string; takes: Array<Record<string, unknown> & { shotPrompts: Array<Record<string, unknown>> }> };
    expect(Object.keys(parsed)).toEqual(['sequence', 'takes']);
    expect(parsed.sequence).toBe('SEQ02');
    expect(parsed.takes.map((take) => [take['id'], take['state']])).toEqual([
      ['SEQ02_take001', 'stale'],
      ['SEQ02_take002', 'current'],
    ]);
    for (const take of parsed.takes) {
      expect(Object.keys(take)).toEqual(['id', 'kind', 'mode', 'createdAt', 'provider', 'model', 'costUsd', 'state', 'approved', 'rejected', 'shotPrompts']);
      expect(take).toMatchObject({ kind: 'take', mode: 'multi_shot', provider: 'sim', costUsd: 0, approved: false, rejected: false });
      for (const shot of take.shotPrompts) expect(Object.keys(shot)).toEqual(['shot', 'prompt', 'duration', 'overridden']);
    }
    expect(parsed.takes[1]?.shotPrompts[1]).toEqual({ shot: 2, prompt: expect.stringContaining(after), duration: '4', overridden: false });
  });

  it('--use 2:SEQ02_take001 restores plan.json byte for byte, and the next build reuses take001 for free', async () => {
    const { project, original } = await twoTakes();
    const use = await cg(project, ['takes', 'SEQ02', '--use', '2:SEQ02_take001']);
    expect(use.code, use.stderr).toBe(0);
    expect(await project.read('plan.json')).toBe(original);
    expect(use.stdout).toContain('SEQ02:take: an earlier result matches these inputs again: reused at no cost');
    expect(use.stdout).toContain('Estimated $0.00');
    const dry = await buildJson(project, ['--dry-run', 'SEQ02']);
    expect(ran(dry.nodes)).toEqual([]);
    expect(dry.nodes.find((node) => node.id === 'SEQ02:take')).toMatchObject({ action: 'reuse', takeId: 'SEQ02_take001', costUsd: 0 });
    // Using it again changes nothing and says so.
    const again = await cg(project, ['takes', 'SEQ02', '--use', 'all:SEQ02_take001']);
    expect(again.stdout).toContain('already has shots 1, 2, 3, 4 of SEQ02_take001; nothing was written');
    expect(await project.read('plan.json')).toBe(original);
  });

  it('refuses a take of another sequence, a shot the take lacks, an unknown or failed take: exit 2, one line, nothing written', async () => {
    const { project } = await twoTakes();
    expect((await buildJson(project, ['SEQ04'])).code).toBe(0);
    await project.editJson<{ takes: Array<{ takeId: string; status: string; error: string | null }> }>('state/shots/SEQ02.json', (record) => {
      const take = record.takes.find((t) => t.takeId === 'SEQ02_take002');
      if (take !== undefined) Object.assign(take, { status: 'failed', error: 'blocked by the provider' });
    });
    const files = await snapshotTree(project.dir);
    const refusals: Array<[string, string]> = [
      ['2:SEQ04_take001', 'cg: cannot use SEQ04_take001: SEQ04_take001 is a take of SEQ04, not of SEQ02; plan.json is unchanged'],
      ['9:SEQ02_take001', 'cg: cannot use SEQ02_take001: SEQ02_take001 has no shot 9 (its shots: 1, 2, 3, 4); plan.json is unchanged'],
      ['2:SEQ02_take007', 'cg: cannot use SEQ02_take007: SEQ02 has no take SEQ02_take007 (it has SEQ02_take001); plan.json is unchanged'],
      ['2:SEQ02_take002', 'cg: cannot use SEQ02_take002: SEQ02_take002 failed (blocked by the provider): it made nothing to bring back; plan.json is unchanged'],
    ];
    for (const [spec, line] of refusals) {
      const run = await cg(project, ['takes', 'SEQ02', '--use', spec]);
      expect(run.code, spec).toBe(2);
      expect(run.stderr).toBe(`${line}\n`);
      expect(run.stdout).toBe('');
    }
    expect(await snapshotTree(project.dir)).toEqual(files);
  });

  it('keeps a duration as it was written, and writes nothing when the result would be an invalid plan', async () => {
    const project = await makeProject();
    expect((await buildJson(project, ['SEQ02'])).code).toBe(0);
    // take002: shot 1 five → four seconds, shot 2 4 → "5" (a string), still 15 s in all.
    await project.editJson<PlanFile>('plan.json', (plan) => {
      const shots = plan.sequences.find((s) => s.id === 'SEQ02')?.shots ?? [];
      Object.assign(shots[0] ?? {}, { duration: 4 });
      Object.assign(shots[1] ?? {}, { duration: '5' });
    });
    expect((await buildJson(project, ['SEQ02'])).code).toBe(0);
    const edited = await project.read('plan.json');
    const files = await snapshotTree(project.dir);
    // Shot 1 at 5 s again would make 16 s, over a multi-shot clip's 15.
    const tooLong = await cg(project, ['takes', 'SEQ02', '--use', '1:SEQ02_take001']);
    expect(tooLong.code).toBe(2);
    // Named as the person's plan.json, not the candidate it was checked as.
    expect(tooLong.stderr).toMatch(/^ {2}projects\/demo\/plan\.json:\d+:\d+ sequences\[1\]\.shots: SEQ02's shots add up to 16 s/m);
    expect(await snapshotTree(project.dir)).toEqual(files);
    const use = await cg(project, ['takes', 'SEQ02', '--use', '2:SEQ02_take001']);
    expect(use.code, use.stderr).toBe(0);
    expect(use.stdout).toContain('(changed: shot 2 duration)');
    expect(await project.read('plan.json')).toBe(edited.replace('"duration": "5"', '"duration": "4"'));
  });

  it('shows an approval whose take no longer matches the plan as stale', async () => {
    const project = await makeProject();
    expect((await buildJson(project, ['SEQ02'])).code).toBe(0);
    expect((await cg(project, ['approve', 'SEQ02'])).code).toBe(0);
    expect((await cg(project, ['takes', 'SEQ02'])).stdout).toMatch(/^SEQ02_take001 .* {2}approved \(current for the plan\)$/m);
    await editPlan(project, before, after);
    expect((await buildJson(project, ['SEQ02'])).code).toBe(0);
    const text = await cg(project, ['takes', 'SEQ02']);
    expect(text.stdout).toMatch(/^SEQ02_take001 .* {2}approved \(stale: the plan changed since\)$/m);
    const json = JSON.parse((await cg(project, ['takes', 'SEQ02', '--json'])).stdout) as { takes: Array<{ id: string; state: string; approved: boolean }> };
    expect(json.takes.map(({ id, state, approved }) => ({ id, state, approved }))).toEqual([
      { id: 'SEQ02_take001', state: 'stale', approved: true },
      { id: 'SEQ02_take002', state: 'current', approved: false },
    ]);
  });
});
