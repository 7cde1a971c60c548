import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cg, makeProject, snapshotTree, type TestProject } from './helpers/project.ts';

interface PlanShape {
  sequences: Array<{ id: string; elements: string[]; shots: Array<Record<string, unknown>>; mode?: string; grid?: unknown }>;
  [field: string]: unknown;
}
interface BibleShape {
  elements: Record<string, Record<string, unknown>>;
}

interface Case {
  name: string;
  /** Breaks a fresh copy of the demo whose caches and derived state are already written. */
  break: (project: TestProject) => Promise<void>;
  /** Targets or flags given to every command (default: none). */
  args?: string[];
  /** The one line stderr must hold, whole, with paths from the config root. */
  line: string;
  /** Also run through `cg build --dry-run` and `cg status`, which read the project the same way. */
  everyCommand?: true;
}

const plan = (change: (p: PlanShape) => void) => (project: TestProject) => project.editJson<PlanShape>('plan.json', change);
const bible = (change: (b: BibleShape) => void) => (project: TestProject) => project.editJson<BibleShape>('bible.json', change);
const seq = (p: PlanShape, i: number): PlanShape['sequences'][number] => {
  const found = p.sequences[i];
  if (found === undefined) throw new Error('the demo has fewer sequences than this test expects');
  return found;
};
/** Replaces the first `from` in a project file with `to`; fails loudly when the demo no longer has `from`. */
const edit = (file: string, from: string, to: string) => async (project: TestProject) => {
  const text = await project.read(file);
  if (!text.includes(from)) throw new Error(`${file} no longer holds ${from}`);
  await project.write(file, text.replace(from, to));
};
const decisions = (value: unknown) => (project: TestProject) => project.write('decisions.json', JSON.stringify(value));
const config = (text: string) => (project: TestProject) => writeFile(join(project.root, 'pipeline.config.ts'), text);
const refFile = (folder: string, name: string, bytes: string) => (project: TestProject) => writeFile(project.path('refs', folder, name), bytes);
const folderAt = (file: string) => async (project: TestProject) => {
  await rm(project.path(file), { force: true });
  await mkdir(project.path(file));
};
const fileAt = (where: (project: TestProject) => string) => async (project: TestProject) => {
  const path = where(project);
  await rm(path, { recursive: true });
  await writeFile(path, 'not a folder\n');
};
const P = 'projects/demo';

