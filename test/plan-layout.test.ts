import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLayout } from '../src/plan/plan-layout.ts';
import { repoRoot } from './helpers/project.ts';

/**
 * plan.json's sequences found in its bytes (src/plan/plan-layout.ts): an edit build parses
 * only the sequences whose bytes changed, so each span must be exactly one sequence as
 * JSON.parse reads it, and any plan laid out otherwise must be left to the whole parse.
 */

const spansOf = (text: string): string[] | undefined => {
  const bytes = Buffer.from(text);
  const layout = planLayout(bytes);
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
});
