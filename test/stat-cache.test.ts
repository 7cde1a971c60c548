import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StatCache } from '../src/cache/stat-cache.ts';
import { hashBytes } from '../src/util/hash.ts';

/**
 * The stat cache (src/cache/stat-cache.ts) is written whole on its first line, then appended a
 * line per file recorded since: an edit build of one sequence of 10,000 appends a few lines
 * instead of writing 2 MB again. Whatever is in the file, a hash it gives is the file's.
 */

async function folder(files: number): Promise<{ dir: string; cacheFile: string; write: (name: string, text: string) => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-stat-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): Promise<void> => writeFile(join(dir, name), text);
  for (let i = 0; i < files; i++) await write(`f${i}.txt`, `file ${i}`);
  return { dir, cacheFile: join(dir, 'stat-cache.jsonl'), write };
}

/** A cache written whole, of files f0.txt … */
async function hashAll(cacheFile: string, dir: string, files: number): Promise<void> {
  const cache = StatCache.open(cacheFile, dir);
  for (let i = 0; i < files; i++) await cache.hashFile(`f${i}.txt`);
  await cache.save();
}

const lines = async (file: string): Promise<string[]> => (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
const hashOf = (text: string): string => hashBytes(Buffer.from(text));

describe('the stat cache', () => {
  it('appends what it records to the cache written whole, and reads both back', async () => {
    const { dir, cacheFile, write } = await folder(12);
    await hashAll(cacheFile, dir, 12);
    expect(await lines(cacheFile)).toHaveLength(1);

    await write('f3.txt', 'file 3, edited');
    const second = StatCache.open(cacheFile, dir);
    expect(await second.hashFile('f3.txt')).toBe(hashOf('file 3, edited'));
    expect(await second.hashFile('f4.txt')).toBe(hashOf('file 4'));
    await second.save();
    const written = await lines(cacheFile);
    expect(written).toHaveLength(2);
    expect(JSON.parse(written[1] ?? '')).toEqual(['f3.txt', expect.any(String), expect.any(String), expect.any(String), expect.any(String), hashOf('file 3, edited')]);

    // Read back: nothing new to record, so nothing is written.
    const third = StatCache.open(cacheFile, dir);
    expect(await third.hashFile('f3.txt')).toBe(hashOf('file 3, edited'));
    await third.save();
    expect(await lines(cacheFile)).toEqual(written);
  });

  it('passes over a line cut short or damaged, and is written whole after a crash cut one short', async () => {
    const { dir, cacheFile, write } = await folder(12);
    await hashAll(cacheFile, dir, 12);
    const [base] = await lines(cacheFile);
    const print = (JSON.parse(base ?? '') as { entries: Record<string, string[]> }).entries['f5.txt']?.slice(0, 4) ?? [];
    // A line claiming another hash for f5.txt, damaged in its hash, then one a crash cut short.
    await appendFile(cacheFile, `${JSON.stringify(['f5.txt', ...print, 'sha256:not-a-hash'])}\n["f6.txt","1`);

    await write('f7.txt', 'file 7, edited');
    const second = StatCache.open(cacheFile, dir);
    expect(await second.hashFile('f5.txt')).toBe(hashOf('file 5'));
    expect(await second.hashFile('f7.txt')).toBe(hashOf('file 7, edited'));
    await second.save();
    const written = await lines(cacheFile);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] ?? '')).toMatchObject({ entries: { 'f5.txt': [...print, hashOf('file 5')], 'f7.txt': [expect.any(String), expect.any(String), expect.any(String), expect.any(String), hashOf('file 7, edited')] } });
  });

  it('writes itself whole again once its lines pass a quarter of its entries', async () => {
    const { dir, cacheFile, write } = await folder(12);
    await hashAll(cacheFile, dir, 12);
    const edit = async (round: number, files: readonly string[]): Promise<string[]> => {
      for (const file of files) await write(file, `edited in round ${round}`);
      const cache = StatCache.open(cacheFile, dir);
      for (const file of files) await cache.hashFile(file);
      await cache.save();
      return lines(cacheFile);
    };
    expect(await edit(1, ['f0.txt', 'f1.txt'])).toHaveLength(1 + 2);
    // 4 lines would be more than a quarter of 12 entries: written whole, with every edit.
    expect(await edit(2, ['f2.txt', 'f3.txt'])).toHaveLength(1);
    const reread = StatCache.open(cacheFile, dir);
    expect(await Promise.all(['f0.txt', 'f3.txt', 'f4.txt'].map((file) => reread.hashFile(file)))).toEqual([hashOf('edited in round 1'), hashOf('edited in round 2'), hashOf('file 4')]);
  });
});
