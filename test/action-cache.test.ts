import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { LocalActionCache, type ActionResult } from '../src/cache/action-cache.ts';
import { computeKey, hashBytes, type NodeKey } from '../src/util/hash.ts';

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-actions-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const key = (name: string): NodeKey => computeKey({ name });

/** A result for a key; `costUsd` tells one version of it from another. */
function result(name: string, costUsd = 0): ActionResult {
  return {
    key: key(name),
    nodeId: `SEQ01:${name}`,
    kind: 'grid',
    output: { hash: hashBytes(new TextEncoder().encode(name)), size: name.length, mimeType: 'image/png', extension: 'png' },
    provider: 'sim',
    model: 'sim-image',
    costUsd,
    estimateUsd: 0.04,
    requestId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
  };
}

async function indexLines(dir: string): Promise<string[]> {
  return (await readFile(join(dir, 'actions.jsonl'), 'utf8')).split('\n').filter((line) => line !== '');
}

/** What a later command sees: a fresh cache over the same folder. */
async function reopened(dir: string): Promise<Map<NodeKey, number | undefined>> {
  const cache = new LocalActionCache(dir);
  const out = new Map<NodeKey, number | undefined>();
  for (const k of await cache.keys()) out.set(k, (await cache.get(k))?.costUsd);
  return out;
}

