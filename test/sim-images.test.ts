import { describe, expect, it } from 'vitest';
import { drawSimGrid, drawSimImage, type SimGridRequest } from '../src/providers/sim/images.ts';
import { drawAnimatic, type AnimaticRequest } from '../src/providers/sim/animatic.ts';
import { gridCellRect } from '../src/providers/sim/grid-geometry.ts';
import { cropGridCell, imageSize, looksLikeGrid } from '../src/steps/grid-image.ts';
import { encoded, probeBytes } from './helpers/media.ts';

const { default: sharp } = await import('sharp');

const PROMPT = 'A lone cyclist crosses a rain-soaked neon bridge at dusk, wide shot, 35mm, cinematic';
const TIMEOUT = 30_000;

function gridRequest(overrides: Partial<SimGridRequest> = {}): SimGridRequest {
  return { prompt: PROMPT, rows: 2, cols: 2, width: 1344, height: 768, references: [], seed: 'seq01:1', ...overrides };
}

async function rawPixels(bytes: Uint8Array, region?: { left: number; top: number; width: number; height: number }): Promise<Buffer> {
  let pipeline = sharp(bytes).removeAlpha();
  if (region !== undefined) pipeline = pipeline.extract(region);
  return pipeline.raw().toBuffer();
}

async function meanColour(bytes: Uint8Array): Promise<[number, number, number]> {
  const stats = await sharp(bytes).stats();
  const [r, g, b] = stats.channels;
  if (r === undefined || g === undefined || b === undefined) throw new Error('expected three channels');
  return [r.mean, g.mean, b.mean];
}

const distance = (a: readonly number[], b: readonly number[]): number => Math.hypot(...a.map((v, i) => v - (b[i] ?? 0)));

describe('gridCellRect', () => {
  it('tiles the image edge to edge, the last column and row taking the remainder', () => {
    const layout = { rows: 3, cols: 3 };
    const rects = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((cell) => gridCellRect(1000, 601, layout, cell));
    expect(rects.map((r) => r.width)).toEqual([333, 333, 334, 333, 333, 334, 333, 333, 334]);
    expect(rects.map((r) => r.height)).toEqual([200, 200, 200, 200, 200, 200, 201, 201, 201]);
    expect(rects[4]).toEqual({ left: 333, top: 200, width: 333, height: 200 });
    expect(rects.reduce((area, r) => area + r.width * r.height, 0)).toBe(1000 * 601);
    expect(() => gridCellRect(1000, 601, layout, 10)).toThrow(/cell 10/);
    expect(() => gridCellRect(1000, 601, layout, 0)).toThrow(RangeError);
  });
});

