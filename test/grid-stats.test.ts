import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { drawSimGrid } from '../src/providers/sim/images.ts';
import { lineStats, type LineStats, type Raster } from '../src/steps/grid-image.ts';

const TIMEOUT = 60_000;

/**
 * The statistics as plainly as they can be written: for each line, walk along it, in floating
 * point. lineStats must give exactly these numbers (its verdicts are thresholds on them).
 */
function plainStats(raster: Raster, vertical: boolean, cuts: readonly number[]): LineStats {
  const { data, width, height } = raster;
  const length = vertical ? width : height;
  const along = vertical ? height : width;
  const pixel = (p: number, a: number): [number, number, number] => {
    const offset = vertical ? (a * width + p) * 3 : (p * width + a) * 3;
    return [data[offset] ?? 0, data[offset + 1] ?? 0, data[offset + 2] ?? 0];
  };
  const segmentOf = (a: number): number => cuts.filter((cut) => a >= cut).length;
  const segments = cuts.length + 1;
  const meanDiff = new Float64Array(length);
  const share = new Float64Array(length);
  const minSegmentShare = new Float64Array(length);
  const uniform = new Float64Array(length);
  for (let p = 0; p < length; p++) {
    const mean = [0, 0, 0];
    for (let a = 0; a < along; a++) pixel(p, a).forEach((v, c) => (mean[c] = (mean[c] ?? 0) + v));
    const [mr, mg, mb] = mean.map((sum) => sum / along) as [number, number, number];
    let close = 0;
    for (let a = 0; a < along; a++) {
      const [r, g, b] = pixel(p, a);
      if (Math.abs(r - mr) <= 10 && Math.abs(g - mg) <= 10 && Math.abs(b - mb) <= 10) close++;
    }
    uniform[p] = close / along;
    if (p === 0) continue;
    let sum = 0;
    const differing = new Array<number>(segments).fill(0);
    const size = new Array<number>(segments).fill(0);
    for (let a = 0; a < along; a++) {
      const [r, g, b] = pixel(p, a);
      const [pr, pg, pb] = pixel(p - 1, a);
      const diff = Math.abs(r - pr) + Math.abs(g - pg) + Math.abs(b - pb);
      sum += diff;
      size[segmentOf(a)] = (size[segmentOf(a)] ?? 0) + 1;
      if (diff > 36) differing[segmentOf(a)] = (differing[segmentOf(a)] ?? 0) + 1;
    }
    meanDiff[p] = sum / (3 * along);
    share[p] = differing.reduce((total, n) => total + n, 0) / along;
    minSegmentShare[p] = Math.min(1, ...differing.map((n, s) => n / Math.max(1, size[s] ?? 1)));
  }
  return { length, meanDiff, share, minSegmentShare, uniform };
}

async function raster(bytes: Uint8Array | Buffer): Promise<Raster> {
  const { data, info } = await sharp(bytes).toColourspace('srgb').flatten({ background: '#808080' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

function synthetic(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): Raster {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colour(x, y), (y * width + x) * 3);
  return { data, width, height };
}

describe('lineStats, the numbers behind looksLikeGrid', () => {
  it('are exactly those of the plain per-line loops, both ways, on grids, photos-like noise, stripes and flat images', { timeout: TIMEOUT }, async () => {
    const grid = await drawSimGrid({ prompt: 'a rooftop at dusk', rows: 2, cols: 3, width: 301, height: 170, references: [], seed: 'stats' });
    const rasters: Array<[string, Raster]> = [
      ['sim grid', await raster(grid)],
      ['jpeg grid', await raster(await sharp(grid).jpeg({ quality: 40 }).toBuffer())],
      ['noise', synthetic(97, 61, (x, y) => { const h = Math.imul(x * 374761393 + y * 668265263, 1274126177) >>> 0; return [h & 255, (h >> 8) & 255, (h >> 16) & 255]; })],
      ['stripes', synthetic(120, 64, (x) => [(x >> 2) % 2 === 1 ? 200 : 40, 90, 120])],
      ['flat', synthetic(64, 40, () => [128, 128, 128])],
    ];
    for (const [name, image] of rasters) {
      for (const cuts of [[], [Math.floor(image.height / 2)], [Math.floor(image.width / 3), Math.floor((2 * image.width) / 3)]]) {
        for (const vertical of [true, false]) {
          const cutsAlong = cuts.filter((cut) => cut < (vertical ? image.height : image.width));
          expect(lineStats(image, vertical, cutsAlong), `${name}, ${vertical ? 'columns' : 'rows'}, cuts ${cutsAlong.join(',')}`).toEqual(plainStats(image, vertical, cutsAlong));
        }
      }
    }
  });
});
