import { readFile, truncate, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { hashBytes } from '../src/util/hash.ts';
import { startFakeProviders, type FakeProviders } from './fakes/server.ts';
import { buildJson, cg, makeProject, ran, type TestProject } from './helpers/project.ts';

/**
 * A damaged take file or stored copy is found by its hash when it is next read, and put
 * back from a good copy; a paid result is fetched again from the provider's URL while that
 * still serves it, and is otherwise reported. Nothing paid is ever silently made again.
 */

const config = { providers: { image: 'gemini', video: 'fal' }, fal: { pollIntervalMs: 5 }, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } };
const keys = { FAL_KEY: 'fal-key-0123456789', GEMINI_API_KEY: 'gemini-key-0123456789' };

let fake: FakeProviders | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface Built {
  project: TestProject;
  fake: FakeProviders;
  env: Record<string, string>;
  take: { output: string; blob: string };
}

/** SEQ04 built on the wire fakes: one paid take. */
async function builtTake(): Promise<Built> {
  fake = await startFakeProviders();
  const project = await makeProject(config);
  const env = { ...fake.env, ...keys };
  expect((await buildJson(project, ['SEQ04'], env)).code).toBe(0);
  const record = await project.readJson<{ takes: Array<{ output: string; blob: string }> }>('state/shots/SEQ04.json');
  const take = record.takes[0];
  if (take === undefined) throw new Error('SEQ04 has no take');
  return { project, fake, env, take };
}

const blobPath = (project: TestProject, hash: string): string => {
  const hex = hash.slice('sha256:'.length);
  return project.path('.cg', 'blobs', hex.slice(0, 2), hex);
};

/** Flips one byte in the middle of a file: same size, different bytes. */
async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  await writeFile(path, bytes);
}

const paidCalls = (f: FakeProviders): number => f.submissions().length + f.geminiRequests().length;