describe('drawSimGrid', () => {
  it('draws a PNG of the requested size', { timeout: TIMEOUT }, async () => {
    const grid = await drawSimGrid(gridRequest());
    expect(await imageSize(grid)).toEqual({ width: 1344, height: 768, format: 'png' });
    const odd = await drawSimGrid(gridRequest({ rows: 3, cols: 3, width: 1000, height: 601 }));
    expect(await imageSize(odd)).toEqual({ width: 1000, height: 601, format: 'png' });
  });

  it('makes every cell a visibly different scene', { timeout: TIMEOUT }, async () => {
    for (const seed of ['a', 'b', 'c']) {
      const grid = await drawSimGrid(gridRequest({ seed }));
      const means = await Promise.all([1, 2, 3, 4].map(async (cell) => meanColour(await cropGridCell(grid, { rows: 2, cols: 2 }, cell))));
      for (let i = 0; i < means.length; i++) {
        for (let j = i + 1; j < means.length; j++) {
          expect(distance(means[i] ?? [], means[j] ?? []), `seed ${seed}: cells ${i + 1} and ${j + 1}`).toBeGreaterThan(30);
        }
      }
    }
  });

  it('is byte-identical for the same inputs and differs when the prompt, seed or references change', { timeout: TIMEOUT }, async () => {
    const reference = await drawSimImage({ prompt: 'the singer, frontal', width: 300, height: 400, references: [], seed: 'ref' });
    const a = await drawSimGrid(gridRequest({ references: [reference] }));
    const b = await drawSimGrid(gridRequest({ references: [reference] }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const otherPrompt = await drawSimGrid(gridRequest({ references: [reference], prompt: `${PROMPT}, at night` }));
    const otherSeed = await drawSimGrid(gridRequest({ references: [reference], seed: 'seq01:2' }));
    const noReference = await drawSimGrid(gridRequest());
    for (const other of [otherPrompt, otherSeed, noReference]) expect(Buffer.from(a).equals(Buffer.from(other))).toBe(false);
  });

  it('survives prompts with markup characters and references that are not images', { timeout: TIMEOUT }, async () => {
    const grid = await drawSimGrid(gridRequest({ prompt: `Tom & Jerry <b>"run"</b> 'fast' \u0007 ${'x'.repeat(200)}`, references: [new Uint8Array([1, 2, 3])] }));
    expect(await imageSize(grid)).toMatchObject({ width: 1344, height: 768 });
  });
});

describe('cropGridCell', () => {
  it('cuts cell 3 of a 2x2 grid: exactly the bottom-left quarter', { timeout: TIMEOUT }, async () => {
    const grid = await drawSimGrid(gridRequest());
    const cell = await cropGridCell(grid, { rows: 2, cols: 2 }, 3);
    expect(await imageSize(cell)).toEqual({ width: 672, height: 384, format: 'png' });
    const expected = await rawPixels(grid, { left: 0, top: 384, width: 672, height: 384 });
    expect((await rawPixels(cell)).equals(expected)).toBe(true);
    const again = await cropGridCell(grid, { rows: 2, cols: 2 }, 3);
    expect(Buffer.from(again).equals(Buffer.from(cell))).toBe(true);
  });

  it('gives the last column and row the remainder pixels', { timeout: TIMEOUT }, async () => {
    const grid = await drawSimGrid(gridRequest({ rows: 3, cols: 3, width: 1000, height: 601 }));
    const cell = await cropGridCell(grid, { rows: 3, cols: 3 }, 9);
    expect(await imageSize(cell)).toMatchObject({ width: 334, height: 201 });
    const expected = await rawPixels(grid, { left: 666, top: 400, width: 334, height: 201 });
    expect((await rawPixels(cell)).equals(expected)).toBe(true);
  });
});

describe('drawSimImage', () => {
  it('draws one deterministic picture of the requested size', { timeout: TIMEOUT }, async () => {
    const request = { prompt: PROMPT, width: 1344, height: 768, references: [], seed: 's' };
    const a = await drawSimImage(request);
    expect(await imageSize(a)).toEqual({ width: 1344, height: 768, format: 'png' });
    expect(Buffer.from(a).equals(Buffer.from(await drawSimImage(request)))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(await drawSimImage({ ...request, prompt: 'something else' })))).toBe(false);
  });
});

describe('looksLikeGrid', () => {
  it('accepts sim grids of 2x2 and 3x3', { timeout: TIMEOUT }, async () => {
    for (const seed of ['a', 'b', 'c', 'd']) {
      const two = await drawSimGrid(gridRequest({ seed }));
      expect(await looksLikeGrid(two, { rows: 2, cols: 2 }), `2x2 seed ${seed}`).toEqual({ ok: true });
      const three = await drawSimGrid(gridRequest({ seed, rows: 3, cols: 3 }));
      expect(await looksLikeGrid(three, { rows: 3, cols: 3 }), `3x3 seed ${seed}`).toEqual({ ok: true });
    }
  });

  it('rejects single pictures, and a grid checked against the wrong layout', { timeout: TIMEOUT }, async () => {
    for (const seed of ['a', 'b', 'c', 'd']) {
      const single = await drawSimImage({ prompt: PROMPT, width: 1344, height: 768, references: [], seed });
      const two = await looksLikeGrid(single, { rows: 2, cols: 2 });
      expect(two.ok, `2x2 seed ${seed}`).toBe(false);
      if (!two.ok) expect(two.reason).toMatch(/seam/);
      expect((await looksLikeGrid(single, { rows: 3, cols: 3 })).ok, `3x3 seed ${seed}`).toBe(false);
    }
    const three = await drawSimGrid(gridRequest({ rows: 3, cols: 3 }));
    expect((await looksLikeGrid(three, { rows: 2, cols: 2 })).ok).toBe(false);
  });

  it('accepts grids as models deliver them: JPEG-compressed, large, or with gutters', { timeout: TIMEOUT }, async () => {
    const grid = await drawSimGrid(gridRequest());
    const jpeg = await sharp(grid).jpeg({ quality: 70 }).toBuffer();
    expect(await looksLikeGrid(jpeg, { rows: 2, cols: 2 })).toEqual({ ok: true });
    const large = await sharp(grid).resize(2752, 1536, { kernel: 'lanczos3' }).png().toBuffer();
    expect(await looksLikeGrid(large, { rows: 2, cols: 2 })).toEqual({ ok: true });
    // Four separate pictures on a white sheet with 8-pixel gutters, slightly off centre.
    const cells = await Promise.all(
      [1, 2, 3, 4].map(async (n) => drawSimImage({ prompt: `candidate ${n}`, width: 660, height: 372, references: [], seed: `g${n}` })),
    );
    const gutters = await sharp({ create: { width: 1344, height: 768, channels: 3, background: '#ffffff' } })
      .composite(cells.map((input, i) => ({ input: Buffer.from(input), left: i % 2 === 0 ? 4 : 676, top: i < 2 ? 4 : 390 })))
      .png()
      .toBuffer();
    expect(await looksLikeGrid(gutters, { rows: 2, cols: 2 })).toEqual({ ok: true });
  });

  it('rejects blank, tiny, elongated and unreadable images with a reason', { timeout: TIMEOUT }, async () => {
    const blank = await sharp({ create: { width: 1344, height: 768, channels: 3, background: '#336699' } }).png().toBuffer();
    expect((await looksLikeGrid(blank, { rows: 2, cols: 2 })).ok).toBe(false);
    const tiny = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#336699' } }).png().toBuffer();
    expect(await looksLikeGrid(tiny, { rows: 2, cols: 2 })).toMatchObject({ ok: false, reason: expect.stringMatching(/too small/) });
    const strip = await sharp({ create: { width: 4000, height: 200, channels: 3, background: '#336699' } }).png().toBuffer();
    expect(await looksLikeGrid(strip, { rows: 2, cols: 2 })).toMatchObject({ ok: false, reason: expect.stringMatching(/elongated/) });
    expect(await looksLikeGrid(new Uint8Array([0, 1, 2, 3]), { rows: 2, cols: 2 })).toMatchObject({ ok: false, reason: expect.stringMatching(/not a readable image/) });
  });
});

describe('drawAnimatic', () => {
  const shots = [
    { prompt: 'Wide: the cyclist enters the bridge, rain & <neon> "reflections"', durationSec: 5 },
    { prompt: "Close-up on the rider's visor", durationSec: 5 },
    { prompt: 'Drone pull-back over the skyline', durationSec: 5 },
  ];

  async function request(overrides: Partial<AnimaticRequest> = {}): Promise<AnimaticRequest> {
    const grid = await drawSimGrid(gridRequest());
    const startFrame = await cropGridCell(grid, { rows: 2, cols: 2 }, 2);
    return { title: 'SEQ01 take 1', startFrame, shots, width: 640, height: 360, seed: 'seq01', ...overrides };
  }

  it('is an H.264 MP4 with one frame per second of the shots, as long as the shots', { timeout: TIMEOUT }, async () => {
    const animatic = await drawAnimatic(await request());
    expect(animatic.durationMs).toBe(15_000);
    expect(animatic.frames.delays).toEqual(Array.from({ length: 15 }, () => 1000));
    const bytes = await encoded(animatic);
    const info = await probeBytes(bytes);
    expect(info).toMatchObject({ video: { codec: 'h264', width: 640, height: 360 }, audio: undefined });
    expect(info.durationSec).toBeCloseTo(15, 1);
    expect(bytes.byteLength).toBeLessThan(400_000);
  });

  it('plays exactly as long as the shots, fractional durations included, without a start frame', { timeout: TIMEOUT }, async () => {
    const animatic = await drawAnimatic(await request({ startFrame: undefined, shots: [{ prompt: 'a', durationSec: 3 }, { prompt: 'b', durationSec: 2.5 }] }));
    expect(animatic.durationMs).toBe(5500);
    expect(animatic.frames.delays).toEqual([1000, 1000, 1000, 1000, 1000, 500]);
    expect((await probeBytes(await encoded(animatic))).durationSec).toBeCloseTo(5.5, 1);
  });

  it('is byte-identical for the same inputs and differs when a prompt changes', { timeout: TIMEOUT }, async () => {
    const base = await request();
    const a = await encoded(await drawAnimatic(base));
    const b = await encoded(await drawAnimatic(base));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const changed = await encoded(await drawAnimatic({ ...base, shots: [shots[0] ?? { prompt: '', durationSec: 5 }, { prompt: 'Close-up on the rider, smiling', durationSec: 5 }, shots[2] ?? { prompt: '', durationSec: 5 }] }));
    expect(Buffer.from(a).equals(Buffer.from(changed))).toBe(false);
  });

  it('refuses requests it cannot draw', async () => {
    await expect(drawAnimatic(await request({ shots: [] }))).rejects.toThrow(/at least one shot/);
    await expect(drawAnimatic(await request({ shots: [{ prompt: 'x', durationSec: 0 }] }))).rejects.toThrow(/positive/);
  });
});
