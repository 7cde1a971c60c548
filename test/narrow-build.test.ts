import { existsSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readMemo, writeMemo } from '../src/cache/noop-memo.ts';
import { settledCodec } from '../src/cli/noop-memo.ts';
import { cg, makeProject, ran, spawnCg, type JsonNode, type TestProject } from './helpers/project.ts';

/**
 * A narrowed build (src/cli/noop-memo.ts `narrowing`): when only some sequences' entries in
 * plan.json or decisions.json changed since the no-op memo, a build loads, checks, compiles,
 * plans and builds only those sequences, taking the others' report lines from the memo (a
 * mistake found in them is named by loading the whole plan). Whatever path it takes, a build must print and leave what a full one does.
 */

const TIMEOUT = 180_000;
const memoPath = (project: TestProject): string => project.path('.cg', 'noop.memo');
const withoutTimes = (text: string): string => text.replace(/"(at|durationMs|createdAt)":("[^"]*"|\d+),?/g, '').replace(/ (in )?\d+(\.\d+)? m?s\b/g, '');

type Plan = { title: string; sequences: Array<{ id: string; shots: Array<{ prompt: string; duration: number | string }> }> };
const editShot = (id: string, change: (shot: { prompt: string; duration: number | string }) => void) => (plan: Plan) => {
  const shot = plan.sequences.find((sequence) => sequence.id === id)?.shots[0];
  if (shot === undefined) throw new Error(`no ${id}`);
  change(shot);
};

/** Builds until nothing is left to do (leaving a memo). */
async function settle(project: TestProject): Promise<void> {
  // Laid out as the tests' edits write it: an edit then changes only its sequence's bytes.
  await project.editJson('plan.json', () => undefined);
  expect((await cg(project, ['build'])).code).toBe(0);
  expect((await cg(project, ['build'])).stdout).toMatch(/^Nothing to build/m);
  expect(existsSync(memoPath(project))).toBe(true);
}

/** A second copy of a settled project, without its memo: every build of it plans in full. */
async function twin(project: TestProject): Promise<TestProject> {
  const copy = await makeProject();
  await rm(copy.root, { recursive: true, force: true });
  await cp(project.root, copy.root, { recursive: true });
  await rm(memoPath(copy));
  return copy;
}

/** Leaves a memo whose report has only SEQ04's lines: a build that takes the others from it shows only SEQ04 and what it built. */
async function shrinkMemo(project: TestProject): Promise<void> {
  const memo = readMemo(memoPath(project), settledCodec);
  if (memo === undefined) throw new Error('no memo');
  await writeMemo(memoPath(project), { ...memo, report: { ...memo.report, nodes: memo.report.nodes.filter((node) => node.sequence === 'SEQ04') } }, settledCodec);
}

const nodesOf = (stdout: string): JsonNode[] => (JSON.parse(stdout) as { nodes: JsonNode[] }).nodes;
const sequencesOf = (stdout: string): string[] => [...new Set(nodesOf(stdout).map((node) => node.sequence))];

describe('a build after an edit of a few sequences', () => {
  it('prints, writes and remembers exactly what a build of the whole plan does', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    const full = await twin(project);
    for (const [n, flags] of [['--json'], ['--ndjson'], []].entries()) {
      const edit = editShot('SEQ06', (shot) => (shot.prompt += ` Again, ${flags.join('')}.`));
      await project.editJson('plan.json', edit);
      await full.editJson('plan.json', edit);
      const narrowed = await cg(project, ['build', ...flags]);
      await rm(memoPath(full), { force: true });
      const planned = await cg(full, ['build', ...flags]);
      expect(narrowed.code).toBe(0);
      // Events of different nodes come in the order they happen: --ndjson is compared line by line, in any order.
      const lines = (stdout: string): string[] => (flags[0] === '--ndjson' ? withoutTimes(stdout).split('\n').sort() : [withoutTimes(stdout)]);
      expect({ stdout: lines(narrowed.stdout), stderr: narrowed.stderr }).toEqual({ stdout: lines(planned.stdout), stderr: planned.stderr });
      if (flags[0] === '--json') expect(ran(nodesOf(narrowed.stdout))).toEqual(['SEQ06:take']);
      expect(await project.read('state/client/sequences.json')).toBe(await full.read('state/client/sequences.json'));
      expect(await project.readJson('state/shots/SEQ06.json')).toMatchObject({ takes: Array.from({ length: n + 2 }, () => ({ status: 'video_complete' })) });
    }
    // The build left a memo for what it came to: the next no-op is served from it, and prints what planning prints.
    const served = await cg(project, ['build', '--json']);
    await rm(memoPath(full), { force: true });
    expect(withoutTimes(served.stdout)).toBe(withoutTimes((await cg(full, ['build', '--json'])).stdout));
    await shrinkMemo(project);
    expect((await cg(project, ['build'])).stdout).toBe('Nothing to build: 2 nodes up to date.\n');
  });

  it('takes the other sequences from the memo, and plans everything when the plan changed outside its sequences', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    await shrinkMemo(project);
    await project.editJson('plan.json', editShot('SEQ07', (shot) => (shot.prompt += ' Thunder.')));
    const narrowed = await cg(project, ['build', '--json']);
    expect(sequencesOf(narrowed.stdout)).toEqual(['SEQ04', 'SEQ07']);
    expect(ran(nodesOf(narrowed.stdout))).toEqual(['SEQ07:take']);

    // A pick is a change of one sequence's decisions: built alone too.
    await shrinkMemo(project);
    expect((await cg(project, ['pick', 'SEQ01', '--cell', '3'])).code).toBe(0);
    const picked = await cg(project, ['build', '--json']);
    expect(sequencesOf(picked.stdout)).toEqual(['SEQ01', 'SEQ04']);
    expect(ran(nodesOf(picked.stdout))).toEqual(['SEQ01:frame', 'SEQ01:take']);

    await shrinkMemo(project);
    await project.editJson<Plan>('plan.json', (plan) => (plan.title += ' (director’s cut)'));
    expect(sequencesOf((await cg(project, ['build', '--json'])).stdout)).toHaveLength(12);

    // Sequences are known by their bytes: a plan laid out anew (here, on fewer lines) is planned whole, and nothing runs.
    await shrinkMemo(project);
    await project.write('plan.json', JSON.stringify(await project.readJson('plan.json')));
    const reformatted = await cg(project, ['build', '--json']);
    expect(sequencesOf(reformatted.stdout)).toHaveLength(12);
    expect(ran(nodesOf(reformatted.stdout))).toEqual([]);

    // A narrowed build searches the action index for its keys: an index with a line in another
    // layout (here, its key last) is read whole, and the build after it plans everything.
    await project.editJson('plan.json', () => undefined);
    const index = project.path('.cg', 'actions', 'actions.jsonl');
    const [first = '', ...rest] = (await readFile(index, 'utf8')).split('\n');
    const { key, ...others } = JSON.parse(first) as { key: string };
    await writeFile(index, [JSON.stringify({ ...others, key }), ...rest].join('\n'));
    expect((await cg(project, ['build'])).stdout).toMatch(/^Nothing to build/m);
    await shrinkMemo(project);
    await project.editJson('plan.json', editShot('SEQ08', (shot) => (shot.prompt += ' Sirens.')));
    const whole = await cg(project, ['build', '--json']);
    expect(sequencesOf(whole.stdout)).toHaveLength(12);
    expect(ran(nodesOf(whole.stdout))).toEqual(['SEQ08:shot01']);
    // That build wrote the index again in its own layout: once remembered, the next edit is narrowed.
    expect((await cg(project, ['build'])).stdout).toMatch(/^Nothing to build/m);
    await shrinkMemo(project);
    await project.editJson('plan.json', editShot('SEQ09', (shot) => (shot.prompt += ' Sirens.')));
    expect(sequencesOf((await cg(project, ['build', '--json'])).stdout)).toEqual(['SEQ04', 'SEQ09']);

    await shrinkMemo(project);
    await project.editJson<Plan>('plan.json', (plan) => plan.sequences.reverse());
    expect(sequencesOf((await cg(project, ['build', '--json'])).stdout)).toEqual(Array.from({ length: 12 }, (_, i) => `SEQ${String(12 - i).padStart(2, '0')}`));
  });

  it('a cg status after an edit build leaves the next build served from the memo; a damaged parse cache is planned around and written again', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    await project.editJson('plan.json', editShot('SEQ07', (shot) => (shot.prompt += ' Neon.')));
    expect(ran(nodesOf((await cg(project, ['build', '--json'])).stdout))).toEqual(['SEQ07:take']);
    // The edit build parsed SEQ07 alone; status loads the whole plan and keeps SEQ07's parse in the cache.
    const cache = await project.read('.cg/parsed.cache');
    expect((await cg(project, ['status'])).code).toBe(0);
    expect(await project.read('.cg/parsed.cache')).not.toBe(cache);

    // The memo still holds (only the size of its report shows whether a build planned anything).
    await shrinkMemo(project);
    const after = await cg(project, ['build', '--json']);
    expect(sequencesOf(after.stdout)).toEqual(['SEQ04']);
    expect(ran(nodesOf(after.stdout))).toEqual([]);
    // It learned the cache's new stat: the build after it is served at once, by the no-op path.
    expect(sequencesOf((await cg(project, ['build', '--json'])).stdout)).toEqual(['SEQ04']);

    // A parse cache whose checksum no longer holds is not believed: the plan is planned whole, and the cache written again.
    const damaged = (await project.read('.cg/parsed.cache')).replace('"multi_shot"', '"individual"');
    await project.write('.cg/parsed.cache', damaged);
    const whole = await cg(project, ['build', '--json']);
    expect(sequencesOf(whole.stdout)).toHaveLength(12);
    expect(ran(nodesOf(whole.stdout))).toEqual([]);
    expect(await project.read('.cg/parsed.cache')).not.toBe(damaged);
  });

  it('names a mistake in the edited sequence where it is in the whole plan, and builds once it is fixed', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    const before = await readFile(memoPath(project), 'utf8');
    await project.editJson('plan.json', editShot('SEQ10', (shot) => (shot.duration = 40)));
    const bad = await cg(project, ['build']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/plan\.json:\d+:\d+ sequences\[9\]\.shots\[0\]\.duration/);
    expect(await readFile(memoPath(project), 'utf8')).toBe(before);
    // Mistakes only the text shows (a comma too many, a key written twice) are named as a build of the whole plan names them.
    const good = await project.read('plan.json');
    const seq10 = good.indexOf('"id": "SEQ10"');
    for (const [mistake, edited] of [
      [/sequences\[9\]\.shots\[0\]: not valid JSON: a comma before/, good.slice(0, seq10) + good.slice(seq10).replace('"duration": 40', '"duration": 4,')],
      [/written twice/, good.slice(0, seq10) + good.slice(seq10).replace('"duration": 40', '"duration": 4, "duration": 5')],
    ] as const) {
      await project.write('plan.json', edited);
      const narrowed = await cg(project, ['build']);
      expect(narrowed.code).toBe(2);
      expect(narrowed.stderr).toMatch(mistake);
      expect(narrowed.stderr).toBe((await cg(project, ['build', '--dry-run'])).stderr);
    }
    expect(await readFile(memoPath(project), 'utf8')).toBe(before);
    await project.editJson('plan.json', editShot('SEQ10', (shot) => (shot.duration = 4)));
    const fixed = await cg(project, ['build', '--json']);
    expect(ran(nodesOf(fixed.stdout))).toEqual(['SEQ10:take']);
  });

  it('adds a small edit to the memo as a delta, which reads back as the memo a full build leaves; a torn delta is not trusted', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    const whole = await readFile(memoPath(project), 'utf8');
    await project.editJson('plan.json', editShot('SEQ06', (shot) => (shot.prompt += ' Fog rolls in.')));
    expect(ran(nodesOf((await cg(project, ['build', '--json'])).stdout))).toEqual(['SEQ06:take']);
    const appended = await readFile(memoPath(project), 'utf8');
    // The memo written whole is left as it was; the delta follows it behind its own checksum.
    expect(appended.startsWith(`${whole}\n`)).toBe(true);
    expect(appended.slice(whole.length).split('\n')).toHaveLength(3);

    const full = await twin(project);
    expect((await cg(full, ['build'])).stdout).toMatch(/^Nothing to build/m);
    const [narrowed, planned] = [readMemo(memoPath(project), settledCodec), readMemo(memoPath(full), settledCodec)];
    expect(narrowed).toBeDefined();
    expect({ key: narrowed?.key, report: narrowed?.report, scope: narrowed?.scope }).toEqual({ key: planned?.key, report: planned?.report, scope: planned?.scope });
    // Every file a full build checks is checked (the other sequences' checks are kept as they were, so it may check more).
    const fileChecks = new Set(narrowed?.checks.files.map((check) => JSON.stringify(check)));
    expect(planned?.checks.files.filter(([path]) => !path.startsWith('state/')).every((check) => fileChecks.has(JSON.stringify(check)))).toBe(true);

    const served = await cg(project, ['build', '--json']);
    await writeFile(memoPath(project), appended.slice(0, -5));
    const again = await cg(project, ['build', '--json']);
    expect(withoutTimes(again.stdout)).toBe(withoutTimes(served.stdout));
    // Planned in full, and remembered whole again.
    expect((await readFile(memoPath(project), 'utf8')).split('\n')).toHaveLength(2);
  });

  it('derives every sequence again when the derived state is not as the last build left it', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    const full = await twin(project);
    await rm(project.path('.cg', 'derived.jsonl'));
    await rm(project.path('state', 'client', 'sequences.json'));
    for (const each of [project, full]) await each.editJson('plan.json', editShot('SEQ06', (shot) => (shot.prompt += ' Neon hum.')));
    expect(ran(nodesOf((await cg(project, ['build', '--json'])).stdout))).toEqual(['SEQ06:take']);
    expect((await cg(full, ['build'])).code).toBe(0);
    expect(await project.read('state/client/sequences.json')).toBe(await full.read('state/client/sequences.json'));
  });

  it('reads the marker an earlier version wrote (without the hash of its ids first), and writes it again in its own layout', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    const full = await twin(project);
    const [first = '', ...rest] = (await project.read('.cg/derived.jsonl')).split('\n');
    const { order, facts } = JSON.parse(first) as { order: string; facts: Record<string, string> };
    expect(order).toMatch(/^[0-9a-f]{40}$/);
    await project.write('.cg/derived.jsonl', [JSON.stringify({ facts }), ...rest].join('\n'));
    for (const each of [project, full]) await each.editJson('plan.json', editShot('SEQ06', (shot) => (shot.prompt += ' Static.')));
    expect(ran(nodesOf((await cg(project, ['build', '--json'])).stdout))).toEqual(['SEQ06:take']);
    expect((await cg(full, ['build'])).code).toBe(0);
    expect(await project.read('state/client/sequences.json')).toBe(await full.read('state/client/sequences.json'));
    expect((await project.read('.cg/derived.jsonl')).split('\n')[0]).toMatch(/^\{"order":"[0-9a-f]{40}","facts":\{/);
    expect((await cg(project, ['build'])).stdout).toMatch(/^Nothing to build/m);
  });

  it('derives a sequence again whose record a build wrote before it was stopped, as a build of the whole plan does', { timeout: TIMEOUT }, async () => {
    const project = await makeProject();
    await settle(project);
    const full = await twin(project);
    for (const each of [project, full]) await each.editJson('plan.json', editShot('SEQ06', (shot) => (shot.prompt += ' Rain.')));
    const before = await project.read('state/client/sequences.json');
    // Stopped halfway through writing sequences.json: SEQ06's new take is in its record, not in the derived state.
    const stopped = await spawnCg(project, ['build'], { CG_FAULT: 'write:sequences' }).done;
    expect(stopped.code).not.toBe(0);
    expect(await project.read('state/client/sequences.json')).toBe(before);
    expect(await project.read('.cg/derived.jsonl')).toContain('{"void":"SEQ06"}');
    // The next build makes nothing, and derives SEQ06 from its record.
    expect(ran(nodesOf((await cg(project, ['build', '--json'])).stdout))).toEqual([]);
    expect((await cg(full, ['build'])).code).toBe(0);
    expect(await project.read('state/client/sequences.json')).toBe(await full.read('state/client/sequences.json'));
  });
});
