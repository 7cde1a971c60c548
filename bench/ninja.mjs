// ninja as the yardstick: a build.ninja with the nodes and edges of a bench project's cg graph.
//
// Per sequence of the plan (bench/make-plan.mjs): `elements` (from the element's reference images
// and bible.json), a `grid` when the sequence has one (the same inputs) and its `frame` (the grid
// and decisions.json), and the `take` (elements, the frame if any, plan.json). Every edge is
// `touch $out` into ninja/out/: ninja builds it once, then its no-op and `-n` are what is timed,
// next to cg's no-op and --dry-run on the same project.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ninjaPath = (() => {
  const found = spawnSync('sh', ['-c', 'command -v ninja'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
})();

const refsOf = (projectDir, bible, id) => {
  const kind = bible.elements[id]?.kind === 'prop' ? 'props' : 'characters';
  const folder = join('refs', kind, id);
  return readdirSync(join(projectDir, folder)).sort().map((name) => `../${folder}/${name}`);
};

/** Writes <project>/ninja/build.ninja (the folder is the build directory); returns its edge count. */
export function writeNinja(projectDir) {
  const plan = JSON.parse(readFileSync(join(projectDir, 'plan.json'), 'utf8'));
  const bible = JSON.parse(readFileSync(join(projectDir, 'bible.json'), 'utf8'));
  const refs = new Map(Object.keys(bible.elements).map((id) => [id, refsOf(projectDir, bible, id)]));
  const lines = ['rule touch', '  command = touch $out', ''];
  let edges = 0;
  const edge = (out, inputs) => {
    lines.push(`build out/${out}: touch ${inputs.join(' ')}`);
    edges++;
  };
  for (const sequence of plan.sequences) {
    const elementRefs = [...new Set((sequence.elements ?? []).flatMap((id) => refs.get(id) ?? []))];
    edge(`${sequence.id}.elements`, [...elementRefs, '../bible.json', '../plan.json']);
    const takeInputs = [`out/${sequence.id}.elements`, '../plan.json'];
    if (sequence.grid !== undefined) {
      edge(`${sequence.id}.grid`, [...elementRefs, '../bible.json', '../plan.json']);
      edge(`${sequence.id}.frame`, [`out/${sequence.id}.grid`, '../decisions.json']);
      takeInputs.push(`out/${sequence.id}.frame`);
    }
    edge(`${sequence.id}.take`, takeInputs);
  }
  const dir = join(projectDir, 'ninja');
  mkdirSync(dir, { recursive: true });
  const text = `${lines.join('\n')}\n`;
  const file = join(dir, 'build.ninja');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  return { dir, edges };
}

/** Builds everything once (ninja's first build), so that the next runs are no-ops. */
export function ninjaBuild(dir, jobs) {
  const result = spawnSync(ninjaPath, ['-C', dir, '-j', String(jobs)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`ninja failed in ${dir}: ${result.stderr || result.stdout.slice(-2000)}`);
}
