import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardOf } from '../src/cli/serve/board.ts';
import { admit, projectPath } from '../src/cli/serve/guard.ts';
import { changeOf } from '../src/cli/serve/live.ts';
import type { DerivedSequence } from '../src/state/derive-sequences.ts';

const derived = (id: string, section: string): DerivedSequence => ({
  id,
  section,
  time: null,
  title: null,
  mode: 'multi_shot',
  state: 'not_started',
  stale: false,
  takes: 0,
  currentTakes: [],
  approvedTake: null,
  approvedStale: false,
  gridTake: null,
  pickedCell: null,
  spentUsd: 0,
});

describe('the Sequence Board as data', () => {
  it('places a sequence without a time after the one before it, for its shots, and merges a section that goes on', () => {
    const board = boardOf({
      project: 'p',
      title: 'T',
      song: { title: 'Song', length: '0:40' },
      plan: [
        { id: 'SEQ01', time: { start: '0:00', end: '0:10' }, shots: [{ duration: '5' }] },
        { id: 'SEQ02', shots: [{ duration: '5' }, { duration: '3' }] },
        { id: 'SEQ03', shots: [{ duration: '4' }] },
      ],
      sequences: [derived('SEQ01', 'intro'), derived('SEQ02', 'verse'), derived('SEQ03', 'verse')],
      nodes: [],
      records: new Map(),
      cut: null,
    });
    expect(board.cards.map((card) => [card.id, card.start, card.end, card.next])).toEqual([
      ['SEQ01', 0, 10, 'build it'],
      ['SEQ02', 10, 18, 'build it'],
      ['SEQ03', 18, 22, 'build it'],
    ]);
    expect(board.sections).toEqual([
      { name: 'intro', start: 0, end: 10 },
      { name: 'verse', start: 10, end: 22 },
    ]);
    expect(board.song.seconds).toBe(40);
  });
});

describe("the console's guards", () => {
  const dir = '/p/projects/demo';
  it('refuses dot segments in either spelling, and anything that is not a plain path inside the project', () => {
    expect(projectPath(dir, 'takes/SEQ02/SEQ02_take001.webp')).toBe(join(dir, 'takes/SEQ02/SEQ02_take001.webp'));
    for (const bad of ['../plan.json', 'takes/../../x', 'takes/%2e%2e/plan.json', 'takes/%2E%2e/x', 'takes%2f..%2f.env', '/etc/passwd', 'takes//x', 'takes/./x', 'takes\\..\\x', 'takes/%00']) {
      expect(projectPath(dir, bad), bad).toMatchObject({ status: 403 });
    }
    expect(projectPath(dir, 'takes/%zz')).toMatchObject({ status: 400 });
  });

  it('wants the token, a loopback host and no other origin', () => {
    const ok = { url: '/api/board?token=k', host: '127.0.0.1:9', origin: undefined, tokenHeader: undefined };
    expect(admit(ok, 'k', 9)).toBeUndefined();
    expect(admit({ ...ok, url: '/api/board', tokenHeader: 'k', origin: 'http://localhost:9' }, 'k', 9)).toBeUndefined();
    expect(admit({ ...ok, url: '/api/board' }, 'k', 9)).toMatchObject({ status: 401 });
    expect(admit({ ...ok, host: 'rebound.example:9' }, 'k', 9)).toMatchObject({ status: 403 });
    expect(admit({ ...ok, origin: 'http://127.0.0.1:10' }, 'k', 9)).toMatchObject({ status: 403 });
  });

  it('hears the state files a page shows, and not what a build writes beside them', () => {
    expect(changeOf(dir, join(dir, 'state/shots/SEQ02.json'))).toBe('records');
    expect(changeOf(dir, join(dir, 'decisions.json'))).toBe('decisions');
    expect(changeOf(dir, join(dir, 'refs/characters/maya/1.png'))).toBe('plan');
    expect(changeOf(dir, join(dir, 'cut/Song_cut002.mp4'))).toBe('cut');
    for (const quiet of ['state/shots/SEQ02.json.1234.tmp', 'state/client/sequences.json', '.cg/built.json', 'takes/SEQ02/SEQ02_take001.webp', '.env']) expect(changeOf(dir, join(dir, quiet)), quiet).toBeUndefined();
  });
});
