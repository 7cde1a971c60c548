import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildJson, cg, makeProject, ran, spawnCg, type JsonNode, type TestProject } from './helpers/project.ts';

interface RecordFile {
  shotId: string;
  takes: Array<{ takeId: string; key: string; status: string }>;
}

/** Every file under state/ parses (each line of a .jsonl), and so does decisions.json. */
async function expectParsableState(project: TestProject): Promise<void> {
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const text = await readFile(path, 'utf8');
        const documents = entry.name.endsWith('.jsonl') ? text.split('\n').filter((line) => line !== '') : [text];
        for (const document of documents) expect(() => JSON.parse(document) as unknown, path).not.toThrow();
      }
    }
  };
  await walk(project.path('state'));
  await project.readJson('decisions.json');
}

/** The execution records, checking that no key has two complete takes (nothing was paid twice). */
async function records(project: TestProject): Promise<Map<string, RecordFile>> {
  const out = new Map<string, RecordFile>();
  for (const name of (await readdir(project.path('state', 'shots'))).filter((n) => n.endsWith('.json'))) {
    const record = await project.readJson<RecordFile>(join('state', 'shots', name));
    const complete = record.takes.filter((t) => t.status.endsWith('_complete'));
    expect(new Set(complete.map((t) => t.key)).size, `${name} has two takes for one key`).toBe(complete.length);
    out.set(record.shotId, record);
  }
  return out;
}

const runs = (nodes: readonly JsonNode[], id: string): number => ran(nodes).filter((node) => node === id).length;

describe('two builds and a pick at once', () => {
  it('take turns under the project lock: the pick is kept, nothing is made twice, every state file parses', async () => {
    const project = await makeProject({ sim: { latencyMs: 300 }, concurrency: { sim: 2 } });
    expect((await cg(project, ['build', 'SEQ03'])).code).toBe(0);

    const a = spawnCg(project, ['build', 'SEQ03', 'SEQ02', '--json']);
    const b = spawnCg(project, ['build', 'SEQ03', 'SEQ02', '--json']);
    const pick = spawnCg(project, ['pick', 'SEQ03', '--cell', '2']);
    const done = await Promise.all([a.done, b.done, pick.done]);

    expect(
      done.map((run) => run.code),
      done.map((run) => run.stderr).join('\n'),
    ).toEqual([0, 0, 0]);
    expect(done.map((run) => run.stderr).join('')).toContain('waiting for the cg command already running on this project');
    expect(done[2]?.stdout).toMatch(/^SEQ03: picked cell 2 of takes\/SEQ03\/SEQ03_grid_take001\.png\./);
    const builds = done.slice(0, 2).map((run) => (JSON.parse(run.stdout) as { nodes: JsonNode[] }).nodes);
    const concurrent = builds.flat();
    expect(ran(concurrent), 'a node ran in both builds').toEqual([...new Set(ran(concurrent))]);
    expect(runs(concurrent, 'SEQ02:take')).toBe(1);
    expect(runs(concurrent, 'SEQ03:grid')).toBe(0);

    // Whichever came first, the pick holds and the next build finishes SEQ03 if neither did.
    expect((await project.readJson<{ sequences: Record<string, { pick?: { cell: number } }> }>('decisions.json')).sequences['SEQ03']?.pick?.cell).toBe(2);
    const final = await buildJson(project, ['SEQ03', 'SEQ02']);
    expect(final.code).toBe(0);
    expect(runs([...concurrent, ...final.nodes], 'SEQ03:take')).toBe(1);
    expect(final.nodes.every((node) => node.action === 'run' || node.action === 'reuse')).toBe(true);
    expect(ran((await buildJson(project, ['SEQ03', 'SEQ02'])).nodes)).toEqual([]);

    const byShot = await records(project);
    expect([...byShot.keys()].sort()).toEqual(['SEQ02', 'SEQ03', 'SEQ03_grid']);
    expect([...byShot.values()].map((record) => record.takes.length)).toEqual([1, 1, 1]);
    expect((await readdir(project.path('takes', 'SEQ03'))).filter((name) => name.startsWith('SEQ03_grid_take'))).toEqual(['SEQ03_grid_take001.png']);
    await expectParsableState(project);
  });
});
