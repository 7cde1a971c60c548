import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../src/cli/workspace.ts';
import { describeChange } from '../src/graph/diff.ts';
import { elementsMaterial, frameMaterial, gridMaterial, keyOf, videoMaterial, withVariant, type KeyMaterial } from '../src/graph/key-material.ts';
import { canonicalJson, computeKey, type BlobHash } from '../src/util/hash.ts';
import { makeProject, testIo } from './helpers/project.ts';

const someHash = `sha256:${'ab'.repeat(32)}` as BlobHash;

describe('node keys', () => {
  it('every material of the demo graph is built in canonical key order, so its key is sha256 of canonical JSON', async () => {
    const project = await makeProject();
    const ws = await openWorkspace(testIo(project), undefined);
    const materials: KeyMaterial[] = [];
    for (const node of ws.graph.nodes.values()) {
      if (node.kind === 'elements') materials.push(elementsMaterial(node));
      if (node.kind === 'grid') materials.push(gridMaterial(node));
      if (node.kind === 'frame') materials.push(frameMaterial(node, someHash, 2));
      if (node.kind === 'take' || node.kind === 'shot') materials.push(videoMaterial(node, someHash, someHash), videoMaterial(node, null, someHash));
    }
    expect(materials.length).toBeGreaterThan(40);
    for (const material of [...materials, ...materials.map((m) => withVariant(m, 2))]) {
      expect(JSON.stringify(material)).toBe(canonicalJson(material));
    }
  });

  it('a key does not depend on the order in which members were written', () => {
    const a = { inputs: { grid: someHash }, params: { cell: 1, cols: 2, rows: 2 }, step: 'frame', version: 1 };
    expect(keyOf(a)).toBe(computeKey(JSON.parse(canonicalJson({ version: 1, step: 'frame', params: { rows: 2, cols: 2, cell: 1 }, inputs: { grid: someHash } }))));
  });
});

describe('explaining a change', () => {
  it('shows a long prompt from just before the first character that differs', () => {
    const base = 'Side profile of @Element1 in the driver\'s seat, her silver bob catching the passing neon light';
    const line = describeChange({ path: 'params.shots[1].prompt', before: base, after: `${base} at dawn` });
    expect(line).toMatch(/^shots\[1\]\.prompt: "….*neon light" → "….*neon light at dawn"$/);
  });
});
