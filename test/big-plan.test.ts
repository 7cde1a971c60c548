import { readFile, truncate, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { SequencesDocument } from '../src/state/derive-sequences.ts';
import { buildJson, cg, makeProject, ran, type TestProject } from './helpers/project.ts';

const count = 7000;
const id = (n: number): string => `SEQ${String(n).padStart(4, '0')}`;

/**
 * A plan of 7,000 sequences of the same content (one shot, no grid, no elements): their nodes
 * share keys, so building one draws one animatic and the others reuse it, and the whole plan
 * is built in seconds. Every per-sequence cache still sees 7,000 sequences.
 */
async function bigProject(): Promise<TestProject> {
  const made = await makeProject({ sim: { latencyMs: 0, animaticWidth: 64, animaticHeight: 64 } });
  const sequences = Array.from({ length: count }, (_, i) => ({
    id: id(i + 1),
    section: 'verse',
    title: `Beat ${i + 1}`,
    elements: [],
    shots: [{ prompt: 'A lone figure walks through neon rain.', duration: 3 }],
  }));
  await made.write('plan.json', `${JSON.stringify({ title: 'Big plan', sequences }, null, 2)}\n`);
  await made.write('decisions.json', '{ "sequences": {} }\n');
  expect((await cg(made, ['build', id(1)])).code).toBe(0);
  expect((await cg(made, ['build'])).code).toBe(0);
  return made;
}

const entries = (document: SequencesDocument): Map<string, unknown> => new Map(document.sequences.map((sequence) => [sequence.id, sequence]));

describe('a plan of 7,000 sequences', () => {
  // One test: building the project takes half a minute.
  it('an edit in sequence 7,000 rebuilds exactly that take; a torn or garbled cache is ignored, written again and not trusted', async () => {
    const project = await bigProject();
    const before = entries(await project.readJson<SequencesDocument>('state/client/sequences.json'));
    await project.editJson<{ sequences: Array<{ shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      const shot = plan.sequences[count - 1]?.shots[0];
      if (shot !== undefined) shot.prompt = 'A lone figure runs through neon rain.';
    });
    const edit = await buildJson(project);
    expect(edit.code).toBe(0);
    expect(ran(edit.nodes)).toEqual([`${id(count)}:take`]);
    const after = entries(await project.readJson<SequencesDocument>('state/client/sequences.json'));
    expect(after.get(id(count))).toMatchObject({ takes: 2, currentTakes: [`${id(count)}_take002`], stale: false });
    after.delete(id(count));
    before.delete(id(count));
    expect(after).toEqual(before);
    expect((await cg(project, ['build'])).stdout).toMatch(/^Nothing to build: 14,?000 nodes up to date\.$/m);

    const sequencesJson = await project.read('state/client/sequences.json');
    for (const [file, damage] of [
      ['parsed.cache', 'truncate'],
      ['derived.jsonl', 'garble'],
      ['built.jsonl', 'truncate'],
      ['stat-cache.jsonl', 'garble'],
    ] as const) {
      const path = project.path('.cg', file);
      if (damage === 'truncate') await truncate(path, Math.floor((await readFile(path)).length / 2));
      else await writeFile(path, '{"facts": 7, "version": "x", "entries": [1, 2');
      const build = await cg(project, ['build']);
      expect(build.code, file).toBe(0);
      expect(build.stdout, file).toMatch(/^Nothing to build: 14,?000 nodes up to date\.$/m);
      const written = await readFile(path, 'utf8');
      // parsed.cache is a checksum line, then JSON.
      expect(() => JSON.parse(file === 'parsed.cache' ? written.slice(written.indexOf('\n') + 1) : written) as unknown, file).not.toThrow();
    }
    expect(await project.read('state/client/sequences.json')).toBe(sequencesJson);
    // A marker that names the wrong facts for a sequence is not believed for it.
    const marker = JSON.parse((await project.read('.cg/derived.jsonl')).split('\n')[0] ?? '') as { facts: Record<string, string> };
    marker.facts[id(5)] = 'not the hash of its facts';
    await project.write('.cg/derived.jsonl', `${JSON.stringify(marker)}\n`);
    await project.editJson<SequencesDocument>('state/client/sequences.json', (document) => {
      const entry = document.sequences.find((sequence) => sequence.id === id(5));
      if (entry !== undefined) entry.takes = 99;
    });
    expect((await cg(project, ['status', id(5), '--json'])).code).toBe(0);
    expect(await project.read('state/client/sequences.json')).toBe(sequencesJson);
  }, 300_000);
});
