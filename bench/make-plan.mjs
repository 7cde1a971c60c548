// Generates large, valid clipgraph plans for the benchmark (bench/run.mjs).
//
//   node bench/make-plan.mjs <sequences> [out.json] [period]   prints (or writes) one plan.json
//
// Deterministic: the same count gives the same plan, byte for byte. Every sequence has
// 5 shots of 3 s (15 s, the most one multi-shot call takes); prompts vary with the index;
// ~30% of the sequences explore a start frame with a grid; about two thirds list 1–3
// elements of the demo's bible (never over the cap, so builds print no cap warning), and
// the prompts mention only those as @id (src/plan/rules.ts).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHOTS_PER_SEQUENCE = 5;
export const SECONDS_PER_SHOT = 3;

/** The demo bible's element ids (projects/demo/bible.json). */
const characters = ['maya', 'theo', 'juno'];
const props = ['neon_car', 'guitar', 'neon_sign'];

const sections = ['intro', 'verse', 'pre-chorus', 'chorus', 'verse', 'pre-chorus', 'chorus', 'bridge', 'breakdown', 'chorus', 'outro'];
const cameras = [
  'Slow push-in',
  'Low tracking shot',
  'Top-down crane shot',
  'Static wide shot',
  'Handheld close-up',
  'Whip pan',
  'Dolly zoom',
  'Over-the-shoulder shot',
  'Aerial drone pass',
  'Extreme close-up',
  'Dutch-angle medium shot',
  'Steadicam follow',
];
const places = [
  'a rain-slick neon street',
  'an empty diner at 3 a.m.',
  'a rooftop above the city',
  'a flooded underpass',
  'a laundromat glowing teal',
  'a motel parking lot',
  'a subway platform',
  'a foggy pier',
  'a karaoke bar backroom',
  'a highway overpass at dusk',
  'a record store after closing',
  'a tunnel of flickering lights',
  'a car wash in slow motion',
];
const lights = [
  'magenta and teal palette',
  'hard sodium-vapour light',
  'soft pink rim light',
  'strobing white flashes',
  'cold blue moonlight',
  'warm tungsten practicals',
  'green fluorescent hum',
];
const actions = [
  'sings the line straight to camera',
  'turns away as the beat drops',
  'walks through puddles in rhythm',
  'laughs and looks up at the rain',
  'leans on the wall, eyes closed',
  'spins once under the light',
  'taps the rhythm on the window',
];
const lenses = ['35mm anamorphic lens', '50mm shallow depth of field', '24mm wide angle', '85mm portrait lens', '16mm film grain'];

const pick = (list, n) => list[n % list.length];

/** 0–3 element ids for sequence i: about two thirds have some; a grid sequence keeps ≤3 (the cap with a start frame). */
function elementsFor(i) {
  const count = i % 3 === 2 ? 0 : 1 + (i % 7) % 3;
  const ids = [];
  if (count >= 1) ids.push(pick(characters, i));
  if (count >= 2) ids.push(pick(props, Math.floor(i / 3)));
  if (count >= 3) ids.push(pick(characters, i + 1));
  return ids;
}

function shotPrompt(i, shot, elements) {
  const n = i * SHOTS_PER_SEQUENCE + shot;
  const who = elements.length === 0 ? 'A lone figure' : `@${elements[shot % elements.length]}`;
  const also = elements.length > 1 && shot % 2 === 1 ? ` with @${elements[(shot + 1) % elements.length]} in the background` : '';
  return `${pick(cameras, n)} in ${pick(places, n + i)}: ${who} ${pick(actions, n + 2 * i)}${also}, ${pick(lights, n + 3 * i)}, ${pick(lenses, n)}. Beat ${i + 1}.${shot + 1}.`;
}

/** The sequence id: SEQ01…SEQ99, SEQ00100…; always at least 2 digits, wide enough for the count. */
export function sequenceId(i, count) {
  const width = Math.max(2, String(count).length);
  return `SEQ${String(i + 1).padStart(width, '0')}`;
}

export function hasGrid(i) {
  return i % 10 === 0 || i % 10 === 3 || i % 10 === 7; // 30%
}

/**
 * A plan of `count` sequences. With `period`, sequence i has the content (elements, grid, prompts)
 * of sequence i % period, so its nodes have the same keys: a cache built for the first `period`
 * sequences serves them all (bench/run.mjs uses that to reach a built 10,000-sequence project
 * without drawing 10,000 animations). Ids and titles always differ; they are not in any key.
 */
export function makePlan(count, { period = count } = {}) {
  const sequences = [];
  for (let i = 0; i < count; i++) {
    const k = i % period;
    const elements = elementsFor(k);
    const sequence = {
      id: sequenceId(i, count),
      section: pick(sections, k),
      title: `Beat ${i + 1}: ${pick(places, k)}`,
      elements,
    };
    if (hasGrid(k)) {
      const cast = elements.map((id) => `@${id}`).join(' and ');
      sequence.grid = {
        prompt: `Wide film still of ${pick(places, k)}${cast === '' ? '' : `, ${cast} in frame`}, ${pick(lights, k)}, anamorphic 16:9 framing, variation ${k + 1}.`,
      };
    }
    sequence.shots = Array.from({ length: SHOTS_PER_SEQUENCE }, (_, shot) => ({ prompt: shotPrompt(k, shot, elements), duration: SECONDS_PER_SHOT }));
    sequences.push(sequence);
  }
  return {
    title: `Benchmark plan: ${count} sequences`,
    client: 'clipgraph bench',
    song: { title: 'Afterglow Avenue (extended)', artist: 'The Static Hearts' },
    sequences,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2] ?? 12);
  if (!Number.isInteger(count) || count < 1) {
    process.stderr.write('usage: node bench/make-plan.mjs <sequences> [out.json]\n');
    process.exit(2);
  }
  const period = process.argv[4] === undefined ? count : Number(process.argv[4]);
  const text = `${JSON.stringify(makePlan(count, { period }), null, 2)}\n`;
  if (process.argv[3] === undefined) process.stdout.write(text);
  else writeFileSync(process.argv[3], text);
}
