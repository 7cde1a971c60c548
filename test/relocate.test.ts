import { execFile } from 'node:child_process';
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startFakeProviders, type FakeProviders } from './fakes/server.ts';
import { buildJson, cg, makeProject, ran } from './helpers/project.ts';

const exec = promisify(execFile);

/** `cp -a`, as a person copies a repository; the copy is removed when the test ends. */
async function copyTree(from: string, to: string): Promise<{ root: string }> {
  await exec('cp', ['-a', from, to]);
  onTestFinished(() => rm(to, { recursive: true, force: true }));
  return { root: to };
}

const dryRun = async (project: { root: string }): Promise<{ run: string[]; estimateUsd: number; stdout: string }> => {
  const json = await cg(project, ['build', '--dry-run', '--json']);
  expect(json.code, json.stderr).toBe(0);
  const parsed = JSON.parse(json.stdout) as { nodes: Array<{ id: string; action: string }>; totalCostUsd: number };
  const text = await cg(project, ['build', '--dry-run']);
  return { run: parsed.nodes.filter((n) => n.action === 'run').map((n) => n.id), estimateUsd: parsed.totalCostUsd, stdout: text.stdout };
};

let fake: FakeProviders | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('caches follow the repository: a copy or a move keeps every reuse, and edits in a copy take effect there', () => {
  it('a copied built repository reuses everything; switching providers in the copy prices the real ones there only', async () => {
    const original = await makeProject();
    expect((await buildJson(original)).code).toBe(0);
    const copy = await copyTree(original.root, `${original.root}-copy`);

    expect((await dryRun(copy)).run).toEqual([]);
    await writeFile(join(copy.root, 'pipeline.config.ts'), `export default ${JSON.stringify({ defaultProject: 'demo', providers: { image: 'gemini', video: 'fal' } })};\n`);
    const switched = await dryRun(copy);
    expect(switched.run.length).toBeGreaterThan(0);
    expect(switched.estimateUsd).toBeGreaterThan(0);
    expect(switched.stdout).not.toContain('sim provider is free');

    // The original, whose files did not change, is untouched by the copy's edit.
    const untouched = await dryRun(original);
    expect(untouched.run).toEqual([]);
    expect(untouched.estimateUsd).toBe(0);
  });

  it('a moved repository built on the real providers rebuilds nothing and pays for nothing', async () => {
    fake = await startFakeProviders();
    const project = await makeProject({ providers: { image: 'gemini', video: 'fal' }, fal: { pollIntervalMs: 10 } });
    const env = { ...fake.env, FAL_KEY: 'fal-key-0123456789', GEMINI_API_KEY: 'gemini-key-0123456789' };
    const first = await buildJson(project, [], env);
    expect(first.code).toBe(0);
    const paid = JSON.stringify(fake.counts());

    const moved = { root: `${project.root}-moved` };
    await rename(project.root, moved.root);
    onTestFinished(() => rm(moved.root, { recursive: true, force: true }));
    const again = await buildJson(moved, [], env);
    expect(again.code).toBe(0);
    expect(ran(again.nodes)).toEqual([]);
    expect(JSON.stringify(fake.counts())).toBe(paid);
    // No cache under the moved tree names the old place.
    const caches = await Promise.all(['.cg/config.json', 'projects/demo/.cg/stat-cache.jsonl', 'projects/demo/.cg/built.jsonl', 'projects/demo/.cg/uploads.json'].map((file) => readFile(join(moved.root, file), 'utf8')));
    for (const text of caches) expect(text).not.toContain(project.root);
  });

  it('an edit to a file the config imports takes effect, even with the same size and time', async () => {
    const project = await makeProject();
    const flag = join(project.root, 'audio.ts');
    await writeFile(flag, 'export const audio = false;\n');
    await writeFile(join(project.root, 'pipeline.config.ts'), `import { audio } from './audio.ts';\nexport default { defaultProject: 'demo', providers: { image: 'sim', video: 'fal' }, video: { tier: 'standard', audio } };\n`);
    const estimate = async (): Promise<number> => {
      const run = await cg(project, ['build', 'SEQ02', '--dry-run', '--json', '--retake']);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { totalCostUsd: number }).totalCostUsd;
    };
    const silent = await estimate();
    expect(silent).toBeGreaterThan(0);
    const { mtime } = await stat(flag);
    await writeFile(flag, 'export const audio = true; \n');
    await utimes(flag, mtime, mtime);
    expect(await estimate()).toBeCloseTo((silent * 0.112) / 0.084, 6);
  });
});
