/**
 * The sim provider's "video": an animatic, drawn here as frames and encoded as an H.264 MP4
 * (media/encode.ts) so it plays wherever a real take does: a browser, any player, the cut.
 *
 * For each shot, the start frame (or a drawn background when there is none) dimmed, with
 * "Shot N/M · Ns", the shot's prompt wrapped over it, a running clock and a progress bar.
 * One frame per second of each shot, 1000 ms each (a fractional last second gets the
 * remainder), so the play time is exactly the sum of the shot durations.
 *
 * Pure function of its inputs: text is drawn with the installed fonts, everything else
 * (dimming, blending, the bar) is integer arithmetic here, and the encoder options are fixed.
 */
import type { RawFrames } from '../../media/encode.ts';
import { clockText } from '../../plan/song-time.ts';
import { loadSharp } from '../../util/load-sharp.ts';
import { escapeXml, hsl, sceneSvg, seededRandom, shorten, wrapText } from './images.ts';

export interface AnimaticShot {
  prompt: string;
  durationSec: number;
}

export interface AnimaticRequest {
  title: string;
  startFrame: Uint8Array | undefined;
  shots: readonly AnimaticShot[];
  width: number;
  height: number;
  seed: string;
}

export interface Animatic {
  frames: RawFrames;
  durationMs: number;
}

const FONT = 'DejaVu Sans, Verdana, sans-serif';
/** Longest animatic drawn (frames are one second each). */
const MAX_TOTAL_SECONDS = 600;
/** How much of the background shows through (the rest is black), in 1/256ths. */
const DIM = 150;

interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

function checkRequest(req: AnimaticRequest): void {
  const { width, height, shots } = req;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 64 || height < 64 || width > 4096 || height > 4096) {
    throw new RangeError(`the animatic size must be whole pixels from 64 to 4096 (got ${width}×${height})`);
  }
  if (shots.length === 0) throw new RangeError('an animatic needs at least one shot');
  let total = 0;
  shots.forEach((shot, i) => {
    if (!Number.isFinite(shot.durationSec) || shot.durationSec <= 0) {
      throw new RangeError(`shot ${i + 1} has duration ${String(shot.durationSec)}; a duration must be a positive number of seconds`);
    }
    total += shot.durationSec;
  });
  if (total > MAX_TOTAL_SECONDS) throw new RangeError(`the shots last ${total} s; the animatic draws at most ${MAX_TOTAL_SECONDS} s`);
}

function durationLabel(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 10) / 10}s`;
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

async function renderSvg(svg: string, width: number, height: number): Promise<Rgba> {
  const sharp = await loadSharp();
  const doc = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${svg}</svg>`;
  const { data, info } = await sharp(Buffer.from(doc, 'utf8'), { density: 72 }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** Clock strips by their SVG: every take of one length shows the same clocks, so most takes draw none. */
const clockStrips = new Map<string, Promise<Rgba>>();
const CLOCK_STRIPS_KEPT = 16;

/** renderSvg, remembered: the strip is only ever read (blended onto frames), so takes can share it. */
function renderClocks(svg: string, width: number, height: number): Promise<Rgba> {
  const key = `${width}x${height}:${svg}`;
  let strip = clockStrips.get(key);
  if (strip === undefined) {
    strip = renderSvg(svg, width, height);
    // A failed render is not kept.
    strip.catch(() => clockStrips.delete(key));
    if (clockStrips.size >= CLOCK_STRIPS_KEPT) clockStrips.delete(clockStrips.keys().next().value ?? '');
  } else clockStrips.delete(key);
  // The most recently used last, so the oldest goes first.
  clockStrips.set(key, strip);
  return strip;
}

/** Shot layers rendered ahead of the compositing, at most this many… */
const LAYERS_AHEAD = 4;
/** …and of at most this many pixels in all (a 4K animatic renders one at a time). */
const LAYER_PIXELS_AHEAD = 4_000_000;

/**
 * Takes the results of `renders` in order, each render started once fewer than `ahead` are
 * started and not taken yet.
 */
function renderAhead(renders: ReadonlyArray<() => Promise<Rgba>>, ahead: number): () => Promise<Rgba> {
  const started: Array<Promise<Rgba> | undefined> = [];
  let taken = 0;
  const fill = (): void => {
    while (started.length < renders.length && started.length < taken + ahead) {
      const render = renders[started.length];
      const layer = render === undefined ? Promise.reject(new RangeError('no such render')) : render();
      // Waited for later, in order: a failure meanwhile is not an unhandled rejection.
      layer.catch(() => undefined);
      started.push(layer);
    }
  };
  fill();
  return () => {
    const layer = started[taken] ?? Promise.reject(new RangeError('every render was taken'));
    // Let go once taken: a long animatic keeps no more than `ahead` layers.
    started[taken] = undefined;
    taken++;
    fill();
    return layer;
  };
}

/** The dimmed background, RGB. */
async function background(req: AnimaticRequest): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const { width, height } = req;
  let rgb: Uint8Array | undefined;
  if (req.startFrame !== undefined) {
    try {
      const buffer = await sharp(req.startFrame)
        .resize(width, height, { fit: 'cover', position: 'centre' })
        .flatten({ background: '#000000' })
        .toColourspace('srgb')
        .removeAlpha()
        .raw()
        .toBuffer();
      rgb = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch {
      // An unreadable start frame falls back to the drawn background below.
      rgb = undefined;
    }
  }
  if (rgb === undefined) {
    const random = seededRandom('animatic', req.seed);
    const scene = await renderSvg(sceneSvg(0, 0, width, height, { hue: random() * 360, lightness: 0.45, random, id: 'a' }), width, height);
    rgb = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
      rgb[i] = scene.data[j] ?? 0;
      rgb[i + 1] = scene.data[j + 1] ?? 0;
      rgb[i + 2] = scene.data[j + 2] ?? 0;
    }
  }
  const dimmed = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) dimmed[i] = ((rgb[i] ?? 0) * DIM) >> 8;
  return dimmed;
}

