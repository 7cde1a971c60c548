/**
 * The sim provider's pictures: deterministic placeholder images drawn locally.
 *
 * A grid is laid out exactly as a real model's grid would be (rows × cols equal cells,
 * edge to edge, see gridCellRect for the remainder rule); each cell is a visibly
 * different little scene (its own gradient, a few shapes, the reference images small,
 * its number large, and the start of the prompt as a caption).
 *
 * Pure functions of their inputs: the only "randomness" is seeded from the request, and
 * the PNG encoder options are fixed, so the same request gives byte-identical output
 * (on the same machine: text is rendered with the installed fonts).
 * sharp is loaded lazily so that importing this module costs nothing at start-up.
 */
import { gridCellRect, type GridLayout } from './grid-geometry.ts';
import { loadSharp } from '../../util/load-sharp.ts';

export interface SimGridRequest {
  prompt: string;
  rows: number;
  cols: number;
  width: number;
  height: number;
  references: readonly Uint8Array[];
  seed: string;
}

export interface SimImageRequest {
  prompt: string;
  width: number;
  height: number;
  references: readonly Uint8Array[];
  seed: string;
}

/** PNG options spelled out so the bytes never depend on library defaults changing. */
export const SIM_PNG_OPTIONS = { compressionLevel: 6, adaptiveFiltering: false, palette: false, progressive: false } as const;

const FONT = "DejaVu Sans, Verdana, sans-serif";
const CAPTION_CHARS = 60;
const MAX_REFERENCE_THUMBS = 4;

// ---------------------------------------------------------------------------
// Helpers shared with animatic.ts (same provider folder; not part of the interface).


/** FNV-1a over the UTF-16 code units of the parts (joined by a separator that cannot be confused). */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A deterministic random source (mulberry32) seeded from strings. Returns numbers in [0, 1). */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  let state = hashString(parts.map(String).join('\u241f'));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Escapes text for SVG character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => {
    switch (ch) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

/** Removes characters XML 1.0 cannot carry at all (control characters, lone surrogates). */
function xmlSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}

