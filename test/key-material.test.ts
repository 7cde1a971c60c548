import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../src/cli/workspace.ts';
import { describeChange } from '../src/graph/diff.ts';
import { elementsMaterial, frameMaterial, gridMaterial, keyOf, videoMaterial, withVariant, type KeyMaterial } from '../src/graph/key-material.ts';
import { canonicalJson, type BlobHash } from '../src/util/hash.ts';
import { makeProject, testIo } from './helpers/project.ts';

const someHash = `sha256:${'ab'.repeat(32)}` as BlobHash;

/** Every key material of a project's graph by node id (frames and takes given a stand-in start frame). */
async function graphMaterials(project: { root: string }): Promise<Array<[id: string, material: KeyMaterial]>> {
  const ws = await openWorkspace(testIo(project), undefined);
  const materials: Array<[string, KeyMaterial]> = [];
  for (const node of ws.graph.nodes.values()) {
    if (node.kind === 'elements') materials.push([node.id, elementsMaterial(node)]);
    if (node.kind === 'grid') materials.push([node.id, gridMaterial(node)]);
    if (node.kind === 'frame') materials.push([node.id, frameMaterial(node, someHash, 2)]);
    if (node.kind === 'take' || node.kind === 'shot') materials.push([node.id, videoMaterial(node, someHash, someHash)], [`${node.id} without a start frame`, videoMaterial(node, null, someHash)]);
  }
  return materials;
}

/** The same JSON with the members of every object in reverse order; arrays keep theirs. */
function reverseMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseMembers);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, member]) => [key, reverseMembers(member)]));
}

describe('node keys', () => {
  it('every material of the demo graph is built in canonical key order, so its key is sha256 of canonical JSON', async () => {
    const materials = (await graphMaterials(await makeProject())).map(([, material]) => material);
    expect(materials.length).toBeGreaterThan(40);
    for (const material of [...materials, ...materials.map((m) => withVariant(m, 2))]) {
      expect(JSON.stringify(material)).toBe(canonicalJson(material));
      expect(keyOf(material)).toBe(createHash('sha256').update(canonicalJson(material)).digest('hex'));
    }
  });

  it('keyOf hashes a material as built: the same members in another object order give another key (so compile must build them canonically)', () => {
    const built: KeyMaterial = { inputs: { grid: someHash }, params: { cell: 1, cols: 2, rows: 2 }, step: 'frame', version: 1 };
    const reordered = reverseMembers(built) as KeyMaterial;
    expect(canonicalJson(reordered)).toBe(canonicalJson(built));
    expect(keyOf(reordered)).not.toBe(keyOf(built));
  });

  it('the order in which a person wrote the members of plan.json and bible.json changes no key; the order of shots changes that take only', async () => {
    const project = await makeProject();
    const keys = async (): Promise<Map<string, string>> => new Map((await graphMaterials(project)).map(([id, material]) => [id, keyOf(material)]));
    const before = await keys();
    for (const file of ['plan.json', 'bible.json']) {
      await project.write(file, `${JSON.stringify(reverseMembers(await project.readJson(file)), null, 2)}\n`);
    }
    expect((await project.read('plan.json')).trimStart().startsWith('{\n  "sequences"')).toBe(true);
    expect(await keys()).toEqual(before);

    await project.editJson<{ sequences: Array<{ shots: unknown[] }> }>('plan.json', (plan) => {
      plan.sequences[0]?.shots.reverse();
    });
    const after = await keys();
    expect([...after].filter(([id, key]) => before.get(id) !== key).map(([id]) => id)).toEqual(['SEQ01:take', 'SEQ01:take without a start frame']);
  });
});

describe('explaining a change', () => {
  it('shows a long prompt from just before the first character that differs', () => {
    const base = 'Side profile of @Element1 in the driver\'s seat, her silver bob catching the passing neon light';
    const line = describeChange({ path: 'params.shots[1].prompt', before: base, after: `${base} at dawn` });
    expect(line).toMatch(/^shots\[1\]\.prompt: "….*neon light" → "….*neon light at dawn"$/);
  });
});
