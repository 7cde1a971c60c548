import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMemo, writeMemo } from '../src/cache/noop-memo.ts';
import { mergeLines, settledCodec } from '../src/cli/noop-memo.ts';
import { ffmpeg } from './helpers/media.ts';
import { buildJson, cg, makeProject, ran, type TestProject } from './helpers/project.ts';

/**
 * The no-op memo (src/cli/noop-memo.ts): a build whose plan came out settled is remembered, and
 * a later build of the same targets with nothing changed prints the same without planning. Each
 * test below first leaves a memo that a build would use, then changes one thing the plan
 * depends on: were the memo trusted, the build would print "Nothing to build" and do nothing.
 */

const TIMEOUT = 120_000;
const memoPath = (project: TestProject): string => project.path('.cg', 'noop.memo');

/** Builds until nothing is left to do, and checks that this left a memo. */
async function settle(project: TestProject, args: string[] = []): Promise<string> {
  expect((await cg(project, ['build', ...args])).code).toBe(0);
  const noop = await cg(project, ['build', ...args]);
  expect(noop.code).toBe(0);
  expect(noop.stdout).toMatch(/^Nothing to build/m);
  expect(existsSync(memoPath(project))).toBe(true);
  return noop.stdout;
}

const withoutTimes = (text: string): string => text.replace(/"(at|durationMs)":("[^"]*"|\d+),?/g, '');

describe('the no-op memo', () => {
  it('serves a no-op build, printing exactly what planning it in full prints', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    for (const flags of [[], ['--json'], ['--ndjson']]) {
      await rm(memoPath(project));
      const planned = await cg(project, ['build', ...flags]);
      expect(existsSync(memoPath(project))).toBe(true);
      const served = await cg(project, ['build', ...flags]);
      expect({ code: served.code, stdout: withoutTimes(served.stdout), stderr: served.stderr }).toEqual({ code: planned.code, stdout: withoutTimes(planned.stdout), stderr: planned.stderr });
    }
    // What the memo says is what a no-op prints: it was served, not planned again.
    const memo = readMemo(memoPath(project), settledCodec);
    if (memo === undefined) throw new Error('no memo');
    await writeMemo(memoPath(project), { ...memo, report: { ...memo.report, nodes: memo.report.nodes.filter((node) => node.sequence === 'SEQ04') } }, settledCodec);
    expect((await cg(project, ['build'])).stdout).toBe('Nothing to build: 2 nodes up to date.\n');
  });

  it('is ignored when damaged, when it is for other targets, and for --retake', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    const full = await settle(project);
    const text = await readFile(memoPath(project), 'utf8');
    await writeFile(memoPath(project), text.replace('"reuse"', '"reusE"'));
    expect((await cg(project, ['build'])).stdout).toBe(full);
    await writeFile(memoPath(project), text.slice(0, text.length / 2));
    expect((await cg(project, ['build'])).stdout).toBe(full);
    const one = await buildJson(project, ['SEQ04']);
    expect(new Set(one.nodes.map((node) => node.sequence))).toEqual(new Set(['SEQ04']));
    await settle(project);
    expect(ran((await buildJson(project, ['SEQ04', '--retake'])).nodes)).toEqual(['SEQ04:take']);
  });

  const config = (project: TestProject, settings: Record<string, unknown>): Promise<void> =>
    writeFile(join(project.root, 'pipeline.config.ts'), `export default ${JSON.stringify({ defaultProject: 'demo', ...settings })};\n`);
  const take = 'takes/SEQ04/SEQ04_take001.mp4';

  /** One change each, to a project whose memo a build would otherwise use, and what the build must then do. */
  const changes: Array<[string, (project: TestProject) => Promise<unknown>, (project: TestProject) => Promise<void>]> = [
    ['a pick', (project) => cg(project, ['pick', 'SEQ01', '--cell', '2']), async (project) => expect(ran((await buildJson(project)).nodes)).toEqual(['SEQ01:frame', 'SEQ01:take'])],
    [
      'a shot prompt',
      (project) =>
        project.editJson<{ sequences: Array<{ id: string; shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
          const shot = plan.sequences.find((sequence) => sequence.id === 'SEQ04')?.shots[0];
          if (shot !== undefined) shot.prompt += ' Rain starts.';
        }),
      async (project) => expect(ran((await buildJson(project)).nodes)).toEqual(['SEQ04:take']),
    ],
    [
      'a reference image',
      async (project) => writeFile(project.path('refs', 'props', 'guitar', '01-front.png'), await readFile(project.path('refs', 'characters', 'juno', '01-front.png'))),
      async (project) => expect(ran((await buildJson(project)).nodes).filter((id) => id.endsWith(':elements')).length).toBeGreaterThan(0),
    ],
    [
      'a file added to a reference folder',
      (project) => writeFile(project.path('refs', 'props', 'guitar', '02-notes.png'), 'not an image'),
      async (project) => {
        const bad = await cg(project, ['build']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('02-notes.png');
      },
    ],
    [
      'a price',
      (project) => config(project, { prices: { image: { 'gemini-2.5-flash-image': { date: '2026-12-01', source: 'a test', '1K': 0.05 } } } }),
      async (project) => expect((await buildJson(project)).nodes.find((node) => node.id === 'SEQ01:grid')?.estimateUsd).toBe(0.05),
    ],
    ['a setting', (project) => config(project, { video: { audio: true } }), async (project) => expect(ran((await buildJson(project)).nodes).filter((id) => id.endsWith(':take')).length).toBeGreaterThan(0)],
    [
      'a deleted take',
      (project) => rm(project.path(take)),
      async (project) => {
        expect((await cg(project, ['build'])).code).toBe(0);
        expect((await readFile(project.path(take))).length).toBeGreaterThan(1000);
      },
    ],
    [
      'a damaged take',
      (project) => writeFile(project.path(take), 'damaged'),
      async (project) => {
        expect((await cg(project, ['build'])).code).toBe(0);
        expect((await readFile(project.path(take))).length).toBeGreaterThan(1000);
      },
    ],
    [
      'the derived state deleted',
      (project) => rm(project.path('state', 'client', 'sequences.json')),
      async (project) => {
        expect((await cg(project, ['build'])).stdout).toMatch(/^Nothing to build/m);
        expect((await project.readJson<{ sequences: unknown[] }>('state/client/sequences.json')).sequences.length).toBeGreaterThan(0);
      },
    ],
    [
      "a grid's stored copy deleted",
      async (project) => {
        const grid = (await project.readJson<{ takes: Array<{ blob: string }> }>('state/shots/SEQ01_grid.json')).takes[0]?.blob.replace('sha256:', '') ?? '';
        await rm(project.path('.cg', 'blobs', grid.slice(0, 2), grid));
      },
      async (project) => {
        expect((await cg(project, ['build'])).code).toBe(0);
        const grid = (await project.readJson<{ takes: Array<{ blob: string }> }>('state/shots/SEQ01_grid.json')).takes[0]?.blob.replace('sha256:', '') ?? '';
        expect(existsSync(project.path('.cg', 'blobs', grid.slice(0, 2), grid))).toBe(true);
      },
    ],
  ];

  it.each(changes)('never serves %s', { timeout: TIMEOUT }, async (_, change, check) => {
    const project = await makeProject();
    await settle(project);
    await change(project);
    await check(project);
  });

  it('never serves a changed approval', { timeout: TIMEOUT }, async () => {
    const project = await makeProject({}, { song: true });
    expect((await cg(project, ['build', 'SEQ04'])).code).toBe(0);
    expect((await cg(project, ['build', 'SEQ04', '--retake'])).code).toBe(0);
    await settle(project);
    // The segment showed the newest take in review; approving the first puts that one in its slot.
    expect((await cg(project, ['approve', 'SEQ04', '--take', '1'])).code).toBe(0);
    expect(ran((await buildJson(project)).nodes)).toEqual(['CUT:cut', 'SEQ04:segment']);
  });

  it('never serves a changed song', { timeout: TIMEOUT }, async () => {
    const project = await makeProject({}, { song: true });
    await settle(project);
    const song = project.path('song.m4a');
    const again = project.path('song-again.m4a');
    const encoded = await ffmpeg.run(['-y', '-i', song, '-c:a', 'aac', '-b:a', '64k', again]);
    if (!encoded.ok) throw new Error(encoded.error.message);
    await rename(again, song);
    expect(ran((await buildJson(project)).nodes)).toContain('CUT:audio');
  });
});

describe('the report lines of a narrowed build', () => {
  const line = (sequence: string, n: number): { sequence: string; n: number } => ({ sequence, n });
  it('puts the narrowed sequences\' lines among the memo\'s, in the plan\'s order, whether or not the memo\'s come a sequence at a time', () => {
    const order = ['SEQ01', 'SEQ02', 'SEQ03', 'SEQ04'];
    const narrowed = [line('SEQ02', 9), line('SEQ04', 8)];
    const expected = [line('SEQ01', 1), line('SEQ01', 2), line('SEQ02', 9), line('SEQ03', 3), line('SEQ04', 8)];
    expect(mergeLines({ order, others: [line('SEQ01', 1), line('SEQ01', 2), line('SEQ03', 3)] }, narrowed)).toEqual(expected);
    expect(mergeLines({ order, others: [line('SEQ01', 1), line('SEQ03', 3), line('SEQ01', 2)] }, narrowed)).toEqual(expected);
  });
});
