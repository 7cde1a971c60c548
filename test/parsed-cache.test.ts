import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { applyPatch, patchOf } from '../src/plan/parse-patch.ts';
import { SequenceSchema } from '../src/plan/schema.ts';
import { buildJson, cg, makeProject, ran } from './helpers/project.ts';

/**
 * The parsed-files cache (.cg/parsed.cache, src/plan/load-project.ts) keeps each sequence of the
 * plan as the patch the schema made to it (src/plan/parse-patch.ts), so it stays small however
 * long the plan is. What it gives back must be exactly the schema's parse, and a damaged cache
 * must never be believed: a wrong parse changes keys, and keys decide what is paid for again.
 */
describe('the parsed-files cache', () => {
  it('gives back exactly what the schema made of a sequence: its defaults, its order of members, the value shared where it was kept', () => {
    const raw = { shots: [{ duration: 5, prompt: '  Slow push-in on @maya.  ' }], title: 'Beat 1', id: 'SEQ01', section: 'intro', elements: ['maya'] };
    const parsed = SequenceSchema.parse(raw);
    const patch = patchOf(raw, parsed);
    const again = applyPatch(JSON.parse(JSON.stringify(raw)), JSON.parse(JSON.stringify(patch)) as typeof patch);
    expect(JSON.stringify(again)).toBe(JSON.stringify(parsed));
    expect(again).toMatchObject({ mode: 'multi_shot', shots: [{ prompt: 'Slow push-in on @maya.' }] });
    // A sequence written as the schema would write it needs no patch.
    expect(patchOf(parsed, SequenceSchema.parse(parsed))).toBe(0);
    expect(() => applyPatch({ id: 'SEQ01' }, patch)).toThrow();
  });

  it('an edit builds the one sequence edited, and removes the parsed.json of earlier versions; a cache changed behind its checksum is not believed', async () => {
    const project = await makeProject();
    expect((await cg(project, ['build'])).code).toBe(0);
    const cacheFile = project.path('.cg', 'parsed.cache');
    const cache = await project.read('.cg/parsed.cache');
    expect(cache).toMatch(/^crc32:[0-9a-f]{8}\n\{/);
    expect(cache).toContain('"multi_shot"');

    // What an earlier version kept whole goes when the cache is next written.
    await project.write('.cg/parsed.json', '{"tag": "an earlier cg", "entries": {}}');
    await project.editJson<{ sequences: Array<{ id: string; shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      const shot = plan.sequences[1]?.shots[0];
      if (shot !== undefined) shot.prompt = `${shot.prompt} Rain on the lens.`;
    });
    const edited = await buildJson(project);
    expect(edited.code).toBe(0);
    const sequence = (await project.readJson<{ sequences: Array<{ id: string }> }>('plan.json')).sequences[1]?.id ?? '';
    expect(ran(edited.nodes).every((id) => id.startsWith(`${sequence}:`))).toBe(true);
    expect(ran(edited.nodes)).toContain(`${sequence}:take`);
    expect(existsSync(project.path('.cg', 'parsed.json'))).toBe(false);

    // Every sequence made "individual" by the cache, the checksum left as it was: a cache
    // that believed it would key every video again, and pay for each.
    await writeFile(cacheFile, (await project.read('.cg/parsed.cache')).replaceAll('"multi_shot"', '"individual"'));
    const dry = await buildJson(project, ['--dry-run']);
    expect(dry.code).toBe(0);
    expect(ran(dry.nodes)).toEqual([]);
    const build = await cg(project, ['build']);
    expect(build.stdout).toMatch(/^Nothing to build/m);
    expect(await project.read('.cg/parsed.cache')).not.toContain('"individual"');
  }, 120_000);
});