describe('damaged files are found by hash and put back, never silently paid for again', () => {
  it.each([
    ['truncated', (path: string) => truncate(path, 100)],
    ['one byte flipped', flipByte],
  ] as const)('a paid take file %s is put back from the stored copy on the next build', async (_how, damage) => {
    const { project, fake, env, take } = await builtTake();
    const paid = paidCalls(fake);
    await damage(project.path(take.output));
    const next = await buildJson(project, ['SEQ04'], env);
    expect(next.code).toBe(0);
    expect(ran(next.nodes)).toEqual([]);
    expect(next.stderr).toContain(`SEQ04:take: ${take.output} was missing or damaged: put back from the stored copy`);
    expect(hashBytes(await readFile(project.path(take.output)))).toBe(take.blob);
    expect(paidCalls(fake)).toBe(paid);
  });

  it.each([
    ['emptied', (file: string) => writeFile(file, '')],
    ['cut short', async (file: string) => truncate(file, Math.floor((await readFile(file)).length / 2))],
  ] as const)('paid results the action index lost (%s) are put back from their records, not paid for again', async (_how, damage) => {
    const { project, fake, env, take } = await builtTake();
    const paid = paidCalls(fake);
    await damage(project.path('.cg', 'actions', 'actions.jsonl'));
    // Planned as reused: nothing to pay for, before the build as after it.
    const dry = await buildJson(project, ['SEQ04', '--dry-run'], env);
    expect(dry.nodes.find((n) => n.id === 'SEQ04:take')?.action).toBe('reuse');
    expect(dry.totalCostUsd).toBe(0);
    const next = await buildJson(project, ['SEQ04', '--max-cost', '0.01'], env);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain("SEQ04:take: the action cache had lost this result; put back from its take's record (no new call)");
    expect(ran(next.nodes).filter((id) => /:(grid|take|shot\d+)$/.test(id))).toEqual([]);
    expect(next.nodes.find((n) => n.id === 'SEQ04:take')).toMatchObject({ action: 'reuse', takeId: 'SEQ04_take001', output: take.output });
    expect(paidCalls(fake)).toBe(paid);
    expect((await project.readJson<{ takes: unknown[] }>('state/shots/SEQ04.json')).takes).toHaveLength(1);
    // Back in the index: the build after is a no-op.
    expect((await cg(project, ['build', 'SEQ04'], env)).stdout).toMatch(/^Nothing to build/m);
  });

  it('--retake after the action index lost the take still makes a new take (the record counts as the first)', async () => {
    const { project, fake, env } = await builtTake();
    const submitted = fake.submissions().length;
    await writeFile(project.path('.cg', 'actions', 'actions.jsonl'), '');
    const retake = await buildJson(project, ['SEQ04', '--retake'], env);
    expect(retake.code, retake.stderr).toBe(0);
    expect(retake.nodes.find((n) => n.id === 'SEQ04:take')).toMatchObject({ action: 'run', takeId: 'SEQ04_take002' });
    expect(fake.submissions().length).toBe(submitted + 1);
  });

  it('a paid take whose file and stored copy are both damaged is fetched again from the result URL, at no charge', async () => {
    const { project, fake, env, take } = await builtTake();
    const paid = paidCalls(fake);
    const downloads = fake.counts().downloads;
    await flipByte(project.path(take.output));
    await flipByte(blobPath(project, take.blob));
    const next = await buildJson(project, ['SEQ04'], env);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain("fetched again from the provider's result URL (no new charge)");
    expect(hashBytes(await readFile(project.path(take.output)))).toBe(take.blob);
    expect(hashBytes(await readFile(blobPath(project, take.blob)))).toBe(take.blob);
    expect(fake.counts().downloads).toBe(downloads + 1);
    expect(paidCalls(fake)).toBe(paid);
  });

  it('when the provider no longer serves it either, the build names the lost take and pays for nothing', async () => {
    const { project, fake, env, take } = await builtTake();
    const paid = paidCalls(fake);
    await flipByte(project.path(take.output));
    await flipByte(blobPath(project, take.blob));
    const damaged = await readFile(project.path(take.output));
    fake.failNext('fal-download', { status: 404 }, 10);
    const next = await buildJson(project, ['SEQ04'], env);
    expect(next.code).toBe(1);
    const node = next.nodes.find((n) => n.id === 'SEQ04:take');
    expect(node?.action).toBe('failed');
    expect(node?.reason).toBe(
      `its paid result (SEQ04_take001, $0.84) is lost: ${take.output} and the stored copy are damaged, and the provider no longer serves it. Put the file back from a backup and build again, or pay for a new take with cg build SEQ04 --retake`,
    );
    expect(paidCalls(fake)).toBe(paid);
    // The damaged file is left for the person to look at, not replaced.
    expect(await readFile(project.path(take.output))).toEqual(damaged);
  });

  it('a paid grid damaged in the blob store is put back from its file when a new pick reads it: no new image call', async () => {
    fake = await startFakeProviders();
    const project = await makeProject(config);
    const env = { ...fake.env, ...keys };
    expect((await buildJson(project, ['SEQ03'], env)).code).toBe(0);
    expect((await cg(project, ['pick', 'SEQ03', '--cell', '2'], { env })).code).toBe(0);
    expect((await buildJson(project, ['SEQ03'], env)).code).toBe(0);
    const images = fake.geminiRequests().length;
    const grid = await project.readJson<{ takes: Array<{ blob: string }> }>('state/shots/SEQ03_grid.json');
    await flipByte(blobPath(project, grid.takes[0]?.blob ?? ''));
    expect((await cg(project, ['pick', 'SEQ03', '--cell', '3'], { env })).code).toBe(0);
    const next = await buildJson(project, ['SEQ03'], env);
    expect(next.code, next.stderr).toBe(0);
    expect(ran(next.nodes)).toEqual(['SEQ03:frame', 'SEQ03:take']);
    expect(fake.geminiRequests().length).toBe(images);
    expect(hashBytes(await readFile(blobPath(project, grid.takes[0]?.blob ?? '')))).toBe(grid.takes[0]?.blob);
  });
});
