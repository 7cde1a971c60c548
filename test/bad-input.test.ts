import { mkdir, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cg, makeProject, snapshotTree, type TestProject } from './helpers/project.ts';

interface PlanShape {
  sequences: Array<{ id: string; elements: string[]; shots: Array<Record<string, unknown>>; mode?: string; grid?: unknown }>;
}
interface BibleShape {
  elements: Record<string, Record<string, unknown>>;
}

interface Case {
  name: string;
  /** Mutates the fresh copy of the demo. */
  break: (project: TestProject) => Promise<void>;
  config?: Record<string, unknown>;
  /** Every one of these must appear in stderr: the file, the JSON path, the gist of the fix. */
  says: string[];
}

const plan = (change: (p: PlanShape) => void) => (project: TestProject) => project.editJson<PlanShape>('plan.json', change);
const bible = (change: (b: BibleShape) => void) => (project: TestProject) => project.editJson<BibleShape>('bible.json', change);
const seq = (p: PlanShape, i: number): PlanShape['sequences'][number] => {
  const found = p.sequences[i];
  if (found === undefined) throw new Error('the demo has fewer sequences than this test expects');
  return found;
};

const cases: Case[] = [
  {
    name: 'plan.json is not JSON',
    break: async (project) => project.write('plan.json', (await project.read('plan.json')).replace('"sequences": [', '"sequences": [,')),
    says: ['projects/demo/plan.json:', 'not valid JSON'],
  },
  {
    name: 'bible.json is not JSON',
    break: async (project) => project.write('bible.json', '{ "elements": { "maya": } }'),
    says: ['projects/demo/bible.json:1:', 'not valid JSON'],
  },
  { name: 'an unknown field', break: plan((p) => (seq(p, 3).shots[0] = { promt: 'x', duration: 5 })), says: ['plan.json:', 'sequences[3].shots[0].promt', 'unknown field "promt"', 'fields here are: prompt, duration'] },
  { name: 'a missing field', break: plan((p) => delete seq(p, 0).shots[0]?.['prompt']), says: ['sequences[0].shots[0].prompt', 'missing required field "prompt"'] },
  { name: 'duplicate sequence ids', break: plan((p) => (seq(p, 1).id = 'SEQ01')), says: ['sequences[1].id', 'duplicate sequence id "SEQ01"'] },
  { name: 'a sequence with no shots', break: plan((p) => (seq(p, 2).shots = [])), says: ['sequences[2].shots', 'at least one shot'] },
  { name: 'an unknown element', break: plan((p) => seq(p, 3).elements.push('bob')), says: ['sequences[3].elements[0]', 'unknown element "bob"', 'bible.json'] },
  {
    name: "an element whose ref folder is missing",
    break: async (project) => rm(project.path('refs', 'props', 'guitar'), { recursive: true }),
    says: ['projects/demo/bible.json', 'elements.guitar', 'refs/props/guitar/'],
  },
  {
    name: 'an element whose ref folder is empty',
    break: async (project) => {
      await rm(project.path('refs', 'props', 'guitar'), { recursive: true });
      await mkdir(project.path('refs', 'props', 'guitar'));
      await writeFile(project.path('refs', 'props', 'guitar', 'notes.txt'), 'no images here');
    },
    says: ['elements.guitar', 'no images in refs/props/guitar/'],
  },
  { name: 'a duration that is not whole seconds', break: plan((p) => (seq(p, 0).shots[0] = { prompt: 'x', duration: '5s' })), says: ['sequences[0].shots[0].duration', 'whole seconds'] },
  { name: 'shots adding up to more than a clip', break: plan((p) => seq(p, 1).shots.forEach((s) => (s['duration'] = 5))), says: ['sequences[1].shots', 'add up to 20 s', '3–15 s'] },
  { name: 'an individual shot too short for a clip', break: plan((p) => (seq(p, 7).shots[0] = { prompt: 'x', duration: 2 })), says: ['sequences[7].shots[0].duration', 'individual-mode shot', '3–15 s'] },
  {
    name: 'more than six shots in one multi-shot call',
    break: plan((p) => (seq(p, 3).shots = Array.from({ length: 7 }, () => ({ prompt: 'wide shot', duration: 2 })))),
    says: ['sequences[3].shots', 'at most 6', 'individual'],
  },
  { name: 'an unknown image model', config: { image: { model: 'dall-e-3' } }, break: async () => {}, says: ['pipeline.config.ts', 'image.model', 'gemini-2.5-flash-image'] },
  { name: 'an element id that could escape its folder', break: plan((p) => (seq(p, 3).elements = ['../../etc'])), says: ['sequences[3].elements[0]', 'names a folder under refs/'] },
  { name: 'a bible id that could escape its folder', break: bible((b) => (b.elements['../x'] = { kind: 'prop', name: 'X', description: 'x' })), says: ['bible.json', 'elements', 'names a folder under refs/'] },
  {
    name: 'a decision for an unknown sequence',
    break: async (project) => project.write('decisions.json', JSON.stringify({ sequences: { SEQ99: { approved: 'SEQ99_take001' } } })),
    says: ['projects/demo/decisions.json', 'sequences.SEQ99', 'unknown sequence "SEQ99"'],
  },
  {
    name: 'a decision naming a take that does not exist',
    break: async (project) => project.write('decisions.json', JSON.stringify({ sequences: { SEQ02: { approved: 'SEQ02_take007' } } })),
    says: ['decisions.json', 'sequences.SEQ02.approved', 'unknown take "SEQ02_take007"'],
  },
  {
    name: 'a pick of a cell the grid does not have',
    break: async (project) => project.write('decisions.json', JSON.stringify({ sequences: { SEQ01: { pick: { grid: `sha256:${'a'.repeat(64)}`, cell: 5 } } } })),
    says: ['decisions.json', 'sequences.SEQ01.pick.cell', 'cells 1–4'],
  },
  { name: 'a prompt mentioning an element the sequence does not list', break: plan((p) => (seq(p, 3).shots[0] = { prompt: 'wide shot of @maya', duration: 3 })), says: ['sequences[3].shots[0].prompt', '@maya', 'not in this sequence'] },
  { name: 'an unknown element kind', break: bible((b) => (b.elements['maya'] = { kind: 'person', name: 'Maya', description: 'x' })), says: ['bible.json', 'elements.maya.kind', '"character", "prop"'] },
  { name: 'an unknown provider', config: { providers: { video: 'runway' } }, break: async () => {}, says: ['pipeline.config.ts', 'providers.video', '"sim", "fal"'] },
];

