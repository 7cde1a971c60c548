import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cg, makeProject, ran, snapshotTree, type JsonNode } from './helpers/project.ts';
import { frameAt, probeFile } from './helpers/media.ts';

const TIMEOUT = 300_000;
const FPS = 24;

async function cutJson(project: { root: string }, args: string[] = []): Promise<{ code: number; nodes: JsonNode[]; stderr: string }> {
  const run = await cg(project, ['cut', '--json', ...args]);
  return { code: run.code, nodes: (JSON.parse(run.stdout) as { nodes: JsonNode[] }).nodes, stderr: run.stderr };
}

/** Mean absolute difference of two RGB buffers, 0–255. */
function difference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

describe('cg cut: the whole video on the song', () => {
  it('is an H.264 + AAC MP4 as long as the song, with each take in its slot and placeholders where there is none; a re-cut encodes only what changed', { timeout: TIMEOUT }, async () => {
    const project = await makeProject({}, { song: true });
    expect((await cg(project, ['build', 'SEQ03'])).code).toBe(0); // SEQ03's grid, to pick from
    expect((await cg(project, ['pick', 'SEQ03', '--cell', '2'])).code).toBe(0);

    const first = await cutJson(project);
    expect(first.code).toBe(0);
    expect(first.nodes.filter((node) => node.action === 'run' && node.kind === 'segment')).toHaveLength(12);
    expect(first.nodes.find((node) => node.id === 'CUT:cut')?.output).toBe('cut/Afterglow_Avenue_official_music_video_cut001.mp4');
    const file = project.path('cut', 'Afterglow_Avenue_official_music_video_cut001.mp4');

    const info = await probeFile(file);
    const song = await probeFile(project.path('song.m4a'));
    expect(info.video).toMatchObject({ codec: 'h264', width: 960, height: 540, fps: FPS });
    expect(info.audio?.codec).toBe('aac');
    expect(Math.abs(info.durationSec - song.durationSec)).toBeLessThanOrEqual(1 / FPS);

    // SEQ03 starts at 0:34: the cut shows its take's first frame there.
    const takes = await readdir(project.path('takes', 'SEQ03'));
    const take = takes.find((name) => name.endsWith('_take001.mp4'));
    expect(take).toBeDefined();
    const [w, h] = [96, 54];
    const inCut = await frameAt(file, 34 + 0.5 / FPS, w, h);
    expect(difference(inCut, await frameAt(project.path('takes', 'SEQ03', take ?? ''), 0, w, h))).toBeLessThan(6);
    // SEQ02's slot is not SEQ03's picture.
    expect(difference(await frameAt(file, 16 + 0.5 / FPS, w, h), inCut)).toBeGreaterThan(10);

    // SEQ01 has a grid and no pick: its slot is a placeholder, and status says so.
    const status = await cg(project, ['status', '--json']);
    const cut = (JSON.parse(status.stdout) as { cut: { file: string; upToDate: boolean; placeholders: string[] } }).cut;
    expect(cut).toEqual({ file: 'cut/Afterglow_Avenue_official_music_video_cut001.mp4', upToDate: true, placeholders: ['SEQ01', 'SEQ05', 'SEQ09', 'SEQ11'] });

    // Nothing changed: nothing is encoded.
    const again = await cutJson(project);
    expect(ran(again.nodes)).toEqual([]);

    // One new take: its segment and the join, nothing else.
    expect((await cg(project, ['build', 'SEQ04', '--retake'])).code).toBe(0);
    const recut = await cutJson(project);
    expect(ran(recut.nodes)).toEqual(['CUT:cut', 'SEQ04:segment']);
    expect(recut.nodes.find((node) => node.id === 'CUT:cut')?.output).toBe('cut/Afterglow_Avenue_official_music_video_cut002.mp4');
  });

  it('spends nothing: with a paid video provider a slot without a take shows a title card, and no key is needed', { timeout: TIMEOUT }, async () => {
    const project = await makeProject({ providers: { video: 'fal' } }, { song: true });
    const run = await cutJson(project);
    expect(run.code).toBe(0);
    expect(run.nodes.filter((node) => node.kind === 'take' && node.action === 'run')).toEqual([]);
    expect(run.nodes.filter((node) => node.costUsd > 0)).toEqual([]);
    const file = project.path('cut', 'Afterglow_Avenue_official_music_video_cut001.mp4');
    // SEQ02 (0:16–0:34) has no grid and no take: the card, dark with light text.
    const card = await frameAt(file, 20, 96, 54);
    const mean = [...card].reduce((sum, v) => sum + v, 0) / card.length;
    expect(mean).toBeLessThan(60);
    const status = await cg(project, ['status']);
    expect(status.stdout).toContain('Cut: cut/Afterglow_Avenue_official_music_video_cut001.mp4 (older than the plan: cg cut remakes it from what exists, cg build also makes the takes); no take yet for SEQ01 (grid), SEQ02 (title card), SEQ03 (grid)');
    expect(status.stdout).toContain('! SEQ02: shots total 15 s, slot 0:16–0:34 is 18 s: 3 s will hold the last frame');

    // A review copy: the same pictures with sequence id, take and state burnt in at the bottom; the clean cut stays.
    const review = await cutJson(project, ['--overlay']);
    expect(review.nodes.find((node) => node.id === 'CUT:cut')?.output).toBe('cut/Afterglow_Avenue_official_music_video_cut002_overlay.mp4');
    const labelled = await frameAt(project.path('cut', 'Afterglow_Avenue_official_music_video_cut002_overlay.mp4'), 20, 96, 54);
    const band = (frame: Buffer): Buffer => frame.subarray(96 * 3 * 50);
    expect(difference(band(labelled), band(card))).toBeGreaterThan(5);
    expect(difference(labelled.subarray(0, 96 * 3 * 40), card.subarray(0, 96 * 3 * 40))).toBeLessThan(3);
  });

  it('says so when ffmpeg cannot be run, instead of blaming the song; nothing is written', async () => {
    const project = await makeProject({}, { song: true });
    expect((await cg(project, ['status'], { env: { CG_FFMPEG: '/nowhere/ffmpeg' } })).code).toBe(2); // the config's own cache is written once
    const before = await snapshotTree(project.root);
    const run = await cg(project, ['status'], { env: { CG_FFMPEG: '/nowhere/ffmpeg' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^cg: could not run ffmpeg at \/nowhere\/ffmpeg: .*ENOENT \(set CG_FFMPEG or ffmpeg in the config to another binary\); the song in plan\.json \(song\.file\) needs it\n$/);
    expect(await snapshotTree(project.root)).toEqual(before);
  });

  it('refuses a plan without a song, naming the field', async () => {
    const project = await makeProject();
    const run = await cg(project, ['cut']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('projects/demo/plan.json song.file: the plan names no song');
  });
});
