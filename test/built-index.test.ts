import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BuiltIndex, type BuiltEntry } from '../src/cache/built-index.ts';
import type { NodeKey } from '../src/util/hash.ts';

/**
 * The built index (src/cache/built-index.ts): the whole index on its first line, then a line per
 * entry changed since. A command that looks up a few nodes finds them in the bytes; one that
 * looks up many parses the line. Either way it reads what was last saved.
 */

async function indexFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-built-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'built.jsonl');
}

const entry = (n: number, take = 1): BuiltEntry => ({ key: String(n).padStart(64, '0') as NodeKey, takeId: `SEQ${n}_take00${take}`, output: `takes/SEQ${n}/take00${take}.mp4` });
const ids = Array.from({ length: 200 }, (_, n) => `SEQ${n}:take`);
const lines = async (file: string): Promise<string[]> => (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');

describe('the built index', () => {
  it('appends the entries a build changed, and reads them back by search and by parse alike', async () => {
    const file = await indexFile();
    const first = new BuiltIndex(file);
    for (const [n, id] of ids.entries()) await first.set(id, entry(n));
    // An id with a quote and braces in it is found too.
    await first.set('SEQ"}{:odd', entry(999));
    await first.save();
    expect(await lines(file)).toHaveLength(1);

    const second = new BuiltIndex(file);
    expect(await second.get('SEQ7:take')).toEqual(entry(7));
    await second.set('SEQ7:take', entry(7, 2));
    await second.set('SEQ8:take', entry(8));
    await second.set('SEQ9:new', entry(9));
    await second.save();
    expect(await lines(file)).toHaveLength(1 + 2);

    const expected = new Map([...ids.map((id, n): [string, BuiltEntry] => [id, entry(n)]), ['SEQ"}{:odd', entry(999)], ['SEQ7:take', entry(7, 2)], ['SEQ9:new', entry(9)]]);
    // A few sequences' lookups are searched for; past 8 the whole line is parsed: both give what was saved.
    const third = new BuiltIndex(file);
    for (const id of ['SEQ7:take', 'SEQ9:new', 'SEQ"}{:odd', 'SEQ199:take', 'missing', ...expected.keys()]) expect(await third.get(id), id).toEqual(expected.get(id));
  });

  it('finds the entries of a sequence in an index of megabytes, read through a window, as a parse of it does', async () => {
    const file = await indexFile();
    const many = new BuiltIndex(file);
    const kinds = ['elements', 'grid', 'frame', 'take'];
    // 40,000 entries (about 4 MB, so entries lie across the window's edges); SEQ5 has no grid.
    for (let n = 0; n < 10_000; n++) for (const kind of kinds) if (!(n === 5 && kind === 'grid')) await many.set(`SEQ${n}:${kind}`, entry(n));
    await many.save();
    const changed = new BuiltIndex(file);
    await changed.set('SEQ7000:take', entry(7000, 2));
    await changed.save();
    const searched = new BuiltIndex(file);
    const asked = ['SEQ7000:take', 'SEQ7000:frame', 'SEQ5:grid', 'SEQ5:take', 'SEQ9999:take', 'SEQ0:elements', 'SEQ700:take', 'SEQ70001:take'];
    const expectedOf = (id: string): BuiltEntry | undefined => (id === 'SEQ5:grid' || id === 'SEQ70001:take' ? undefined : id === 'SEQ7000:take' ? entry(7000, 2) : entry(Number(/\d+/.exec(id)?.[0])));
    for (const id of asked) expect(await searched.get(id), id).toEqual(expectedOf(id));
    // Past 8 sequences, the whole line is parsed: the same answers.
    for (const id of [...asked, ...Array.from({ length: 10 }, (_, n) => `SEQ${n * 3}:frame`)]) expect(await searched.get(id), id).toEqual(expectedOf(id));
  });

  it('reads what it wrote whole again from the file, after a save that wrote it whole', async () => {
    const file = await indexFile();
    const first = new BuiltIndex(file);
    for (const [n, id] of ids.slice(0, 20).entries()) await first.set(id, entry(n));
    await first.save();
    const second = new BuiltIndex(file);
    expect(await second.get('SEQ3:take')).toEqual(entry(3));
    // More than a quarter of the whole line: written whole.
    for (const [n, id] of ids.entries()) await second.set(id, entry(n, 2));
    await second.save();
    expect(await lines(file)).toHaveLength(1);
    expect(await second.get('SEQ3:take')).toEqual(entry(3, 2));
    expect(await second.get('SEQ150:take')).toEqual(entry(150, 2));
    await second.set('SEQ3:take', entry(3, 3));
    await second.save();
    expect(await lines(file)).toHaveLength(2);
    expect(await new BuiltIndex(file).get('SEQ3:take')).toEqual(entry(3, 3));
  });

  it('takes over the built.json of earlier versions', async () => {
    const file = await indexFile();
    await writeFile(file.replace(/l$/, ''), JSON.stringify({ 'SEQ1:take': entry(1) }));
    const index = new BuiltIndex(file);
    expect(await index.get('SEQ1:take')).toEqual(entry(1));
    await index.set('SEQ2:take', entry(2));
    await index.save();
    expect(existsSync(file.replace(/l$/, ''))).toBe(false);
    expect(JSON.parse((await lines(file))[0] ?? '')).toEqual({ 'SEQ1:take': entry(1), 'SEQ2:take': entry(2) });
  });

  it('is rebuilt whole when its file was cut short', async () => {
    const file = await indexFile();
    const first = new BuiltIndex(file);
    for (const [n, id] of ids.entries()) await first.set(id, entry(n));
    await first.save();
    await truncate(file, 5000);
    const second = new BuiltIndex(file);
    expect(await second.get('SEQ0:take')).toBeUndefined();
    await second.set('SEQ0:take', entry(0, 3));
    await second.save();
    const written = await lines(file);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] ?? '')).toEqual({ 'SEQ0:take': entry(0, 3) });
  });
});
