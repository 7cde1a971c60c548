import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cutNodes, timingWarnings } from '../src/graph/compile-cut.ts';
import type { SegmentNode } from '../src/graph/nodes.ts';
import { SequenceSchema } from '../src/plan/schema.ts';
import { drawAnimatic } from '../src/providers/sim/animatic.ts';
import { timingWarningText } from '../src/reporters/cut.ts';
import { runSegmentStep } from '../src/steps/segment.ts';
import type { BlobHash } from '../src/util/hash.ts';
import { ffmpeg, probeBytes } from './helpers/media.ts';

const sequence = (id: string, start: string, end: string, durations: number[]) =>
  SequenceSchema.parse({ id, section: 'verse', time: { start, end }, shots: durations.map((duration) => ({ prompt: 'a shot', duration })) });

const song = { file: 'song.m4a', path: '/p/song.m4a', hash: `sha256:${'0'.repeat(64)}` as BlobHash, durationSec: 60, codec: 'aac' };
const format = { width: 320, height: 180, fps: 24 };

describe('timing checks against the song', () => {
  it('names shots that do not fill their slot, overlaps, gaps and sequences past the song', () => {
    const plan = [sequence('SEQ01', '0:02', '0:20', [5, 5, 5]), sequence('SEQ02', '0:18', '0:30', [6, 6]), sequence('SEQ03', '0:40', '1:05', [10, 10])];
    expect(timingWarnings(plan, 60).map(timingWarningText)).toEqual([
      'no sequence covers 0:00–0:02 (before SEQ01): the cut shows a card there',
      'SEQ01: shots total 15 s, slot 0:02–0:20 is 18 s: 3 s will hold the last frame',
      'SEQ02 overlaps SEQ01 at 0:18–0:20: the cut starts SEQ02 where SEQ01 ends',
      'no sequence covers 0:30–0:40 (between SEQ02 and SEQ03): the cut shows a card there',
      'SEQ03: shots total 20 s, slot 0:40–1:05 is 25 s: 5 s will hold the last frame',
      'SEQ03 ends at 1:05, after the song (1:00): the cut stops with the song',
    ]);
  });

  it('lays segments edge to edge over the whole song, gaps filled by cards, in frames that add up to the song', () => {
    const plan = [sequence('SEQ01', '0:02', '0:20', [5, 5, 5]), sequence('SEQ02', '0:18', '0:30', [6, 6]), sequence('SEQ03', '0:40', '1:05', [10, 10])];
    const nodes = cutNodes({ title: 'T', sequences: plan, sources: new Map(), song, format, overlay: false });
    const segments = nodes.filter((node): node is SegmentNode => node.kind === 'segment');
    expect(segments.map((s) => [s.id, s.firstFrame, s.frames])).toEqual([
      ['CUT:gap01', 0, 48],
      ['SEQ01:segment', 48, 432],
      ['SEQ02:segment', 480, 240],
      ['CUT:gap02', 720, 240],
      ['SEQ03:segment', 960, 480],
    ]);
    expect(segments.reduce((sum, s) => sum + s.frames, 0)).toBe(60 * 24);
  });
});

describe('a segment from a take made before takes were MP4', () => {
  it('an animated WebP take renders into its slot, holding its last frame', { timeout: 60_000 }, async () => {
    const animatic = await drawAnimatic({ title: 'SEQ01', startFrame: undefined, shots: [{ prompt: 'a', durationSec: 2 }], width: 320, height: 180, seed: 's' });
    const { default: sharp } = await import('sharp');
    const { frames } = animatic;
    const webp = await sharp(frames.data, { raw: { width: frames.width, height: frames.height * frames.delays.length, channels: 3, pageHeight: frames.height } }).webp({ delay: [...frames.delays], loop: 0 }).toBuffer();
    const result = await runSegmentStep({ picture: 'take', pictures: [new Uint8Array(webp)], card: { heading: 'SEQ01', lines: [] }, label: null, format, frames: 72, ffmpeg, scratch: tmpdir() });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.notes).toEqual(['the take is 2 s, its slot 3 s: the last 1 s hold its last frame']);
    const info = await probeBytes(result.value.bytes);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 180 });
    expect(info.durationSec).toBeCloseTo(3, 1);
  });
});