const cases: Case[] = [
  // plan.json: syntax
  { name: 'plan.json is not JSON', everyCommand: true, break: edit('plan.json', '"sequences": [', '"sequences": [,'), line: `${P}/plan.json:6:17 sequences[0]: not valid JSON: expected a value here: write text in double quotes, a number, true, false, null, { } or [ ]` },
  { name: 'a trailing comma in an object', break: edit('plan.json', '"duration": 4\n', '"duration": 4,\n'), line: `${P}/plan.json:19:24 sequences[0].shots[0]: not valid JSON: a comma before "}": remove the trailing comma` },
  { name: 'a trailing comma in a list', break: edit('plan.json', '"neon_car"],', '"neon_car",],'), line: `${P}/plan.json:12:43 sequences[0].elements: not valid JSON: a comma before "]": remove the trailing comma` },
  { name: 'a missing comma', break: edit('plan.json', '"section": "intro",', '"section": "intro"'), line: `${P}/plan.json:10:7 sequences[0].time: not valid JSON: a comma is missing before this: put "," between the two entries` },
  { name: 'a comment in plan.json', break: edit('plan.json', '"sequences": [', '// the song\n  "sequences": ['), line: `${P}/plan.json:6:3: not valid JSON: JSON has no comments: remove the comment` },
  { name: 'single quotes', break: edit('plan.json', '"section": "intro"', `"section": 'intro'`), line: `${P}/plan.json:9:18 sequences[0].section: not valid JSON: this is not JSON: text goes in double quotes ("wide shot"), numbers and true/false/null without` },
  { name: 'a plan.json cut short', break: async (project) => project.write('plan.json', (await project.read('plan.json')).slice(0, 400)), line: `${P}/plan.json:12:18 sequences[0].elements: not valid JSON: the file ends before the JSON does (cut short?): restore the rest, or close every open { and [` },
  { name: 'an empty plan.json', break: async (project) => project.write('plan.json', ''), line: `${P}/plan.json:1:1: the file is empty: write the JSON object it should hold (cg init NAME writes a template project)` },
  { name: 'plan.json is a folder', everyCommand: true, break: folderAt('plan.json'), line: `${P}/plan.json: is a folder, but it should be a file: move the folder away and write plan.json there` },
  { name: 'plan.json is missing', break: async (project) => rm(project.path('plan.json')), line: `${P}/plan.json: does not exist: create it (cg init NAME writes a template project)` },
  // plan.json: shape
  { name: 'a title that is a number', break: plan((p) => (p['title'] = 5)), line: `${P}/plan.json:3:12 title: expected text in quotes, got 5` },
  { name: 'sequences that are not a list', break: plan((p) => Object.assign(p, { sequences: { SEQ01: {} } })), line: `${P}/plan.json:10:16 sequences: expected a list [ … ], got an object` },
  { name: 'an unknown field in a shot', everyCommand: true, break: plan((p) => (seq(p, 3).shots[0] = { promt: 'x', duration: 5 })), line: `${P}/plan.json:118:11 sequences[3].shots[0].promt: unknown field "promt"; fields here are: prompt, duration: remove it or fix its spelling` },
  { name: 'an unknown top-level field', break: plan((p) => (p['tittle'] = 'x')), line: `${P}/plan.json:387:3 tittle: unknown field "tittle"; fields here are: $schema, title, client, song, sequences: remove it or fix its spelling` },
  { name: 'a missing field', break: plan((p) => delete seq(p, 0).shots[0]?.['prompt']), line: `${P}/plan.json:27:9 sequences[0].shots[0].prompt: missing required field "prompt": add it` },
  { name: 'a field written twice', break: edit('plan.json', '"duration": 4\n', '"duration": 4,\n          "duration": 5\n'), line: `${P}/plan.json:20:11 sequences[0].shots[0].duration: "duration" is written twice in one object (also line 19), and JSON keeps only the last: remove or rename one` },
  { name: 'duplicate sequence ids', break: plan((p) => (seq(p, 1).id = 'SEQ01')), line: `${P}/plan.json:46:13 sequences[1].id: duplicate sequence id "SEQ01" (also sequences[0]): give each sequence its own id` },
  { name: 'a sequence with no shots', break: plan((p) => (seq(p, 2).shots = [])), line: `${P}/plan.json:91:16 sequences[2].shots: a sequence needs at least one shot` },
  { name: 'an unknown mode', break: plan((p) => (seq(p, 4).mode = 'single')), line: `${P}/plan.json:172:15 sequences[4].mode: expected one of "multi_shot", "individual", got "single"` },
  { name: 'an unknown element', everyCommand: true, break: plan((p) => seq(p, 3).elements.push('bob')), line: `${P}/plan.json:115:9 sequences[3].elements[0]: unknown element "bob": add it to bible.json "elements" or use one of: maya, theo, juno, neon_car, guitar, neon_sign` },
  { name: 'a prompt mentioning an element the sequence does not list', break: plan((p) => (seq(p, 3).shots[0] = { prompt: 'wide shot of @maya', duration: 3 })), line: `${P}/plan.json:118:21 sequences[3].shots[0].prompt: the prompt mentions @maya, which is not in this sequence's "elements": add "maya" there or remove the mention` },
  { name: 'an element id that could escape its folder', break: plan((p) => (seq(p, 3).elements = ['../../etc'])), line: `${P}/plan.json:115:9 sequences[3].elements[0]: an element id is lower-case letters, digits, "-" or "_", starting with a letter (it names a folder under refs/); got "../../etc"` },
  // durations
  { name: 'a duration of 0', everyCommand: true, break: plan((p) => (seq(p, 0).shots[0] = { prompt: 'x', duration: 0 })), line: `${P}/plan.json:29:23 sequences[0].shots[0].duration: a duration is whole seconds, written 5 or "5"; got 0` },
  { name: 'a duration of 16 s', break: plan((p) => (seq(p, 7).shots[0] = { prompt: 'x', duration: 16 })), line: `${P}/plan.json:248:23 sequences[7].shots[0].duration: an individual-mode shot is one Kling O3 clip of 3–15 s, got 16 s: change the duration` },
  { name: 'a duration of 2.5 s', break: plan((p) => (seq(p, 0).shots[0] = { prompt: 'x', duration: 2.5 })), line: `${P}/plan.json:29:23 sequences[0].shots[0].duration: a duration is whole seconds, written 5 or "5"; got 2.5` },
  { name: 'a duration of "5s"', break: plan((p) => (seq(p, 0).shots[0] = { prompt: 'x', duration: '5s' })), line: `${P}/plan.json:29:23 sequences[0].shots[0].duration: a duration is whole seconds, written 5 or "5"; got "5s"` },
  { name: 'shots adding up to more than a clip', break: plan((p) => seq(p, 1).shots.forEach((s) => (s['duration'] = 5))), line: `${P}/plan.json:57:16 sequences[1].shots: SEQ02's shots add up to 20 s, but a multi-shot clip is 3–15 s: change the durations or set "mode": "individual"` },
  { name: 'an individual shot too short for a clip', break: plan((p) => (seq(p, 7).shots[0] = { prompt: 'x', duration: 2 })), line: `${P}/plan.json:248:23 sequences[7].shots[0].duration: an individual-mode shot is one Kling O3 clip of 3–15 s, got 2 s: change the duration` },
  { name: 'more than six shots in one multi-shot call', break: plan((p) => (seq(p, 3).shots = Array.from({ length: 7 }, () => ({ prompt: 'wide shot', duration: 2 })))), line: `${P}/plan.json:116:16 sequences[3].shots: SEQ04 has 7 shots but one multi-shot call takes at most 6: split the sequence or set "mode": "individual"` },
  // bible.json
  { name: 'bible.json is not JSON', break: async (project) => project.write('bible.json', '{ "elements": { "maya": } }'), line: `${P}/bible.json:1:25 elements.maya: not valid JSON: expected a value here: write text in double quotes, a number, true, false, null, { } or [ ]` },
  { name: 'a trailing comma in bible.json', break: edit('bible.json', 'black jeans."\n', 'black jeans.",\n'), line: `${P}/bible.json:7:190 elements.maya: not valid JSON: a comma before "}": remove the trailing comma` },
  { name: 'an element defined twice', break: edit('bible.json', '"theo": {', '"maya": {'), line: `${P}/bible.json:9:5 elements.maya: "maya" is written twice in one object (also line 4), and JSON keeps only the last: remove or rename one` },
  { name: 'an unknown element kind', break: bible((b) => (b.elements['maya'] = { kind: 'person', name: 'Maya', description: 'x' })), line: `${P}/bible.json:5:15 elements.maya.kind: expected one of "character", "prop", got "person"` },
  { name: 'a misspelt element field', break: bible((b) => (b.elements['juno'] = { kind: 'character', name: 'Juno', descripton: 'x' })), line: `${P}/bible.json:17:7 elements.juno.descripton: unknown field "descripton"; fields here are: kind, name, description: remove it or fix its spelling` },
  { name: 'elements that are a list', break: async (project) => project.write('bible.json', '{ "elements": [] }\n'), line: `${P}/bible.json:1:15 elements: expected an object { … }, got a list` },
  { name: 'a bible id that could escape its folder', break: bible((b) => (b.elements['../x'] = { kind: 'prop', name: 'X', description: 'x' })), line: `${P}/bible.json:34:13 elements["../x"]: the key "../x" is not allowed: an element id is lower-case letters, digits, "-" or "_", starting with a letter (it names a folder under refs/)` },
  { name: 'bible.json is missing', break: async (project) => rm(project.path('bible.json')), line: `${P}/bible.json: does not exist: create it (cg init NAME writes a template project)` },
  // refs
  { name: "an element's ref folder is missing", break: async (project) => rm(project.path('refs', 'props', 'guitar'), { recursive: true }), line: `${P}/bible.json:24:15 elements.guitar: prop "guitar" has no reference folder refs/props/guitar/: create it with at least one image (.png, .jpg or .webp)` },
  {
    name: "an element's ref folder holds no image",
    break: async (project) => {
      await rm(project.path('refs', 'props', 'guitar'), { recursive: true });
      await mkdir(project.path('refs', 'props', 'guitar'));
      await writeFile(project.path('refs', 'props', 'guitar', 'notes.txt'), 'no images here');
    },
    line: `${P}/bible.json:24:15 elements.guitar: prop "guitar" has no images in refs/props/guitar/: add at least one .png, .jpg or .webp`,
  },
  { name: 'a text file named like an image among the refs', everyCommand: true, break: refFile('characters/maya', 'zzz.png', 'this is not a picture\n'), line: `${P}/refs/characters/maya/zzz.png: is not a PNG, JPEG or WebP image, whatever its name says: replace it with one, or move it out of refs/characters/maya/` },
  { name: 'an empty file named like an image', break: refFile('props/guitar', '00.jpg', ''), line: `${P}/refs/props/guitar/00.jpg: is not a PNG, JPEG or WebP image (it is empty): replace it with one, or move it out of refs/props/guitar/` },
  { name: 'a folder named like an image among the refs', break: async (project) => mkdir(project.path('refs', 'characters', 'theo', 'extra.png')), line: `${P}/refs/characters/theo/extra.png: is a folder, not an image: rename it or move it out of refs/characters/theo/` },
  { name: "a file where a character's ref folder should be", everyCommand: true, break: fileAt((project) => project.path('refs', 'characters', 'maya')), line: `${P}/refs/characters/maya: is a file, but it should be the folder of character "maya"'s reference images: move the file away` },
  { name: 'a file where the refs folder should be', break: fileAt((project) => project.path('refs')), line: `${P}/refs: is a file, but it should be a folder, with the reference folders inside it: move the file away` },
  // decisions.json
  { name: 'decisions.json is corrupt', break: async (project) => project.write('decisions.json', '{ "sequences": { "SEQ01": { "final": tru } } }'), line: `${P}/decisions.json:1:38 sequences.SEQ01.final: not valid JSON: this is not JSON: text goes in double quotes ("wide shot"), numbers and true/false/null without` },
  { name: 'decisions.json starts with a byte-order mark', break: async (project) => project.write('decisions.json', '\uFEFF{ "sequences": {} }'), line: `${P}/decisions.json:1:1: starts with a byte-order mark (BOM): save it as UTF-8 without BOM` },
  { name: 'a decision for an unknown sequence', break: decisions({ sequences: { SEQ99: { approved: 'SEQ99_take001' } } }), line: `${P}/decisions.json:1:23 sequences.SEQ99: decision for unknown sequence "SEQ99": plan.json has SEQ01, SEQ02, SEQ03, SEQ04, SEQ05, SEQ06, SEQ07, SEQ08, SEQ09, SEQ10, SEQ11, SEQ12; remove it or fix the id` },
  { name: 'a decision naming a take that does not exist', everyCommand: true, break: decisions({ sequences: { SEQ02: { approved: 'SEQ02_take007' } } }), line: `${P}/decisions.json:1:35 sequences.SEQ02.approved: unknown take "SEQ02_take007": cg takes SEQ02 lists the takes that exist` },
  { name: "a decision naming another sequence's take", break: decisions({ sequences: { SEQ02: { rejected: ['SEQ03_take001'] } } }), line: `${P}/decisions.json:1:36 sequences.SEQ02.rejected[0]: take "SEQ03_take001" belongs to another sequence, not SEQ02: fix the take id` },
  { name: 'a pick of a cell the grid does not have', break: decisions({ sequences: { SEQ01: { pick: { grid: `sha256:${'a'.repeat(64)}`, cell: 5 } } } }), line: `${P}/decisions.json:1:120 sequences.SEQ01.pick.cell: cell 5 does not exist: a 2x2 grid has cells 1–4` },
  // plan.json: the song
  { name: 'a song that is not there', everyCommand: true, break: edit('plan.json', '"length": "3:24" }', '"length": "3:24", "file": "songs/final.m4a" }'), line: `${P}/plan.json:5:99 song.file: "songs/final.m4a" does not exist in the project folder: copy the song there or fix the name` },
  { name: 'a song outside the project', break: edit('plan.json', '"length": "3:24" }', '"length": "3:24", "file": "../../song.m4a" }'), line: `${P}/plan.json:5:99 song.file: "../../song.m4a" is outside the project: put the song in the project folder and name it relative to it, e.g. "song.m4a"` },
  {
    name: 'a song ffmpeg cannot read',
    everyCommand: true,
    break: async (project) => {
      await project.write('song.m4a', 'these are the lyrics, not the song\n');
      await edit('plan.json', '"length": "3:24" }', '"length": "3:24", "file": "song.m4a" }')(project);
    },
    line: `${P}/plan.json:5:99 song.file: "song.m4a" is not a song ffmpeg can read (moov atom not found): export it again as .m4a, .mp3 or .wav`,
  },
  // pipeline.config.ts
  { name: 'an unknown image model', break: config(`export default { image: { model: 'dall-e-3' } };\n`), line: `pipeline.config.ts image.model: expected one of "gemini-2.5-flash-image", "gemini-3-pro-image-preview", got "dall-e-3"` },
  { name: 'an unknown provider', break: config(`export default { providers: { video: 'runway' } };\n`), line: `pipeline.config.ts providers.video: expected one of "sim", "fal", got "runway"` },
  { name: 'a config value of the wrong type', break: config(`export default { grid: { rows: '2' } };\n`), line: `pipeline.config.ts grid.rows: expected a number, got "2"` },
  { name: 'an unknown config key', everyCommand: true, break: config(`export default { providrs: { video: 'fal' } };\n`), line: `pipeline.config.ts providrs: unknown field "providrs"; fields here are: defaultProject, projectsDir, providers, image, video, aspectRatio, grid, elementCap, concurrency, sim, endpoints, fal, retry, ffmpeg, cut, watch, prices, projects: remove it or fix its spelling` },
  // the command line and the folders
  { name: 'an unknown --project', everyCommand: true, args: ['--project', 'nope'], break: async () => {}, line: `cg: no project "nope" in projects/ (there: demo): pass --project NAME, or cg init nope to create it` },
  { name: 'an unknown target', everyCommand: true, args: ['SEQ99'], break: async () => {}, line: `cg: unknown sequence or node "SEQ99": the plan has SEQ01, SEQ02, SEQ03, SEQ04, SEQ05, SEQ06, SEQ07, SEQ08, SEQ09, SEQ10, SEQ11, SEQ12 (a node is written SEQ08:take, SEQ08:grid, SEQ08:shot03)` },
  { name: 'a file where the project folder should be', everyCommand: true, break: fileAt((project) => project.dir), line: `projects/demo: is a file, but it should be project demo's folder, holding plan.json, bible.json and refs/: move the file away` },
  { name: 'a file where the projects folder should be', break: fileAt((project) => join(project.root, 'projects')), line: `projects: is a file, but it should be the folder of projects (projectsDir in pipeline.config.ts): move the file away` },
];

