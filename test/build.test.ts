import { readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildJson, cg, makeProject, ran, snapshotTree } from './helpers/project.ts';

const mayaSequences = ['SEQ02', 'SEQ06', 'SEQ10'];

describe('cg build on the demo project (sim provider)', () => {
  it('builds everything buildable, then a second build runs nothing and says so in one line', async () => {
    const project = await makeProject();
    const first = await buildJson(project);
    expect(first.code).toBe(0);
    expect(ran(first.nodes)).toContain('SEQ02:take');
    expect(ran(first.nodes)).toContain('SEQ08:shot04');
    expect(first.nodes.filter((n) => n.action === 'blocked').map((n) => n.id)).toContain('SEQ01:frame');
    expect(await readdir(project.path('takes', 'SEQ02'))).toEqual(['SEQ02_take001.mp4']);

    const before = await snapshotTree(project.dir);
    const second = await cg(project, ['build']);
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split('\n')).toHaveLength(1);
    expect(second.stdout).toMatch(/^Nothing to build: \d+ nodes up to date/);
    expect(second.stderr).toBe('');
    // The first no-op remembers what it planned (src/cli/noop-memo.ts); the next writes nothing at all.
    const after = await snapshotTree(project.dir);
    expect(Object.keys(after).filter((file) => after[file] !== before[file]).sort()).toEqual(['.cg/noop.memo']);
    const third = await cg(project, ['build']);
    expect(third.stdout).toBe(second.stdout);
    expect(await snapshotTree(project.dir)).toEqual(after);
  });

  it('an edited shot prompt rebuilds exactly that take, names the field in --dry-run, and a revert brings the old take back for free', async () => {
    const project = await makeProject();
    await buildJson(project);
    let original = '';
    await project.editJson<{ sequences: Array<{ id: string; shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      const shot = plan.sequences[1]?.shots[1];
      if (shot === undefined) throw new Error('demo changed');
      original = shot.prompt;
      shot.prompt = 'Close-up: @maya laughs as rain starts to fall on the neon street';
    });

    const dry = await cg(project, ['build', '--dry-run']);
    expect(dry.code).toBe(0);
    const runLines = dry.stdout.split('\n').filter((line) => line.trimStart().startsWith('run'));
    expect(runLines).toHaveLength(1);
    expect(runLines[0]).toMatch(/SEQ02:take\s+changed: shots\[1\]\.prompt\s+\$1\.26/);
    const dryJson = await buildJson(project, ['--dry-run']);
    expect(ran(dryJson.nodes)).toEqual(['SEQ02:take']);
    expect(dryJson.totalCostUsd).toBeCloseTo(15 * 0.084, 6);

    const explain = await cg(project, ['explain', 'SEQ02']);
    expect(explain.stdout).toContain('shots[1].prompt: "');
    expect(explain.stdout).toContain('→ "Close-up: @Element1 laughs as rain');

    const edited = await buildJson(project);
    expect(ran(edited.nodes)).toEqual(['SEQ02:take']);
    expect((await readdir(project.path('takes', 'SEQ02'))).sort()).toEqual(['SEQ02_take001.mp4', 'SEQ02_take002.mp4']);

    await project.editJson<{ sequences: Array<{ shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      const shot = plan.sequences[1]?.shots[1];
      if (shot !== undefined) shot.prompt = original;
    });
    const reverted = await buildJson(project);
    expect(ran(reverted.nodes)).toEqual([]);
    expect(reverted.totalCostUsd).toBe(0);
    expect(reverted.nodes.find((n) => n.id === 'SEQ02:take')?.takeId).toBe('SEQ02_take001');
    const status = JSON.parse((await cg(project, ['status', 'SEQ02', '--json'])).stdout) as { sequences: Array<{ currentTakes: string[]; takes: number }> };
    expect(status.sequences[0]).toMatchObject({ currentTakes: ['SEQ02_take001'], takes: 2 });
  });

  it("replacing an element's reference image rebuilds exactly the three sequences that use it", async () => {
    const project = await makeProject();
    await buildJson(project);
    const other = await readFile(project.path('refs', 'characters', 'theo', '01-front.png'));
    await writeFile(project.path('refs', 'characters', 'maya', '01-front.png'), other);
    const result = await buildJson(project);
    expect(result.code).toBe(0);
    expect([...new Set(ran(result.nodes).map((id) => id.split(':')[0]))].sort()).toEqual(mayaSequences);
    expect(ran(result.nodes)).toEqual(mayaSequences.flatMap((s) => [`${s}:elements`, `${s}:take`]));
  });

  it('--retake adds a take with the same inputs and runs nothing else; the next build is a no-op', async () => {
    const project = await makeProject();
    await buildJson(project);
    const retake = await buildJson(project, ['SEQ04', '--retake']);
    expect(ran(retake.nodes)).toEqual(['SEQ04:take']);
    expect(retake.nodes.find((n) => n.id === 'SEQ04:take')?.reason).toContain('retake requested');
    expect((await readdir(project.path('takes', 'SEQ04'))).sort()).toEqual(['SEQ04_take001.mp4', 'SEQ04_take002.mp4']);
    const take1 = await readFile(project.path('takes', 'SEQ04', 'SEQ04_take001.mp4'));
    const take2 = await readFile(project.path('takes', 'SEQ04', 'SEQ04_take002.mp4'));
    expect(take1.equals(take2)).toBe(false);
    expect(ran((await buildJson(project)).nodes)).toEqual([]);
    const usage = await cg(project, ['build', '--retake']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('name the sequences to retake');
  });

  it('keys ignore paths and JSON key order: a moved, reformatted project rebuilds nothing', async () => {
    const project = await makeProject();
    await buildJson(project);
    const plan = JSON.parse(await project.read('plan.json')) as { sequences: Array<Record<string, unknown>> };
    const reordered = { ...plan, sequences: plan.sequences.map((s) => Object.fromEntries(Object.entries(s).reverse())) };
    await project.write('plan.json', JSON.stringify(reordered));
    await rename(project.dir, `${project.root}/projects/moved`);
    const result = await buildJson(project, ['--project', 'moved']);
    expect(result.code).toBe(0);
    expect(ran(result.nodes)).toEqual([]);
  });

  it('a corrupt cached take is detected and rebuilt, never served', async () => {
    const project = await makeProject();
    await buildJson(project);
    const record = await project.readJson<{ takes: Array<{ blob: string }> }>('state/shots/SEQ04.json');
    const hex = record.takes[0]?.blob.slice('sha256:'.length) ?? '';
    await writeFile(project.path('.cg', 'blobs', hex.slice(0, 2), hex), 'not the video');
    await rm(project.path('takes', 'SEQ04', 'SEQ04_take001.mp4'));
    const result = await buildJson(project);
    expect(ran(result.nodes)).toEqual(['SEQ04:take']);
    expect(result.nodes.find((n) => n.id === 'SEQ04:take')?.reason).toContain('missing or corrupt');
  });

  it('status derives sequences.json; deleting it and running status recreates it identical', async () => {
    const project = await makeProject();
    await buildJson(project);
    const status = await cg(project, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/SEQ01\s+intro 0:00–0:16\s+grid_review\s+0\s+—\s+\$0\.00/);
    expect(status.stdout).toMatch(/SEQ02\s+verse 0:16–0:34\s+review\s+1\s+SEQ02_take001/);
    const saved = await project.read('state/client/sequences.json');
    await rm(project.path('state', 'client', 'sequences.json'));
    expect((await cg(project, ['status'])).code).toBe(0);
    expect(await project.read('state/client/sequences.json')).toBe(saved);
  });

  it('grid → pick → take: the pick names the grid by hash, and a regenerated grid voids it', async () => {
    const project = await makeProject();
    await buildJson(project);
    expect((await cg(project, ['pick', 'SEQ03', '--quadrant', 'top_right'])).code).toBe(0);
    const decisions = await project.readJson<{ sequences: Record<string, { pick: { grid: string; cell: number } }> }>('decisions.json');
    expect(decisions.sequences['SEQ03']?.pick).toMatchObject({ cell: 2, grid: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const built = await buildJson(project, ['SEQ03']);
    expect(ran(built.nodes)).toEqual(['SEQ03:frame', 'SEQ03:take']);
    expect((await cg(project, ['status', 'SEQ03', '--json'])).stdout).toContain('"state": "review"');

    await project.editJson<{ sequences: Array<{ id: string; grid?: { prompt: string } }> }>('plan.json', (plan) => {
      const seq = plan.sequences.find((s) => s.id === 'SEQ03');
      if (seq?.grid !== undefined) seq.grid.prompt += ', heavy fog';
    });
    const regrid = await buildJson(project, ['SEQ03']);
    expect(ran(regrid.nodes)).toEqual(['SEQ03:grid']);
    expect(regrid.nodes.find((n) => n.id === 'SEQ03:frame')?.reason).toContain('the grid changed since the pick');
    expect(regrid.nodes.find((n) => n.id === 'SEQ03:take')?.action).toBe('blocked');
  });

  it('--json prints one JSON document with the documented fields', async () => {
    const project = await makeProject();
    const run = await cg(project, ['build', '--json', '--dry-run']);
    const parsed = JSON.parse(run.stdout) as { nodes: Array<Record<string, unknown>>; totalCostUsd: number };
    expect(Object.keys(parsed.nodes[0] ?? {})).toEqual(expect.arrayContaining(['id', 'kind', 'sequence', 'action', 'reason', 'costUsd']));
    expect(parsed.totalCostUsd).toBeGreaterThan(0);
  });
});