describe('bad input: one sentence per mistake naming file and path, exit 2, nothing written', () => {
  it.each(cases)('$name', async (testCase) => {
    const project = await makeProject(testCase.config ?? {});
    await testCase.break(project);
    const before = await snapshotTree(project.dir);
    for (const args of [['build'], ['build', '--dry-run'], ['status']]) {
      const run = await cg(project, args);
      expect(run.code).toBe(2);
      for (const text of testCase.says) expect(run.stderr).toContain(text);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(run.stdout).toBe('');
    }
    expect(await snapshotTree(project.dir)).toEqual(before);
  });

  it('reports every mistake in one run, not just the first', async () => {
    const project = await makeProject();
    await plan((p) => {
      seq(p, 0).shots[0] = { prompt: 'x', duration: '5s' };
      seq(p, 4).mode = 'single';
    })(project);
    const run = await cg(project, ['build']);
    expect(run.stderr).toContain('2 mistakes');
  });

  it('an unknown sequence or project is a usage error naming what exists', async () => {
    const project = await makeProject();
    const sequence = await cg(project, ['build', 'SEQ99']);
    expect(sequence.code).toBe(2);
    expect(sequence.stderr).toContain('unknown sequence or node "SEQ99": the plan has SEQ01, SEQ02');
    const other = await cg(project, ['status', '--project', 'nope']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('no project "nope" in projects/ (there: demo)');
    const flag = await cg(project, ['build', '--frobnicate']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Unknown argument: frobnicate');
  });
});