/** stderr's lines without their indentation. */
const lines = (text: string): string[] => text.split('\n').map((line) => line.trim());

describe('bad input: exit 2, one line naming file, position and fix, and nothing written', () => {
  it('keeps at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('$name', async (testCase) => {
    const project = await makeProject();
    expect((await cg(project, ['status'])).code).toBe(0); // caches and derived state exist, as in a real project
    await testCase.break(project);
    const before = await snapshotTree(project.root);
    const args = testCase.args ?? [];
    for (const command of testCase.everyCommand ? [['build'], ['build', '--dry-run'], ['status']] : [['build']]) {
      const run = await cg(project, [...command, ...args]);
      expect({ command, code: run.code, stdout: run.stdout }).toEqual({ command, code: 2, stdout: '' });
      expect(lines(run.stderr)).toContain(testCase.line);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(await snapshotTree(project.root)).toEqual(before);
  });
});

describe('every mistake in one pass, in file order', () => {
  it('a schema mistake in one sequence does not hide a rule mistake in another', async () => {
    const project = await makeProject();
    await plan((p) => {
      seq(p, 0).shots[0] = { prompt: 'x', duration: 3, camera: 'dolly' };
      seq(p, 3).elements.push('bob');
    })(project);
    const run = await cg(project, ['build']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      [
        "cg: 2 mistakes in the project's files; nothing was run or written:",
        `  ${P}/plan.json:30:11 sequences[0].shots[0].camera: unknown field "camera"; fields here are: prompt, duration: remove it or fix its spelling`,
        `  ${P}/plan.json:116:9 sequences[3].elements[0]: unknown element "bob": add it to bible.json "elements" or use one of: maya, theo, juno, neon_car, guitar, neon_sign`,
        '',
      ].join('\n'),
    );
  });

  it('mistakes in all three files and the refs come out together, sorted by file, line and column', async () => {
    const project = await makeProject();
    await plan((p) => {
      seq(p, 4).mode = 'single';
      seq(p, 0).shots[0] = { prompt: 'x', duration: '5s' };
      seq(p, 2).shots[0] = { prompt: 'a wide shot of @bob', duration: 3 };
    })(project);
    await bible((b) => (b.elements['juno'] = { kind: 'drummer', name: 'Juno', description: 'x' }))(project);
    await decisions({ sequences: { SEQ02: { approved: 'SEQ02_take009' }, SEQ77: {} } })(project);
    await refFile('characters/maya', 'zzz.png', 'not an image')(project);
    const run = await cg(project, ['build', '--dry-run']);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      "cg: 7 mistakes in the project's files; nothing was run or written:",
      `${P}/bible.json:15:15 elements.juno.kind: expected one of "character", "prop", got "drummer"`,
      `${P}/decisions.json:1:35 sequences.SEQ02.approved: unknown take "SEQ02_take009": cg takes SEQ02 lists the takes that exist`,
      `${P}/decisions.json:1:60 sequences.SEQ77: decision for unknown sequence "SEQ77": plan.json has SEQ01, SEQ02, SEQ03, SEQ04, SEQ05, SEQ06, SEQ07, SEQ08, SEQ09, SEQ10, SEQ11, SEQ12; remove it or fix the id`,
      `${P}/plan.json:29:23 sequences[0].shots[0].duration: a duration is whole seconds, written 5 or "5"; got "5s"`,
      `${P}/plan.json:93:21 sequences[2].shots[0].prompt: the prompt mentions @bob, which is not in this sequence's "elements": add "bob" there or remove the mention`,
      `${P}/plan.json:172:15 sequences[4].mode: expected one of "multi_shot", "individual", got "single"`,
      `${P}/refs/characters/maya/zzz.png: is not a PNG, JPEG or WebP image, whatever its name says: replace it with one, or move it out of refs/characters/maya/`,
      '',
    ]);
  });
});

describe('a byte-order mark is not a mistake', () => {
  it('plan.json and bible.json saved with a BOM (as Windows editors do) build', async () => {
    const project = await makeProject();
    for (const file of ['plan.json', 'bible.json']) await project.write(file, `\uFEFF${await project.read(file)}`);
    const run = await cg(project, ['build', 'SEQ03']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  });
});
