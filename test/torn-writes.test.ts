import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { removeTornWrites } from '../src/state/torn-writes.ts';

it("after a dead command, its half-written temp files and unfinished encodes' scratch folders go; everything else stays", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cg-torn-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, '.cg', 'tmp', 'media-a1B2c3'), { recursive: true });
  await writeFile(join(dir, '.cg', 'tmp', 'media-a1B2c3', 'take0.mp4'), 'half an encode');
  await mkdir(join(dir, 'state'), { recursive: true });
  await writeFile(join(dir, 'state', 'SEQ01.json.0123456789ab.tmp'), '{"half"');
  await writeFile(join(dir, 'state', 'SEQ01.json'), '{}');
  await mkdir(join(dir, 'cut'), { recursive: true });
  await writeFile(join(dir, 'cut', 'media-notes.txt'), 'a person wrote this');
  expect(await removeTornWrites(dir)).toBe(2);
  expect(await readdir(join(dir, '.cg', 'tmp'))).toEqual([]);
  expect(await readdir(join(dir, 'state'))).toEqual(['SEQ01.json']);
  expect(await readdir(join(dir, 'cut'))).toEqual(['media-notes.txt']);
});
