import { readFile, rm, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropGridCell } from '../src/steps/grid-image.ts';
import { hashBytes } from '../src/util/hash.ts';
import { buildJson, cg, makeProject, ran, snapshotTree, spawnCg } from './helpers/project.ts';

/** `cg grid --again`, picks from an earlier grid, and start frames made elsewhere (`cg pick --file`). */

const sequenceState = async (project: { root: string }, id: string): Promise<string> =>
  (JSON.parse((await cg(project, ['status', id, '--json'])).stdout) as { sequences: Array<{ state: string }> }).sequences[0]?.state ?? '';

describe('grids and picks', () => {
  it('cg grid --again makes a second grid, puts the sequence back in grid review, and a pick of the first grid cuts that grid', async () => {
    const project = await makeProject();
    expect((await cg(project, ['grid', 'SEQ03'])).code).toBe(0);
    expect((await cg(project, ['pick', 'SEQ03', '--cell', '2'])).code).toBe(0);
    expect((await buildJson(project, ['SEQ03'])).code).toBe(0);
    expect(await sequenceState(project, 'SEQ03')).toBe('review');

    const again = await cg(project, ['grid', 'SEQ03', '--again']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('SEQ03_grid_take002.png');
    expect(await sequenceState(project, 'SEQ03')).toBe('grid_review');
    const listed = JSON.parse((await cg(project, ['takes', 'SEQ03', '--json'])).stdout) as { takes: Array<{ id: string; kind: string }> };
    expect(listed.takes.filter((take) => take.kind === 'grid').map((take) => take.id)).toEqual(['SEQ03_grid_take001', 'SEQ03_grid_take002']);
    const decisions = await project.readJson<{ sequences: Record<string, { pick?: unknown; earlierPicks: Array<{ cell: number }> }> }>('decisions.json');
    expect(decisions.sequences['SEQ03']?.pick).toBeUndefined();
    expect(decisions.sequences['SEQ03']?.earlierPicks.map((p) => p.cell)).toEqual([2]);

    const pick = await cg(project, ['pick', 'SEQ03', '--cell', '4', '--grid', 'SEQ03_grid_take001']);
    expect(pick.code, pick.stderr).toBe(0);
    const built = await buildJson(project, ['SEQ03']);
    expect(ran(built.nodes)).toEqual(['SEQ03:frame', 'SEQ03:take']);
    const firstGrid = await readFile(project.path('takes', 'SEQ03', 'SEQ03_grid_take001.png'));
    const expected = await cropGridCell(firstGrid, { rows: 2, cols: 2 }, 4);
    const frame = `takes/SEQ03/SEQ03_frame_${hashBytes(firstGrid).slice(7, 15)}_cell4.png`;
    expect(hashBytes(await readFile(project.path(frame)))).toBe(hashBytes(expected));
  });

  it('a pick names a grid by id or hash prefix; a grid that does not exist is refused with the list', async () => {
    const project = await makeProject();
    await cg(project, ['grid', 'SEQ03']);
    const grid = await project.readJson<{ takes: Array<{ blob: string }> }>('state/shots/SEQ03_grid.json');
    const prefix = (grid.takes[0]?.blob ?? '').slice(7, 15);
    expect((await cg(project, ['pick', 'SEQ03', '--cell', '1', '--grid', prefix])).code).toBe(0);
    const before = await snapshotTree(project.dir);
    const wrong = await cg(project, ['pick', 'SEQ03', '--cell', '1', '--grid', 'SEQ03_grid_take009']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe(`cg: no grid of SEQ03 made from the current plan matches "SEQ03_grid_take009"; its grids are: SEQ03_grid_take001 (${prefix})`);
    expect(await snapshotTree(project.dir)).toEqual(before);
  });

  it('cg pick --file: a good image becomes the start frame as it is; a small image, a text file or a missing path exit 2 and write nothing', async () => {
    const project = await makeProject();
    await cg(project, ['grid', 'SEQ03']);
    await sharp({ create: { width: 100, height: 100, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toFile(project.path('small.png'));
    await writeFile(project.path('notes.png'), 'not an image');
    const before = await snapshotTree(project.dir);
    const refusals = [
      ['projects/demo/small.png', 'cg: projects/demo/small.png cannot be a start frame: it is 100×100; the video model needs at least 300 px on each side; nothing was written'],
      ['projects/demo/notes.png', 'cg: projects/demo/notes.png cannot be a start frame: it is not a PNG, JPEG or WebP image; nothing was written'],
      ['projects/demo/missing.png', 'cg: projects/demo/missing.png cannot be a start frame: it cannot be read (no such file?); nothing was written'],
    ];
    for (const [file, line] of refusals) {
      const run = await cg(project, ['pick', 'SEQ03', '--file', file ?? '']);
      expect(run.code, file).toBe(2);
      expect(run.stderr.trim()).toBe(line);
    }
    expect(await snapshotTree(project.dir)).toEqual(before);

    const painted = await sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 20, g: 90, b: 160 } } }).png().toBuffer();
    await writeFile(project.path('painted.png'), painted);
    const pick = await cg(project, ['pick', 'SEQ03', '--file', 'projects/demo/painted.png']);
    expect(pick.code, pick.stderr).toBe(0);
    expect(pick.stderr).toBe('');
    const built = await buildJson(project, ['SEQ03']);
    expect(ran(built.nodes)).toEqual(['SEQ03:frame', 'SEQ03:take']);
    const frame = await readFile(project.path('takes', 'SEQ03', `SEQ03_frame_${hashBytes(painted).slice(7, 15)}_file.png`));
    expect(hashBytes(frame)).toBe(hashBytes(painted));
    expect(await sequenceState(project, 'SEQ03')).toBe('review');
  });

  it('an approval names a take: when the plan moves on, status and sequences.json say the approved take no longer matches', async () => {
    const project = await makeProject();
    await buildJson(project, ['SEQ02']);
    expect((await cg(project, ['approve', 'SEQ02'])).code).toBe(0);
    await project.editJson<{ sequences: Array<{ shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      const shot = plan.sequences[1]?.shots[0];
      if (shot !== undefined) shot.prompt = 'A new opening.';
    });
    await buildJson(project, ['SEQ02']);
    const status = await cg(project, ['status', 'SEQ02']);
    expect(status.stdout).toMatch(/SEQ02 .* review \(approved SEQ02_take001 no longer matches the plan\)/);
    const derived = await project.readJson<{ sequences: Array<{ id: string; approvedTake: string; approvedStale: boolean }> }>('state/client/sequences.json');
    expect(derived.sequences.find((s) => s.id === 'SEQ02')).toMatchObject({ approvedTake: 'SEQ02_take001', approvedStale: true });
  });

  it('one sequence walks through all eight states with the CLI alone; sequences.json comes back identical after deleting it', async () => {
    const project = await makeProject({ sim: { latencyMs: 1500 } });
    const states = [await sequenceState(project, 'SEQ03')];
    const whileRunning = async (args: string[], line: RegExp): Promise<void> => {
      const run = spawnCg(project, args);
      await new Promise<void>((resolve) => run.stdoutLines((printed) => line.test(printed) && resolve()));
      states.push(await sequenceState(project, 'SEQ03'));
      expect((await run.done).code).toBe(0);
    };
    await whileRunning(['grid', 'SEQ03'], /… SEQ03:grid running/);
    states.push(await sequenceState(project, 'SEQ03'));
    await cg(project, ['pick', 'SEQ03', '--cell', '1']);
    states.push(await sequenceState(project, 'SEQ03'));
    await whileRunning(['build', 'SEQ03'], /… SEQ03:take running/);
    states.push(await sequenceState(project, 'SEQ03'));
    await cg(project, ['approve', 'SEQ03']);
    states.push(await sequenceState(project, 'SEQ03'));
    await cg(project, ['final', 'SEQ03']);
    states.push(await sequenceState(project, 'SEQ03'));
    expect(states).toEqual(['not_started', 'grid_exploring', 'grid_review', 'start_frame_approved', 'generating', 'review', 'approved', 'final']);
    const saved = await project.read('state/client/sequences.json');
    await rm(project.path('state', 'client', 'sequences.json'));
    expect((await cg(project, ['status'])).code).toBe(0);
    expect(await project.read('state/client/sequences.json')).toBe(saved);
  });

  it("a shot's own start frame: a cell of the grid when built in individual mode, or a file in a sequence without a grid", async () => {
    const project = await makeProject();
    await cg(project, ['grid', 'SEQ03']);
    expect((await cg(project, ['pick', 'SEQ03', '--cell', '1'])).code).toBe(0);
    const shotPick = await cg(project, ['pick', 'SEQ03', '--shot', '3', '--cell', '4']);
    expect(shotPick.stdout).toContain('SEQ03 shot 3: picked cell 4 of takes/SEQ03/SEQ03_grid_take001.png. cg build SEQ03 --mode individual makes');
    const built = await buildJson(project, ['SEQ03', '--mode', 'individual']);
    expect(built.code, built.stderr).toBe(0);
    expect(ran(built.nodes)).toEqual(['SEQ03:frame', 'SEQ03:frame03', 'SEQ03:shot01', 'SEQ03:shot02', 'SEQ03:shot03']);
    const grid = await readFile(project.path('takes', 'SEQ03', 'SEQ03_grid_take001.png'));
    const startFrame = async (record: string): Promise<string | null> => (await project.readJson<{ takes: Array<{ startFrame: string | null }> }>(`state/shots/${record}.json`)).takes[0]?.startFrame ?? null;
    expect(await startFrame('SEQ03_shot03')).toBe(hashBytes(await cropGridCell(grid, { rows: 2, cols: 2 }, 4)));
    expect(await startFrame('SEQ03_shot01')).toBe(hashBytes(await cropGridCell(grid, { rows: 2, cols: 2 }, 1)));

    const painted = await sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 250, g: 200, b: 30 } } }).png().toBuffer();
    await writeFile(project.path('yellow.png'), painted);
    expect((await cg(project, ['pick', 'SEQ08', '--shot', '2', '--file', 'projects/demo/yellow.png'])).code).toBe(0);
    const seq08 = await buildJson(project, ['SEQ08']);
    expect(ran(seq08.nodes)).toEqual(['SEQ08:elements', 'SEQ08:frame02', 'SEQ08:shot01', 'SEQ08:shot02', 'SEQ08:shot03', 'SEQ08:shot04']);
    expect(await startFrame('SEQ08_shot02')).toBe(hashBytes(painted));
    expect(await startFrame('SEQ08_shot01')).toBeNull();
    const refused = await cg(project, ['pick', 'SEQ08', '--shot', '9', '--file', 'projects/demo/yellow.png']);
    expect([refused.code, refused.stderr.trim()]).toEqual([2, 'cg: SEQ08 has shots 1–4: --shot names one of them']);
  });

  it('a pick of a grid whose inputs changed is stale, and cg status says what to type', async () => {
    const project = await makeProject();
    await cg(project, ['grid', 'SEQ03']);
    await cg(project, ['pick', 'SEQ03', '--cell', '2']);
    await project.editJson<{ sequences: Array<{ id: string; grid?: { prompt: string } }> }>('plan.json', (plan) => {
      const seq03 = plan.sequences.find((s) => s.id === 'SEQ03');
      if (seq03?.grid !== undefined) seq03.grid.prompt += ' Light rain.';
    });
    await cg(project, ['grid', 'SEQ03']);
    const status = await cg(project, ['status', 'SEQ03']);
    expect(status.stdout).toMatch(/^ {2}SEQ03:frame: the grid changed since the pick \([0-9a-f]{12} → [0-9a-f]{12}\); pick again: cg pick SEQ03 --cell 1-4$/m);
    expect(await sequenceState(project, 'SEQ03')).toBe('grid_review');
  });
});
