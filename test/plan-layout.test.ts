import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { scanPlan, scanPlanFile } from '../src/plan/plan-layout.ts';
import { hashBytes } from '../src/util/hash.ts';
import { repoRoot } from './helpers/project.ts';

/**
 * plan.json's sequences found in its bytes (src/plan/plan-layout.ts): an edit build parses
 * only the sequences whose bytes changed, so each span must be exactly one sequence as
 * JSON.parse reads it, and any plan laid out otherwise must be left to the whole parse.
 */

const spansOf = (text: string): string[] | undefined => {
  const bytes = Buffer.from(text);
  const layout = scanPlan(bytes)?.layout;
  if (layout === undefined) return undefined;
  return Array.from({ length: layout.spans.length / 2 }, (_, i) => bytes.toString('utf8', layout.spans[2 * i], layout.spans[2 * i + 1]));
};

describe('the layout of plan.json', () => {
  it('cuts the demo plan into the sequences JSON.parse reads, however it is indented', () => {
    const text = readFileSync(join(repoRoot, 'projects', 'demo', 'plan.json'), 'utf8');
    const plan = JSON.parse(text) as { sequences: unknown[] };
    for (const written of [text, JSON.stringify(plan), JSON.stringify(plan, null, '\t')]) {
      expect(spansOf(written)?.map((span) => JSON.parse(span) as unknown)).toEqual(plan.sequences);
    }
  });

  it('reads strings as JSON does: quotes, brackets and the word "sequences" inside them, and elsewhere', () => {
    const tricky = {
      title: 'a "sequences": [ {not one} ] \\',
      song: { sequences: [{ id: 'inner' }] },
      sequences: [{ id: 'SEQ01', prompt: 'ends in a backslash \\', note: '}]{["\\"' }, { id: 'SEQ02', shots: [{ prompt: 'ünïcödé ✓ "quoted"' }] }],
      after: ['x', { y: '[' }],
    };
    expect(spansOf(JSON.stringify(tricky, null, 2))?.map((span) => JSON.parse(span) as unknown)).toEqual(tricky.sequences);
  });

  it('leaves any other layout to the whole parse', () => {
    const cases = [
      '[{"sequences": []}]', // not an object at the top
      '{"sequences": {}}', // not an array
      '{"sequences": [1, {"id": "A"}]}', // an element that is not a sequence
      '{"sequences": [{"id": "A"} {"id": "B"}]}', // a missing comma
      '{"sequences": [{"id": "A"},, {"id": "B"}]}', // a comma too many
      '{"sequences": [{"id": "A"},]}', // a trailing comma
      '{"sequences": [{"id": "A"}], "sequences": []}', // written twice
      '{"sequences": [{"id": "A"}]} {}', // something after the plan
      '{"sequences": [{"id": "A}]}', // a string that never ends
      '{"title": "no sequences"}',
    ];
    for (const text of cases) expect(spansOf(text), text).toBeUndefined();
    expect(spansOf('{"sequences": []}')).toEqual([]);
  });

  it('finds the same in a file read through windows of any size: layout, hashes, the bytes around the sequences', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-layout-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const text = readFileSync(join(repoRoot, 'projects', 'demo', 'plan.json'), 'utf8');
    const plan = JSON.parse(text) as { sequences: unknown[] };
    const tricky = { title: 'a "sequences": [ {not one} ] \\', sequences: [{ id: 'SEQ01', note: '}]{["\\"' }, { id: 'SEQ02' }], after: ['x', { y: '[' }] };
    const written = [text, JSON.stringify(plan), JSON.stringify(tricky, null, 2), '{"sequences": []}', '{"sequences": [{"id": "A"},]}', '\uFEFF{"sequences": []}'];
    for (const [i, content] of written.entries()) {
      const file = join(dir, `plan${i}.json`);
      writeFileSync(file, content);
      const bytes = readFileSync(file);
      const whole = scanPlan(bytes);
      for (const windowSize of [7, 64, 1000, 1 << 18]) {
        const read = scanPlanFile(file, windowSize);
        expect(read.hash).toBe(hashBytes(bytes));
        expect(read.scan, `${i} in windows of ${windowSize}`).toEqual(whole);
      }
      if (whole !== undefined) {
        expect(whole.head.toString()).toBe(bytes.toString('utf8', 0, whole.layout.open + 1));
        expect(whole.tail.toString()).toBe(bytes.toString('utf8', whole.layout.close));
      }
    }
  });
});
