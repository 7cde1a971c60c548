/**
 * Local image work on grids: cutting a cell out (the `frame` step), reading an image's
 * size, and checking that a model's output really is a grid (the `grid` step's validation).
 *
 * The cell rectangles come from gridCellRect, the same arithmetic the sim provider draws
 * with. sharp is loaded lazily so that importing this module costs nothing at start-up.
 */
import { gridCellRect, gridSeams, type GridLayout } from '../providers/sim/grid-geometry.ts';

export type { GridLayout, CellRect } from '../providers/sim/grid-geometry.ts';
export { gridCellRect } from '../providers/sim/grid-geometry.ts';
import { loadSharp } from '../util/load-sharp.ts';

/** Crops use the same PNG settings as the sim provider's images: fixed, so bytes are reproducible. */
const PNG_OPTIONS = { compressionLevel: 6, adaptiveFiltering: false, palette: false, progressive: false } as const;



function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Width, height and format of an encoded image (as stored: EXIF orientation is not applied). */
export async function imageSize(bytes: Uint8Array): Promise<{ width: number; height: number; format: string }> {
  const sharp = await loadSharp();
  let metadata: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    metadata = await sharp(bytes).metadata();
  } catch (error) {
    throw new Error(`not a readable image (${describe(error)})`, { cause: error });
  }
  const { width, height, format } = metadata;
  if (width === undefined || height === undefined || width < 1 || height < 1) {
    throw new Error(`the ${format ?? 'unknown'} image has no pixel size`);
  }
  return { width, height, format: format ?? 'unknown' };
}

/**
 * Cuts cell `cell` (1-based, row-major from the top left) out of a grid image as a PNG.
 * The rectangle is gridCellRect's: the last column and row take any remainder pixels.
 */