/** Blends an RGBA layer onto an RGB image at (left, top), in place. */
function blend(target: Uint8Array, targetWidth: number, targetHeight: number, layer: Rgba, left: number, top: number, layerTop = 0, layerRows = layer.height): void {
  for (let y = 0; y < layerRows; y++) {
    const ty = top + y;
    if (ty < 0 || ty >= targetHeight) continue;
    for (let x = 0; x < layer.width; x++) {
      const tx = left + x;
      if (tx < 0 || tx >= targetWidth) continue;
      const s = ((layerTop + y) * layer.width + x) * 4;
      const alpha = layer.data[s + 3] ?? 0;
      if (alpha === 0) continue;
      const t = (ty * targetWidth + tx) * 3;
      for (let c = 0; c < 3; c++) {
        const under = target[t + c] ?? 0;
        const over = layer.data[s + c] ?? 0;
        target[t + c] = Math.round((over * alpha + under * (255 - alpha)) / 255);
      }
    }
  }
}

function fillRect(target: Uint8Array, targetWidth: number, x0: number, y0: number, x1: number, y1: number, rgb: readonly [number, number, number]): void {
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const t = (y * targetWidth + x) * 3;
      target[t] = rgb[0];
      target[t + 1] = rgb[1];
      target[t + 2] = rgb[2];
    }
  }
}

interface Frame {
  shot: number;
  start: number;
  end: number;
}

/**
 * Draws the animatic's frames. One frame per started second of each shot: every frame lasts
 * 1000 ms except a fractional shot's last one, which lasts the remainder, so
 * `durationMs` (the sum of the frame delays) is the sum of the durations, rounded to ms.
 */