describe('the action index', () => {
  test('compacts exactly when superseded lines pass half of it, keeping the latest result of every key', async () => {
    const dir = await cacheDir();
    const cache = new LocalActionCache(dir);
    for (const name of ['a', 'b', 'c', 'd']) await cache.put(result(name, 1), { name });
    for (const name of ['a', 'b', 'c', 'd']) await cache.put(result(name, 2), { name });
    // 8 lines, 4 dead: exactly half is not past half.
    expect(await indexLines(dir)).toHaveLength(8);

    await cache.put(result('a', 3), { name: 'a' });
    // 9 lines, 5 dead: rewritten with the 4 live results.
    expect(await indexLines(dir)).toHaveLength(4);
    expect(await cache.get(key('a'))).toEqual(result('a', 3));
    expect(await reopened(dir)).toEqual(
      new Map([
        [key('a'), 3],
        [key('b'), 2],
        [key('c'), 2],
        [key('d'), 2],
      ]),
    );
    expect(await new LocalActionCache(dir).material(key('b'))).toEqual({ name: 'b' });
  });

  test('drops deleted results when it compacts, and goes on appending after', async () => {
    const dir = await cacheDir();
    const cache = new LocalActionCache(dir);
    await cache.put(result('a'), {});
    await cache.put(result('b'), {});
    await cache.delete(key('a'));
    // 3 lines, 2 dead (a and its tombstone).
    expect(await indexLines(dir)).toEqual([JSON.stringify(result('b'))]);
    await cache.put(result('c'), {});
    expect(await indexLines(dir)).toHaveLength(2);
    expect(await reopened(dir)).toEqual(
      new Map([
        [key('b'), 0],
        [key('c'), 0],
      ]),
    );
  });

  test('keeps every result when writes overlap a compaction', async () => {
    const dir = await cacheDir();
    const cache = new LocalActionCache(dir);
    const names = Array.from({ length: 40 }, (_, i) => `n${i}`);
    await Promise.all(names.map((name) => cache.put(result(name, 1), {})));
    await Promise.all([...names.slice(10).map((name) => cache.put(result(name, 2), {})), ...names.slice(0, 10).map((name) => cache.delete(key(name)))]);
    const expected = new Map(names.slice(10).map((name) => [key(name), 2]));
    expect(await reopened(dir)).toEqual(expected);
    expect(new Set(await cache.keys())).toEqual(new Set(expected.keys()));
    expect((await indexLines(dir)).length).toBeLessThan(2 * expected.size + 1);
  });

  test('a line torn by a crash is ignored, and the next write rewrites the index without it', async () => {
    const dir = await cacheDir();
    const whole = JSON.stringify(result('a'));
    await writeFile(join(dir, 'actions.jsonl'), `${whole}\n${JSON.stringify(result('b')).slice(0, 30)}`);
    const cache = new LocalActionCache(dir);
    expect([...(await cache.keys())]).toEqual([key('a')]);

    await cache.put(result('c'), {});
    await cache.put(result('d'), {});
    expect(await reopened(dir)).toEqual(
      new Map([
        [key('a'), 0],
        [key('c'), 0],
        [key('d'), 0],
      ]),
    );
    // Every line of the file parses again.
    expect(await indexLines(dir)).toEqual([whole, JSON.stringify(result('c')), JSON.stringify(result('d'))]);
  });

  test('a line damaged inside its ends loses only its own result: a key written before keeps its earlier one', async () => {
    const dir = await cacheDir();
    const damaged = (line: string): string => line.replace('"provider":"sim"', '"provider":sim"');
    const lines = [JSON.stringify(result('a', 1)), JSON.stringify(result('b', 1)), JSON.stringify(result('c', 1)), damaged(JSON.stringify(result('a', 2))), damaged(JSON.stringify(result('d', 2)))];
    await writeFile(join(dir, 'actions.jsonl'), `${lines.join('\n')}\n`);
    const cache = new LocalActionCache(dir);
    expect(await cache.get(key('a'))).toEqual(result('a', 1));
    expect(await cache.get(key('c'))).toEqual(result('c', 1));
    // d's only line is damaged: no result, so it is made again (and its key says why: missing or corrupt).
    expect(await cache.get(key('d'))).toBeUndefined();
    expect(await reopened(dir)).toEqual(
      new Map([
        [key('a'), 1],
        [key('b'), 1],
        [key('c'), 1],
        [key('d'), undefined],
      ]),
    );
  });

  test('reading an index full of dead lines leaves it as it is: read-only commands hold no lock', async () => {
    const dir = await cacheDir();
    const text = `${JSON.stringify(result('a'))}\n${JSON.stringify({ key: key('a'), deleted: true })}\nnot json\n`;
    await writeFile(join(dir, 'actions.jsonl'), text);
    const cache = new LocalActionCache(dir);
    expect(await cache.keys()).toEqual(new Set());
    expect(await cache.get(key('a'))).toBeUndefined();
    expect(await readFile(join(dir, 'actions.jsonl'), 'utf8')).toBe(text);
  });

  test('a build of a few sequences searches the bytes for its keys, and finds what reading the whole index finds', async () => {
    const dir = await cacheDir();
    const damaged = (line: string): string => line.replace('"provider":"sim"', '"provider":sim"');
    const deleted = (name: string): string => JSON.stringify({ key: key(name), deleted: true });
    const reordered = (line: ActionResult): string => JSON.stringify({ ...line, key: undefined, durationMs: 2, id: line.key }).replace('"id":', '"key":');
    const lines = [
      JSON.stringify(result('a', 1)), // a: superseded, then its newer line damaged
      JSON.stringify(result('b', 1)), // b: deleted, then made again
      deleted('b'),
      JSON.stringify(result('b', 2)),
      JSON.stringify(result('c', 1)), // c: deleted
      deleted('c'),
      damaged(JSON.stringify(result('a', 2))),
      damaged(JSON.stringify(result('d', 1))), // d: only a damaged line
      JSON.stringify(result('e', 1)).slice(0, 40), // e: only a line a crash cut short
    ];
    await writeFile(join(dir, 'actions.jsonl'), `${lines.join('\n')}\n`);
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const answers = async (cache: LocalActionCache): Promise<unknown[]> => {
      const present = await cache.present();
      return Promise.all(names.map(async (name) => [name, present.has(key(name)), (await cache.get(key(name)))?.costUsd]));
    };
    const whole = await answers(new LocalActionCache(dir));
    expect(whole).toEqual([['a', true, 1], ['b', true, 2], ['c', false, undefined], ['d', true, undefined], ['e', false, undefined], ['f', false, undefined]]);
    const searching = new LocalActionCache(dir, undefined, { search: true });
    expect(await answers(searching)).toEqual(whole);

    // What it writes is found by its own searches, and by a later command.
    await searching.put(result('f', 7), { name: 'f' });
    await searching.delete(key('a'));
    const after = [['a', false, undefined], ['b', true, 2], ['c', false, undefined], ['d', true, undefined], ['e', false, undefined], ['f', true, 7]];
    expect(await answers(searching)).toEqual(after);
    expect(await answers(new LocalActionCache(dir))).toEqual(after);
    expect(await new LocalActionCache(dir).foreign()).toBe(false);

    // A line in another layout (its key not first) could hide from a search: the index says so.
    await writeFile(join(dir, 'actions.jsonl'), `${reordered(result('g', 1))}\n`, { flag: 'a' });
    const reread = new LocalActionCache(dir);
    expect(await reread.get(key('g'))).toMatchObject({ costUsd: 1 });
    expect(await reread.foreign()).toBe(true);
    // The next write rewrites the index in this cache's own layout.
    await reread.put(result('h', 1), { name: 'h' });
    expect((await indexLines(dir)).every((line) => line.startsWith(`{"key":"`))).toBe(true);
    expect(await new LocalActionCache(dir).foreign()).toBe(false);
    expect(await new LocalActionCache(dir, undefined, { search: true }).get(key('g'))).toMatchObject({ costUsd: 1 });
  });

  test('a search reads the file in windows: a key thousands of lines share, lines across the windows\' edges, a line too long for a window', async () => {
    const dir = await cacheDir();
    // 3,000 lines of one key (sequences with the same elements share it): the newest holds.
    const shared = Array.from({ length: 3000 }, (_, i) => JSON.stringify(result('s', i)));
    const long = JSON.stringify({ ...result('x', 5), model: 'm'.repeat(70_000) });
    await writeFile(join(dir, 'actions.jsonl'), `${[...shared, JSON.stringify(result('t', 3)), long].join('\n')}\n`);
    const names = ['s', 't', 'x', 'u'];
    const answers = async (cache: LocalActionCache): Promise<unknown[]> => {
      const present = await cache.present();
      return Promise.all(names.map(async (name) => [name, present.has(key(name)), (await cache.get(key(name)))?.costUsd]));
    };
    const whole = await answers(new LocalActionCache(dir));
    expect(whole).toEqual([['s', true, 2999], ['t', true, 3], ['x', true, 5], ['u', false, undefined]]);
    expect(await answers(new LocalActionCache(dir, undefined, { search: true }))).toEqual(whole);
  });
});