export async function cropGridCell(grid: Uint8Array, layout: GridLayout, cell: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const { width, height } = await imageSize(grid);
  const rect = gridCellRect(width, height, layout, cell);
  const png = await sharp(grid).extract(rect).png(PNG_OPTIONS).toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

// ---------------------------------------------------------------------------
// looksLikeGrid

/** Images larger than this on the long side are checked on a nearest-neighbour reduction. */
const CHECK_MAX_SIDE = 2048;
/** Smallest plausible cell side, in pixels. */
const MIN_CELL_SIDE = 32;
/** Most elongated plausible cell (width/height or height/width). */
const MAX_CELL_ASPECT = 4;
/** A pixel pair "differs" across a line when its mean channel difference exceeds this. */
const EDGE_PIXEL_DIFF = 12;
/** A seam must separate at least this share of the pixel pairs along its whole length… */
const SEAM_MIN_SHARE = 0.5;
/** …and at least this share along each cell it borders. */
const SEAM_MIN_SEGMENT_SHARE = 0.2;
/** …and be this many times stronger than the lines around it. */
const SEAM_MIN_CONTRAST = 2.5;
/** A gutter line has at least this share of its pixels within GUTTER_TOLERANCE of its mean colour. */
const GUTTER_MIN_UNIFORM = 0.97;
const GUTTER_TOLERANCE = 10;
/** Evidence is only trusted if at most this share of the other lines would pass the same test. */
const MAX_LOOKALIKE_SHARE = 0.03;

/** Per-line statistics in one direction (across columns, or across rows). */
export interface LineStats {
  /** Number of lines (columns or rows). */
  length: number;
  /** Mean channel difference between line p-1 and line p, for p in 1..length-1 (index p). */
  meanDiff: Float64Array;
  /** Share of pixel pairs between line p-1 and p that differ. */
  share: Float64Array;
  /** The smallest such share over the segments (cells) the boundary p borders. */
  minSegmentShare: Float64Array;
  /** Share of line p's pixels close to the line's mean colour. */
  uniform: Float64Array;
}

export interface Raster {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Statistics for boundaries between consecutive lines. `vertical` = the lines are columns
 * (vertical seams); the segments along a line are cut at `cuts` (the other direction's seams).
 *
 * Both directions read the pixels in memory order, row by row (a column's pixels are a row
 * apart, which made the horizontal pass walk the image against the cache). Sums are integers:
 * at most 2048 lines of at most 765, far below 2^31, so every mean and share below is the very
 * double that sums kept in floating point gave (test/grid-stats.test.ts holds them to the
 * plain per-line loops).
 */
export function lineStats(raster: Raster, vertical: boolean, cuts: readonly number[]): LineStats {
  const { data, width, height } = raster;
  const length = vertical ? width : height;
  const along = vertical ? height : width;
  const segments = cuts.length + 1;
  const segmentOf = new Int32Array(along);
  for (let i = 0, s = 0; i < along; i++) {
    while (s < cuts.length && i >= (cuts[s] ?? Infinity)) s++;
    segmentOf[i] = s;
  }
  const segmentSize = new Int32Array(segments);
  for (let i = 0; i < along; i++) segmentSize[segmentOf[i] ?? 0] = (segmentSize[segmentOf[i] ?? 0] ?? 0) + 1;

  const sumDiff = new Int32Array(length);
  const differing = new Int32Array(length * segments);
  const sumR = new Int32Array(length);
  const sumG = new Int32Array(length);
  const sumB = new Int32Array(length);
  const threshold = EDGE_PIXEL_DIFF * 3;
  const rowBytes = width * 3;
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    if (vertical) {
      // Lines are columns: this row adds one pixel (and one pair across each boundary) to every line.
      const segmentBase = (segmentOf[y] ?? 0) * length;
      let pr = data[row] ?? 0;
      let pg = data[row + 1] ?? 0;
      let pb = data[row + 2] ?? 0;
      sumR[0] = (sumR[0] ?? 0) + pr;
      sumG[0] = (sumG[0] ?? 0) + pg;
      sumB[0] = (sumB[0] ?? 0) + pb;
      for (let x = 1, offset = row + 3; x < width; x++, offset += 3) {
        const r = data[offset] ?? 0;
        const g = data[offset + 1] ?? 0;
        const b = data[offset + 2] ?? 0;
        const diff = Math.abs(r - pr) + Math.abs(g - pg) + Math.abs(b - pb);
        sumDiff[x] = (sumDiff[x] ?? 0) + diff;
        if (diff > threshold) differing[segmentBase + x] = (differing[segmentBase + x] ?? 0) + 1;
        sumR[x] = (sumR[x] ?? 0) + r;
        sumG[x] = (sumG[x] ?? 0) + g;
        sumB[x] = (sumB[x] ?? 0) + b;
        pr = r;
        pg = g;
        pb = b;
      }
    } else {
      // Lines are rows: this row is line y, compared pixel by pixel with the row above.
      let r0 = 0;
      let g0 = 0;
      let b0 = 0;
      let diffs = 0;
      for (let x = 0, offset = row; x < width; x++, offset += 3) {
        const r = data[offset] ?? 0;
        const g = data[offset + 1] ?? 0;
        const b = data[offset + 2] ?? 0;
        r0 += r;
        g0 += g;
        b0 += b;
        if (y === 0) continue;
        const above = offset - rowBytes;
        const diff = Math.abs(r - (data[above] ?? 0)) + Math.abs(g - (data[above + 1] ?? 0)) + Math.abs(b - (data[above + 2] ?? 0));
        diffs += diff;
        if (diff > threshold) {
          const at = (segmentOf[x] ?? 0) * length + y;
          differing[at] = (differing[at] ?? 0) + 1;
        }
      }
      sumR[y] = r0;
      sumG[y] = g0;
      sumB[y] = b0;
      sumDiff[y] = diffs;
    }
  }
  const meanDiff = new Float64Array(length);
  const share = new Float64Array(length);
  const minSegmentShare = new Float64Array(length);
  for (let p = 1; p < length; p++) {
    meanDiff[p] = (sumDiff[p] ?? 0) / (3 * along);
    let total = 0;
    let min = 1;
    for (let s = 0; s < segments; s++) {
      const count = differing[s * length + p] ?? 0;
      total += count;
      min = Math.min(min, count / Math.max(1, segmentSize[s] ?? 1));
    }
    share[p] = total / along;
    minSegmentShare[p] = min;
  }
  // Uniformity: a second pass against each line's mean colour.
  const meanR = new Float64Array(length);
  const meanG = new Float64Array(length);
  const meanB = new Float64Array(length);
  for (let p = 0; p < length; p++) {
    meanR[p] = (sumR[p] ?? 0) / along;
    meanG[p] = (sumG[p] ?? 0) / along;
    meanB[p] = (sumB[p] ?? 0) / along;
  }
  const close = new Int32Array(length);
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    if (vertical) {
      for (let x = 0, offset = row; x < width; x++, offset += 3) {
        if (
          Math.abs((data[offset] ?? 0) - (meanR[x] ?? 0)) <= GUTTER_TOLERANCE &&
          Math.abs((data[offset + 1] ?? 0) - (meanG[x] ?? 0)) <= GUTTER_TOLERANCE &&
          Math.abs((data[offset + 2] ?? 0) - (meanB[x] ?? 0)) <= GUTTER_TOLERANCE
        ) {
          close[x] = (close[x] ?? 0) + 1;
        }
      }
    } else {
      const r0 = meanR[y] ?? 0;
      const g0 = meanG[y] ?? 0;
      const b0 = meanB[y] ?? 0;
      let count = 0;
      for (let x = 0, offset = row; x < width; x++, offset += 3) {
        if (Math.abs((data[offset] ?? 0) - r0) <= GUTTER_TOLERANCE && Math.abs((data[offset + 1] ?? 0) - g0) <= GUTTER_TOLERANCE && Math.abs((data[offset + 2] ?? 0) - b0) <= GUTTER_TOLERANCE) count++;
      }
      close[y] = count;
    }
  }
  const uniform = new Float64Array(length);
  for (let p = 0; p < length; p++) uniform[p] = (close[p] ?? 0) / along;
  return { length, meanDiff, share, minSegmentShare, uniform };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** How much stronger the boundary at p is than the boundaries around it (ignoring its immediate neighbours). */
function contrast(stats: LineStats, p: number): number {
  const around: number[] = [];
  for (let q = p - 12; q <= p + 12; q++) {
    if (Math.abs(q - p) < 2 || q < 1 || q >= stats.length) continue;
    around.push(stats.meanDiff[q] ?? 0);
  }
  return (stats.meanDiff[p] ?? 0) / (median(around) + 1);
}

function isEdgeSeam(stats: LineStats, p: number): boolean {
  return (
    (stats.share[p] ?? 0) >= SEAM_MIN_SHARE &&
    (stats.minSegmentShare[p] ?? 0) >= SEAM_MIN_SEGMENT_SHARE &&
    contrast(stats, p) >= SEAM_MIN_CONTRAST
  );
}

function isGutterLine(stats: LineStats, p: number): boolean {
  return (stats.uniform[p] ?? 0) >= GUTTER_MIN_UNIFORM;
}

interface SeamVerdict {
  found: boolean;
  /** Best evidence seen near the expected seam, for the message. */
  bestShare: number;
}

/** Looks for a seam (a hard edge or a uniform gutter line) within `window` of `expected`. */
function findSeam(stats: LineStats, expected: number, window: number, edgeTrusted: boolean, gutterTrusted: boolean): SeamVerdict {
  let bestShare = 0;
  for (let p = Math.max(1, expected - window); p <= Math.min(stats.length - 1, expected + window); p++) {
    bestShare = Math.max(bestShare, stats.share[p] ?? 0);
    if (edgeTrusted && isEdgeSeam(stats, p)) return { found: true, bestShare };
    if (gutterTrusted && isGutterLine(stats, p)) return { found: true, bestShare };
  }
  return { found: false, bestShare };
}

/** Share of boundaries/lines away from all expected seams that would pass a test (a measure of false evidence). */
function lookalikeShare(stats: LineStats, seams: readonly number[], window: number, test: (stats: LineStats, p: number) => boolean): number {
  let candidates = 0;
  let passing = 0;
  for (let p = 1; p < stats.length; p++) {
    if (seams.some((seam) => Math.abs(p - seam) <= window + 2)) continue;
    candidates++;
    if (test(stats, p)) passing++;
  }
  return candidates === 0 ? 0 : passing / candidates;
}

/** Checks one direction's seams; returns a reason when one is missing. */
function checkSeams(stats: LineStats, seams: readonly number[], direction: 'vertical' | 'horizontal', scale: number): string | undefined {
  if (seams.length === 0) return undefined;
  const window = Math.max(3, Math.round(stats.length * 0.02));
  const edgeLookalikes = lookalikeShare(stats, seams, window, isEdgeSeam);
  const gutterLookalikes = lookalikeShare(stats, seams, window, isGutterLine);
  const edgeTrusted = edgeLookalikes <= MAX_LOOKALIKE_SHARE;
  const gutterTrusted = gutterLookalikes <= MAX_LOOKALIKE_SHARE;
  const axis = direction === 'vertical' ? 'x' : 'y';
  for (const seam of seams) {
    const verdict = findSeam(stats, seam, window, edgeTrusted, gutterTrusted);
    if (!verdict.found) {
      const at = Math.round(seam * scale);
      if (!edgeTrusted && !gutterTrusted) {
        return `straight ${direction} lines run all over the image, so its ${direction} seams cannot be told apart from its content`;
      }
      return `no ${direction} seam near ${axis}=${at}: at most ${Math.round(verdict.bestShare * 100)}% of the pixels change across it, where a grid's cell boundary changes at least ${Math.round(SEAM_MIN_SHARE * 100)}% (or is a plain gutter line)`;
    }
  }
  return undefined;
}

/**
 * A heuristic for "is this image a rows×cols grid of separate pictures?", usable on
 * model output. It rejects implausible sizes, then looks at every internal cell boundary
 * (allowing ±2% for models that place seams loosely): a grid has, at each boundary, a hard
 * edge that separates most pixel pairs along the whole boundary (and along each cell it
 * borders) and is much stronger than the lines around it, or a plain uniform gutter line.
 * Evidence that would also be found all over the rest of the image (stripes, blank
 * backgrounds) is not trusted.
 */
export async function looksLikeGrid(bytes: Uint8Array, layout: GridLayout): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { rows, cols } = layout;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    return { ok: false, reason: `the layout ${rows}x${cols} is not a grid` };
  }
  let size: { width: number; height: number };
  try {
    size = await imageSize(bytes);
  } catch (error) {
    return { ok: false, reason: describe(error) };
  }
  const { width, height } = size;
  if (width < cols * MIN_CELL_SIDE || height < rows * MIN_CELL_SIDE) {
    return { ok: false, reason: `a ${width}×${height} image is too small for ${rows}x${cols} cells of at least ${MIN_CELL_SIDE} pixels` };
  }
  const cellAspect = width / cols / (height / rows);
  if (cellAspect > MAX_CELL_ASPECT || cellAspect < 1 / MAX_CELL_ASPECT) {
    return { ok: false, reason: `a ${width}×${height} image split ${rows}x${cols} would have implausibly elongated cells (${Math.round((width / cols))}×${Math.round(height / rows)})` };
  }
  if (rows === 1 && cols === 1) return { ok: true };

  const sharp = await loadSharp();
  const scale = Math.max(width, height) > CHECK_MAX_SIDE ? CHECK_MAX_SIDE / Math.max(width, height) : 1;
  const checkWidth = Math.max(cols * 8, Math.round(width * scale));
  const checkHeight = Math.max(rows * 8, Math.round(height * scale));
  let raster: Raster;
  try {
    let pipeline = sharp(bytes).toColourspace('srgb').flatten({ background: '#808080' }).removeAlpha();
    if (scale < 1) pipeline = pipeline.resize(checkWidth, checkHeight, { kernel: 'nearest', fit: 'fill' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return { ok: false, reason: `unexpected ${info.channels}-channel pixels` };
    raster = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (error) {
    return { ok: false, reason: `not a readable image (${describe(error)})` };
  }
  const { xs, ys } = gridSeams(raster.width, raster.height, layout);
  const back = 1 / (raster.width / width);
  const vertical = checkSeams(lineStats(raster, true, ys), xs, 'vertical', back);
  if (vertical !== undefined) return { ok: false, reason: vertical };
  const horizontal = checkSeams(lineStats(raster, false, xs), ys, 'horizontal', 1 / (raster.height / height));
  if (horizontal !== undefined) return { ok: false, reason: horizontal };
  return { ok: true };
}