export async function drawAnimatic(req: AnimaticRequest): Promise<Animatic> {
  checkRequest(req);
  const { width: W, height: H, shots } = req;
  const frames: Frame[] = [];
  const delays: number[] = [];
  let elapsedMs = 0;
  shots.forEach((shot, index) => {
    const shotMs = Math.round(shot.durationSec * 1000);
    for (let at = 0; at < shotMs; at += 1000) {
      const delay = Math.min(1000, shotMs - at);
      frames.push({ shot: index, start: elapsedMs / 1000, end: (elapsedMs + delay) / 1000 });
      delays.push(delay);
      elapsedMs += delay;
    }
  });
  const totalSec = elapsedMs / 1000;
  const M = shots.length;
  const short = Math.min(W, H);

  // Geometry of the bar and the text.
  const margin = Math.round(W * 0.05);
  const barX0 = margin;
  const barX1 = W - margin;
  const barH = Math.max(4, Math.round(H * 0.025));
  const barY0 = H - Math.round(H * 0.07) - barH;
  const barY1 = barY0 + barH;
  const titleSize = Math.max(10, short * 0.045);
  const headSize = Math.max(14, short * 0.09);
  const promptSize = Math.max(10, short * 0.05);
  const clockSize = Math.max(10, short * 0.045);
  const promptTop = margin + titleSize * 1.4 + headSize * 1.3;
  const lineHeight = promptSize * 1.3;
  const promptBottom = barY0 - clockSize * 1.8;
  const maxLines = Math.max(1, Math.floor((promptBottom - promptTop) / lineHeight));
  const charsPerLine = Math.max(10, Math.floor((W - 2 * margin) / (promptSize * 0.56)));
  const titleChars = Math.max(10, Math.floor((W - 2 * margin) / (titleSize * 0.56)));
  const xOf = (seconds: number): number => barX0 + Math.round(((barX1 - barX0) * seconds) / totalSec);


  // Shot boundaries along the bar (drawn on every frame).
  const boundaries: number[] = [];
  let acc = 0;
  for (const shot of shots.slice(0, -1)) {
    acc += Math.round(shot.durationSec * 1000) / 1000;
    boundaries.push(xOf(acc));
  }

  // The running clocks for every frame, rendered once as a strip.
  const clockH = Math.ceil(clockSize * 1.4);
  const clockW = Math.ceil(clockSize * 8);
  const clockSvg = frames
    .map((frame, i) => `<text x="${clockW}" y="${fmt(i * clockH + clockSize * 1.05)}" text-anchor="end" font-family="${FONT}" font-size="${fmt(clockSize)}" fill="#ffffff">${clockText(frame.start)} / ${clockText(totalSec)}</text>`)
    .join('');

  const hue = seededRandom('bar', req.seed)() * 360;
  const barFill = hexRgb(hsl(hue, 0.8, 0.6));
  const shotFill = hexRgb(hsl(hue, 0.8, 0.78));
  const track: readonly [number, number, number] = [70, 70, 70];

  const overlaySvg = (s: number, shot: AnimaticShot): string => {
    const lines = wrapText(shot.prompt, charsPerLine, maxLines);
    const textBottom = promptTop + lineHeight * Math.max(1, lines.length) + promptSize * 0.6;
    return [
      // Dark backing behind the text (fading out below it) and behind the bar and clock.
      `<defs><linearGradient id="shade" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#000000" stop-opacity="0.72"/><stop offset="0.75" stop-color="#000000" stop-opacity="0.55"/><stop offset="1" stop-color="#000000" stop-opacity="0"/></linearGradient></defs>`,
      `<rect x="0" y="0" width="${W}" height="${fmt(Math.min(H, textBottom + promptSize * 2))}" fill="url(#shade)"/>`,
      `<rect x="0" y="${fmt(barY0 - clockSize * 2.2)}" width="${W}" height="${fmt(H - barY0 + clockSize * 2.2)}" fill="#000000" fill-opacity="0.72"/>`,
      `<text x="${margin}" y="${fmt(margin + titleSize)}" font-family="${FONT}" font-size="${fmt(titleSize)}" fill="#d8d8d8">${escapeXml(shorten(req.title, titleChars))}</text>`,
      `<text x="${margin}" y="${fmt(margin + titleSize * 1.4 + headSize)}" font-family="${FONT}" font-weight="bold" font-size="${fmt(headSize)}" fill="#ffffff">Shot ${s + 1}/${M} · ${durationLabel(shot.durationSec)}</text>`,
      ...lines.map(
        (line, i) =>
          `<text x="${margin}" y="${fmt(promptTop + lineHeight * i + promptSize)}" font-family="${FONT}" font-size="${fmt(promptSize)}" fill="#f2f2f2">${escapeXml(line)}</text>`,
      ),
    ].join('');
  };
  // The renders run side by side (each is a few ms of work on sharp's threads, and a take waits
  // for all of them), a few shots ahead of the compositing so that few layers are held at once.
  const nextLayer = renderAhead(shots.map((shot, s) => () => renderSvg(overlaySvg(s, shot), W, H)), Math.max(1, Math.min(LAYERS_AHEAD, Math.floor(LAYER_PIXELS_AHEAD / (W * H)))));
  const [base, clocks] = await Promise.all([background(req), renderClocks(clockSvg, clockW, clockH * frames.length)]);

  const frameBytes = W * H * 3;
  const all = new Uint8Array(frameBytes * frames.length);
  let frameIndex = 0;
  for (let s = 0; s < M; s++) {
    const shotLayer = await nextLayer();
    const shotBase = base.slice();
    blend(shotBase, W, H, shotLayer, 0, 0);
    // The track, with this shot's stretch lighter.
    fillRect(shotBase, W, barX0, barY0, barX1, barY1, track);
    for (const frame of frames) {
      if (frame.shot !== s) continue;
      const target = all.subarray(frameIndex * frameBytes, (frameIndex + 1) * frameBytes);
      target.set(shotBase);
      const shotStart = xOf(frames.find((f) => f.shot === s)?.start ?? frame.start);
      fillRect(target, W, barX0, barY0, xOf(frame.end), barY1, barFill);
      fillRect(target, W, shotStart, barY0, xOf(frame.end), barY1, shotFill);
      for (const x of boundaries) fillRect(target, W, Math.max(barX0, x - 1), barY0 - 3, Math.min(barX1, x + 1), barY1 + 3, [255, 255, 255]);
      blend(target, W, H, clocks, barX1 - clockW, barY0 - clockH - Math.round(clockSize * 0.3), frameIndex * clockH, clockH);
      frameIndex++;
    }
  }

  return { frames: { data: all, width: W, height: H, delays }, durationMs: elapsedMs };
}

function hexRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