/** Collapses whitespace and keeps the first `max` characters (with an ellipsis when cut). */
export function shorten(text: string, max: number): string {
  const flat = xmlSafe(text).replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  return `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** Greedy word wrap to lines of at most `width` characters; at most `maxLines` lines (the last one ellipsised). */
export function wrapText(text: string, width: number, maxLines: number): string[] {
  const words = xmlSafe(text).replace(/\s+/g, ' ').trim().split(' ').filter((word) => word.length > 0);
  const lines: string[] = [];
  let line = '';
  const push = (): void => {
    if (line.length > 0) lines.push(line);
    line = '';
  };
  for (const rawWord of words) {
    let word = rawWord;
    while (Array.from(word).length > width) {
      // A word longer than a line is split.
      push();
      const chars = Array.from(word);
      lines.push(chars.slice(0, width).join(''));
      word = chars.slice(width).join('');
    }
    if (line.length === 0) line = word;
    else if (Array.from(line).length + 1 + Array.from(word).length <= width) line = `${line} ${word}`;
    else {
      push();
      line = word;
    }
  }
  push();
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    const last = kept[maxLines - 1] ?? '';
    kept[maxLines - 1] = `${Array.from(last).slice(0, Math.max(1, width - 1)).join('').trimEnd()}…`;
    return kept;
  }
  return lines;
}

/** HSL (h in degrees, s and l in 0..1) to #rrggbb. */
export function hsl(h: number, s: number, l: number): string {
  const hue = ((h % 360) + 360) % 360;
  const sat = Math.min(1, Math.max(0, s));
  const light = Math.min(1, Math.max(0, l));
  const c = (1 - Math.abs(2 * light - 1)) * sat;
  const x = c * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = light - c / 2;
  const [r, g, b] =
    hue < 60 ? [c, x, 0] : hue < 120 ? [x, c, 0] : hue < 180 ? [0, c, x] : hue < 240 ? [0, x, c] : hue < 300 ? [x, 0, c] : [c, 0, x];
  const hex = (v: number): string => Math.round((v + m) * 255).toString(16).padStart(2, '0');
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

export interface SceneStyle {
  /** Base hue in degrees. */
  hue: number;
  /** Base lightness, 0..1. */
  lightness: number;
  /** Drives the gradient direction and the shapes. */
  random: () => number;
  /** Unique prefix for SVG ids. */
  id: string;
}

/**
 * An SVG fragment drawing one scene into the box (x, y, w, h): a gradient sky, a sun,
 * hills and a few blocks. It is a nested <svg>, so nothing spills out of the box.
 */
export function sceneSvg(x: number, y: number, w: number, h: number, style: SceneStyle): string {
  const { hue, lightness, random, id } = style;
  const sat = 0.55 + random() * 0.2;
  const angle = random() * Math.PI * 2;
  const gx = Math.cos(angle) * 0.5;
  const gy = Math.sin(angle) * 0.5;
  const top = hsl(hue, sat, lightness + 0.12);
  const bottom = hsl(hue + 28, sat, lightness - 0.1);
  const sunX = w * (0.2 + random() * 0.6);
  const sunY = h * (0.18 + random() * 0.2);
  const sunR = Math.min(w, h) * (0.07 + random() * 0.06);
  const sun = hsl(hue + 180, 0.75, 0.8);
  // Ground: a hill line across the box, kept well away from the middle of the box and
  // from its edges so it never lines up with a grid seam.
  const groundY = h * (0.6 + random() * 0.14);
  const peaks = 3 + Math.floor(random() * 3);
  let ground = `M0 ${fmt(h)} L0 ${fmt(groundY)}`;
  for (let i = 1; i <= peaks; i++) {
    const px = (w * i) / peaks;
    const py = groundY + (random() - 0.6) * h * 0.12;
    const cx = px - w / peaks / 2;
    const cy = groundY - h * (0.04 + random() * 0.1);
    ground += ` Q${fmt(cx)} ${fmt(cy)} ${fmt(px)} ${fmt(py)}`;
  }
  ground += ` L${fmt(w)} ${fmt(h)} Z`;
  const groundColour = hsl(hue + 150, 0.45, Math.max(0.12, lightness - 0.22));
  const blocks: string[] = [];
  const blockCount = 2 + Math.floor(random() * 3);
  for (let i = 0; i < blockCount; i++) {
    const bw = w * (0.05 + random() * 0.08);
    const bh = h * (0.12 + random() * 0.22);
    const bx = w * (0.06 + random() * 0.82);
    const by = groundY - bh * (0.6 + random() * 0.3);
    const colour = hsl(hue + 200 + random() * 60, 0.35, 0.18 + random() * 0.2);
    const shape =
      i % 2 === 0
        ? `<rect x="${fmt(bx)}" y="${fmt(by)}" width="${fmt(bw)}" height="${fmt(bh)}" rx="${fmt(bw * 0.12)}" fill="${colour}" fill-opacity="0.82"/>`
        : `<path d="M${fmt(bx)} ${fmt(by + bh)} L${fmt(bx + bw / 2)} ${fmt(by)} L${fmt(bx + bw)} ${fmt(by + bh)} Z" fill="${colour}" fill-opacity="0.82"/>`;
    blocks.push(shape);
  }
  return [
    `<svg x="${fmt(x)}" y="${fmt(y)}" width="${fmt(w)}" height="${fmt(h)}" viewBox="0 0 ${fmt(w)} ${fmt(h)}" overflow="hidden">`,
    `<defs><linearGradient id="${id}g" x1="${fmt(0.5 - gx)}" y1="${fmt(0.5 - gy)}" x2="${fmt(0.5 + gx)}" y2="${fmt(0.5 + gy)}">`,
    `<stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs>`,
    `<rect x="0" y="0" width="${fmt(w)}" height="${fmt(h)}" fill="url(#${id}g)"/>`,
    `<circle cx="${fmt(sunX)}" cy="${fmt(sunY)}" r="${fmt(sunR)}" fill="${sun}" fill-opacity="0.85"/>`,
    `<path d="${ground}" fill="${groundColour}" fill-opacity="0.9"/>`,
    ...blocks,
    '</svg>',
  ].join('');
}

/** The smallest step >= n·0.38 that visits every one of n hues: neighbouring cells get far-apart hues. */
function hueStep(n: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = Math.max(1, Math.round(n * 0.38));
  while (gcd(step, n) !== 1) step++;
  return step;
}

interface Thumb {
  data: Buffer;
  width: number;
  height: number;
}

/** The references shrunk to thumbnails (white border, no alpha); an undecodable one becomes a grey tile. */
async function referenceThumbs(references: readonly Uint8Array[], boxW: number, boxH: number): Promise<Thumb[]> {
  const sharp = await loadSharp();
  const border = Math.max(1, Math.round(boxH * 0.04));
  const innerW = Math.max(1, boxW - 2 * border);
  const innerH = Math.max(1, boxH - 2 * border);
  // Side by side: each is a small render on sharp's threads.
  return Promise.all(
    references.slice(0, MAX_REFERENCE_THUMBS).map(async (reference): Promise<Thumb> => {
      let data: Buffer;
      try {
        data = await sharp(reference)
          .resize(innerW, innerH, { fit: 'cover', position: 'centre' })
          .flatten({ background: '#ffffff' })
          .extend({ top: border, bottom: border, left: border, right: border, background: '#ffffff' })
          .removeAlpha()
          .raw()
          .toBuffer();
      } catch {
        data = await sharp({ create: { width: boxW, height: boxH, channels: 3, background: '#9a9a9a' } }).raw().toBuffer();
      }
      return { data, width: boxW, height: boxH };
    }),
  );
}

/** Thumbnails by box size, so a grid decodes each reference once per distinct cell size. */
function thumbCache(references: readonly Uint8Array[]): (boxW: number, boxH: number) => Promise<Thumb[]> {
  const cache = new Map<string, Promise<Thumb[]>>();
  return (boxW, boxH) => {
    const key = `${boxW}x${boxH}`;
    let thumbs = cache.get(key);
    if (thumbs === undefined) {
      thumbs = referenceThumbs(references, boxW, boxH);
      cache.set(key, thumbs);
    }
    return thumbs;
  };
}

type Overlay = { input: Buffer; raw: { width: number; height: number; channels: 3 }; left: number; top: number };

interface CellDrawing {
  svg: string;
  /** The thumbnails, placed: still being made while the SVG renders. */
  overlays: Promise<Overlay[]>;
}

/** One cell (or the whole single picture): scene, caption, number and reference thumbnails. */
function drawCell(
  rect: { left: number; top: number; width: number; height: number },
  options: {
    prompt: string;
    number: string | undefined;
    hue: number;
    lightness: number;
    random: () => number;
    id: string;
    references: readonly Uint8Array[];
    /** The references as thumbnails of a given box size (memoised across the cells of a grid). */
    thumbs: (boxW: number, boxH: number) => Promise<Thumb[]>;
  },
): CellDrawing {
  const { left, top, width: w, height: h } = rect;
  const parts: string[] = [sceneSvg(left, top, w, h, { hue: options.hue, lightness: options.lightness, random: options.random, id: options.id })];
  const short = Math.min(w, h);

  // Caption: the start of the prompt, on a dark band along the bottom.
  const captionSize = Math.max(9, Math.min(36, h * 0.06, w * 0.05));
  const charsPerLine = Math.max(8, Math.floor((w * 0.92) / (captionSize * 0.56)));
  const lines = wrapText(shorten(options.prompt, CAPTION_CHARS), charsPerLine, 3);
  const lineHeight = captionSize * 1.25;
  const pad = captionSize * 0.45;
  const bandH = lines.length === 0 ? 0 : lines.length * lineHeight + pad * 2;
  parts.push(`<svg x="${fmt(left)}" y="${fmt(top)}" width="${fmt(w)}" height="${fmt(h)}" overflow="hidden">`);
  if (bandH > 0) {
    parts.push(`<rect x="0" y="${fmt(h - bandH)}" width="${fmt(w)}" height="${fmt(bandH)}" fill="#000000" fill-opacity="0.58"/>`);
    lines.forEach((line, i) => {
      const baseline = h - bandH + pad + lineHeight * i + captionSize * 0.98;
      parts.push(
        `<text x="${fmt(w * 0.04)}" y="${fmt(baseline)}" font-family="${FONT}" font-size="${fmt(captionSize)}" fill="#ffffff">${escapeXml(line)}</text>`,
      );
    });
  }
  // The cell number, large, top left.
  if (options.number !== undefined) {
    const size = Math.max(14, Math.min(h * 0.36, w * 0.3));
    parts.push(
      `<text x="${fmt(short * 0.05)}" y="${fmt(short * 0.05 + size * 0.76)}" font-family="${FONT}" font-weight="bold" font-size="${fmt(size)}" fill="#ffffff" stroke="#101010" stroke-width="${fmt(size * 0.05)}" paint-order="stroke">${escapeXml(options.number)}</text>`,
    );
  } else {
    const size = Math.max(9, short * 0.045);
    parts.push(
      `<text x="${fmt(short * 0.03)}" y="${fmt(short * 0.03 + size)}" font-family="${FONT}" font-weight="bold" font-size="${fmt(size)}" fill="#ffffff" fill-opacity="0.85">SIM</text>`,
    );
  }

  // Reference images, small, along the top right corner.
  let overlays: Promise<Overlay[]> = Promise.resolve([]);
  const refs = options.references;
  if (refs.length > 0) {
    const shown = Math.min(refs.length, MAX_REFERENCE_THUMBS);
    const margin = Math.max(2, Math.round(short * 0.03));
    const gap = Math.max(1, Math.round(short * 0.015));
    let boxH = Math.round(h * 0.2);
    let boxW = Math.round((boxH * 4) / 3);
    const room = w * 0.5;
    if (shown * boxW + (shown - 1) * gap > room) {
      boxW = Math.floor((room - (shown - 1) * gap) / shown);
      boxH = Math.round((boxW * 3) / 4);
    }
    if (boxW >= 4 && boxH >= 4) {
      overlays = options.thumbs(boxW, boxH).then((thumbs) =>
        thumbs.map((thumb, i) => ({
          input: thumb.data,
          raw: { width: thumb.width, height: thumb.height, channels: 3 as const },
          left: left + w - margin - (i + 1) * boxW - i * gap,
          top: top + margin,
        })),
      );
      // Waited for with the SVG's render: a failure meanwhile is not an unhandled rejection.
      overlays.catch(() => undefined);
      if (refs.length > shown) {
        const size = Math.max(9, boxH * 0.3);
        parts.push(
          `<text x="${fmt(w - margin)}" y="${fmt(margin + boxH + size * 1.1)}" text-anchor="end" font-family="${FONT}" font-weight="bold" font-size="${fmt(size)}" fill="#ffffff" stroke="#101010" stroke-width="${fmt(size * 0.08)}" paint-order="stroke">+${refs.length - shown}</text>`,
        );
      }
    }
  }
  parts.push('</svg>');
  return { svg: parts.join(''), overlays };
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8 || width > 8192 || height > 8192) {
    throw new RangeError(`the sim provider draws images from 8×8 to 8192×8192 pixels (asked for ${width}×${height})`);
  }
}

async function render(width: number, height: number, body: string[], cells: ReadonlyArray<CellDrawing['overlays']>): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body.join('')}</svg>`;
  // Render the SVG to raw pixels first so that the overlays are composited onto a flat RGB image
  // (the thumbnails are made meanwhile).
  const [base, placed] = await Promise.all([sharp(Buffer.from(svg, 'utf8'), { density: 72 }).flatten({ background: '#000000' }).removeAlpha().raw().toBuffer(), Promise.all(cells)]);
  const overlays = placed.flat();
  let pipeline = sharp(base, { raw: { width, height, channels: 3 } });
  if (overlays.length > 0) pipeline = pipeline.composite(overlays);
  const png = await pipeline.png(SIM_PNG_OPTIONS).toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * A rows×cols grid of candidate frames as one width×height PNG. Cells are numbered
 * 1..rows·cols row-major from the top left; their rectangles come from gridCellRect
 * (the last column and row take any remainder pixels).
 */
export async function drawSimGrid(req: SimGridRequest): Promise<Uint8Array> {
  checkSize(req.width, req.height);
  const layout: GridLayout = { rows: req.rows, cols: req.cols };
  const count = req.rows * req.cols;
  // gridCellRect validates the layout against the size.
  gridCellRect(req.width, req.height, layout, 1);
  const base = seededRandom('grid', req.seed);
  const hue0 = base() * 360;
  const step = hueStep(count);
  const body: string[] = [];
  const overlays: Array<CellDrawing['overlays']> = [];
  const thumbs = thumbCache(req.references);
  for (let cell = 1; cell <= count; cell++) {
    const index = cell - 1;
    const row = Math.floor(index / req.cols);
    const col = index % req.cols;
    const rect = gridCellRect(req.width, req.height, layout, cell);
    const hue = hue0 + (((index * step) % count) * 360) / count;
    // Checkerboard lightness: neighbours differ in brightness as well as hue.
    const lightness = (row + col) % 2 === 0 ? 0.55 : 0.38;
    const drawing = drawCell(rect, {
      prompt: req.prompt,
      number: String(cell),
      hue,
      lightness,
      random: seededRandom('cell', req.seed, cell, req.prompt),
      id: `c${cell}`,
      references: req.references,
      thumbs,
    });
    body.push(drawing.svg);
    overlays.push(drawing.overlays);
  }
  return render(req.width, req.height, body, overlays);
}

/** One picture in the same look as a grid cell (no number, a small "SIM" mark instead). */
export async function drawSimImage(req: SimImageRequest): Promise<Uint8Array> {
  checkSize(req.width, req.height);
  const base = seededRandom('image', req.seed, req.prompt);
  const drawing = drawCell(
    { left: 0, top: 0, width: req.width, height: req.height },
    {
      prompt: req.prompt,
      number: undefined,
      hue: base() * 360,
      lightness: 0.42 + base() * 0.12,
      random: seededRandom('scene', req.seed, req.prompt),
      id: 'i',
      references: req.references,
      thumbs: thumbCache(req.references),
    },
  );
  return render(req.width, req.height, [drawing.svg], [drawing.overlays]);
}
