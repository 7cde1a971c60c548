import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { isIgnoredPath, watchProject } from '../src/watch/files.ts';

describe('isIgnoredPath: what wakes the watcher', () => {
  const watched = { projectDir: '/r/projects/demo', configFile: '/r/pipeline.config.ts' };

  it.each([
    '/r/projects/demo',
    '/r/projects/demo/plan.json',
    '/r/projects/demo/bible.json',
    '/r/projects/demo/decisions.json',
    '/r/projects/demo/refs',
    '/r/projects/demo/refs/characters',
    '/r/projects/demo/refs/characters/hero/front.png',
    '/r/projects/demo/song.m4a',
    '/r',
    '/r/pipeline.config.ts',
  ])('watches %s', (path) => {
    expect(isIgnoredPath(path, watched)).toBe(false);
  });

  it.each([
    // What a build writes: a build never wakes the watcher.
    '/r/projects/demo/takes',
    '/r/projects/demo/takes/SEQ01/SEQ01_take001.mp4',
    '/r/projects/demo/state',
    '/r/projects/demo/state/shots/SEQ01.json',
    '/r/projects/demo/.cg',
    '/r/projects/demo/.cg/lock',
    '/r/.cg/config.json',
    '/r/projects/demo/cut/Title_cut001.mp4',
    // Editors' temp files, at the top and among the references.
    '/r/projects/demo/.plan.json.swp',
    '/r/projects/demo/plan.json~',
    '/r/projects/demo/.#plan.json',
    '/r/projects/demo/4913',
    '/r/projects/demo/refs/characters/hero/.front.png.swp',
    '/r/projects/demo/refs/characters/hero/front.png~',
    '/r/projects/demo/refs/characters/hero/.#notes',
    '/r/projects/demo/refs/characters/hero/4913',
    '/r/pipeline.config.ts~',
    // Whatever else sits in the project, the root, or other projects (one whose name starts like ours among them).
    '/r/projects/demo/notes.md',
    '/r/projects',
    '/r/projects/demo-old/plan.json',
    '/r/projects/other/refs/a.png',
    '/r/node_modules',
    '/r/src/index.ts',
  ])('ignores %s', (path) => {
    expect(isIgnoredPath(path, watched)).toBe(true);
  });
});

describe('watchProject on a real folder', () => {
  it('reports a save of plan.json, and none of the files a build writes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cg-watch-'));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    const dir = join(root, 'projects', 'demo');
    await mkdir(join(dir, 'takes'), { recursive: true });
    await writeFile(join(dir, 'plan.json'), '{}\n');
    await writeFile(join(root, 'pipeline.config.ts'), 'export default {};\n');

    const seen: string[] = [];
    const errors: Error[] = [];
    const watcher = watchProject({
      projectDir: dir,
      configFile: join(root, 'pipeline.config.ts'),
      onChange: (path) => seen.push(path),
      onError: (error) => errors.push(error),
    });
    onTestFinished(() => watcher.close());
    await watcher.ready;

    // The ignored writes go first: were any of them reported, it would come before plan.json's.
    await writeFile(join(dir, 'takes', 'x.mp4'), 'video');
    await mkdir(join(dir, 'state', 'shots'), { recursive: true });
    await writeFile(join(dir, 'state', 'shots', 'x.json'), '{}\n');
    await writeFile(join(dir, 'plan.json'), '{"sequences": []}\n');

    await vi.waitFor(() => expect(seen).toContain(join(dir, 'plan.json')), { timeout: 10_000, interval: 20 });
    expect(new Set(seen)).toEqual(new Set([join(dir, 'plan.json')]));
    expect(errors).toEqual([]);
  });

  it('reports a new reference image and a save of the config file by rename, as many editors save', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cg-watch-'));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    const dir = join(root, 'projects', 'demo');
    await mkdir(join(dir, 'refs', 'characters', 'hero'), { recursive: true });
    await writeFile(join(root, 'pipeline.config.ts'), 'export default {};\n');

    const seen: string[] = [];
    const errors: Error[] = [];
    const watcher = watchProject({ projectDir: dir, configFile: join(root, 'pipeline.config.ts'), onChange: (path) => seen.push(path), onError: (error) => errors.push(error) });
    onTestFinished(() => watcher.close());
    await watcher.ready;

    await writeFile(join(dir, 'refs', 'characters', 'hero', '.front.png.swp'), 'vim');
    await writeFile(join(dir, 'refs', 'characters', 'hero', 'front.png'), 'png');
    await writeFile(join(root, 'pipeline.config.ts.tmp'), 'export default { watch: { debounceMs: 100 } };\n');
    await rename(join(root, 'pipeline.config.ts.tmp'), join(root, 'pipeline.config.ts'));

    const expected = [join(dir, 'refs', 'characters', 'hero', 'front.png'), join(root, 'pipeline.config.ts')];
    await vi.waitFor(() => expect(seen).toEqual(expect.arrayContaining(expected)), { timeout: 10_000, interval: 20 });
    expect(new Set(seen)).toEqual(new Set(expected));
    expect(errors).toEqual([]);
  });
});
