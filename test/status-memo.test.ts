import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BuiltIndex } from '../src/cache/built-index.ts';
import { readMemo, writeMemo } from '../src/cache/noop-memo.ts';
import { statusCodec } from '../src/cli/status-memo.ts';
import { cg, makeProject, type TestProject } from './helpers/project.ts';

/**
 * The status memo (src/cli/status-memo.ts): `cg status` with nothing to build remembers what it
 * showed, and a later one with nothing changed shows the same without loading the project.
 */

const TIMEOUT = 120_000;
const memoPath = (project: TestProject): string => project.path('.cg', 'status.memo');

async function status(project: TestProject, args: string[] = []): Promise<string> {
  const run = await cg(project, ['status', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

/** A built project with a song (so the status has a cut and timing lines), its status remembered. */
async function remembered(): Promise<{ project: TestProject; shown: string }> {
  const project = await makeProject({}, { song: true });
  expect((await cg(project, ['build'])).code).toBe(0);
  const shown = await status(project);
  expect(existsSync(memoPath(project))).toBe(true);
  return { project, shown };
}

/** Marks the memo so that a status shown from it says so. */
async function mark(project: TestProject): Promise<void> {
  const memo = readMemo(memoPath(project), statusCodec);
  if (memo === undefined) throw new Error('no status memo');
  await writeMemo(memoPath(project), { ...memo, report: { ...memo.report, timing: ['shown from the memo'] } }, statusCodec);
}

describe('the status memo', () => {
  it('shows exactly what deriving the status shows, as text and as --json, and is used', { timeout: TIMEOUT }, async () => {
    const { project, shown } = await remembered();
    expect(shown).toMatch(/^Cut: cut\//m);
    expect(shown).toMatch(/^! SEQ01: shots total/m);
    expect(await status(project)).toBe(shown);
    const json = await status(project, ['--json']);
    await rm(memoPath(project));
    expect(await status(project, ['--json'])).toBe(json);
    expect(await status(project)).toBe(shown);
    await mark(project);
    expect(await status(project)).toContain('! shown from the memo\n');
    // The status of some sequences is always derived.
    expect(await status(project, ['SEQ01'])).not.toContain('shown from the memo');
    // A damaged or cut-short memo is not trusted: the status is derived, and remembered again.
    const marked = await readFile(memoPath(project), 'utf8');
    for (const damaged of [marked.replace('shown from the memo', 'shown from the memO'), marked.slice(0, marked.length / 2)]) {
      await writeFile(memoPath(project), damaged);
      expect(await status(project)).toBe(shown);
      expect(readMemo(memoPath(project), statusCodec)).toBeDefined();
    }
  });

  const changes: Array<[string, (project: TestProject) => Promise<unknown>, RegExp]> = [
    ['a pick', (project) => cg(project, ['pick', 'SEQ01', '--cell', '2']), /nodes to build/],
    ['an approval', (project) => cg(project, ['approve', 'SEQ02']), /^SEQ02 +verse 0:16–0:34 +approved /m],
    ['a deleted take', (project) => rm(project.path('takes', 'SEQ02', 'SEQ02_take001.mp4')), /^SEQ02 +verse/m],
    [
      "a segment's key material lost",
      async (project) => {
        // The built index: the whole index on its first line, then a line per entry changed since.
        const [whole = '{}', ...later] = (await project.read('.cg/built.jsonl')).split('\n').filter((line) => line !== '');
        const ids = [...Object.keys(JSON.parse(whole) as object), ...later.map((line) => (JSON.parse(line) as string[])[0] ?? '')];
        const key = (await new BuiltIndex(project.path('.cg', 'built.jsonl')).get(ids.find((id) => id.endsWith(':segment')) ?? ''))?.key;
        await rm(project.path('.cg', 'actions', 'materials', `${key}.json`));
      },
      /^Cut: cut\//m,
    ],
  ];

  it.each(changes)('is never shown after %s', { timeout: TIMEOUT }, async (_, change, expected) => {
    const { project } = await remembered();
    await mark(project);
    await change(project);
    const shown = await status(project);
    expect(shown).not.toContain('shown from the memo');
    expect(shown).toMatch(expected);
  });

  it('is not used or written while another command holds the project lock, and the status does not wait for it', { timeout: TIMEOUT }, async () => {
    const { project } = await remembered();
    await mark(project);
    const before = await readFile(memoPath(project), 'utf8');
    await writeFile(project.path('.cg', 'lock'), JSON.stringify({ pid: process.pid, command: 'cg build', startedAt: new Date().toISOString() }));
    const run = await cg(project, ['status']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain('shown from the memo');
    expect(await readFile(memoPath(project), 'utf8')).toBe(before);
    expect(existsSync(project.path('.cg', 'lock'))).toBe(true);
  });
});
