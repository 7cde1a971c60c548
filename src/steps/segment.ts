import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CardText, CutFormat } from '../graph/nodes.ts';
import type { Picture } from '../graph/key-material.ts';
import { drawCard, drawLabel } from '../media/cards.ts';
import { encodeFrames, encodeTo, h264Args, withScratch } from '../media/encode.ts';
import type { Ffmpeg, MediaFailure } from '../media/ffmpeg.ts';
import { secondsText } from '../plan/song-time.ts';
import { loadSharp } from '../util/load-sharp.ts';
import { err, ok, type Result } from '../util/result.ts';
import { sniffImageType, type StepResult } from './step-types.ts';

export const segmentStepVersion = 1;

export interface SegmentRequest {
  /** What it shows, with each picture's bytes (a take's shots in order). */
  picture: Picture['kind'];
  pictures: readonly Uint8Array[];
  card: CardText;
  /** Burnt in when set (cg cut --overlay). */
  label: string | null;
  format: CutFormat;
  frames: number;
  ffmpeg: Ffmpeg;
  scratch: string;
}

/** An animated WebP take (made before takes were MP4) as an MP4 ffmpeg can read (its WebP decoder takes stills only). */
async function webpAsMp4(bytes: Uint8Array, ffmpeg: Ffmpeg, scratch: string): Promise<Result<Uint8Array, MediaFailure>> {
  const sharp = await loadSharp();
  const meta = await sharp(bytes, { animated: true }).metadata();
  const pages = meta.pages ?? 1;
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  const data = await sharp(bytes, { animated: true }).removeAlpha().raw().toBuffer();
  const delays = meta.delay ?? Array.from({ length: pages }, () => 1000);
  return encodeFrames(ffmpeg, scratch, { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height, delays });
}

function fit(format: CutFormat): string {
  const { width: w, height: h, fps } = format;
  return `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=${fps}`;
}

/** Seconds of every input ffmpeg described, in order. */
function inputDurations(stderr: string): number[] {
  return [...stderr.matchAll(/Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/g)].map(([, h, m, s]) => Number(h) * 3600 + Number(m) * 60 + Number(s));
}

/** Writes the inputs and the ffmpeg arguments that render the slot from them. */
async function renderArgs(req: SegmentRequest, dir: string): Promise<Result<{ args: string[]; videos: number }, MediaFailure>> {
  const { format } = req;
  const inputs: string[] = [];
  const filters: string[] = [];
  let videos = 0;
  if (req.picture === 'take') {
    for (const [i, bytes] of req.pictures.entries()) {
      let mp4 = bytes;
      if (sniffImageType(bytes) === 'image/webp') {
        const converted = await webpAsMp4(bytes, req.ffmpeg, dir);
        if (!converted.ok) return converted;
        mp4 = converted.value;
      }
      await writeFile(join(dir, `take${i}.mp4`), mp4);
      inputs.push('-i', join(dir, `take${i}.mp4`));
      filters.push(`[${i}:v]${fit(format)}[v${i}]`);
    }
    videos = req.pictures.length;
    const joined = req.pictures.map((_, i) => `[v${i}]`).join('');
    // A take shorter than its slot holds its last frame; -frames:v trims a longer one.
    filters.push(`${joined}concat=n=${videos}:v=1:a=0,tpad=stop_mode=clone:stop_duration=${Math.ceil(req.frames / format.fps) + 1}[base]`);
  } else {
    const still = req.picture === 'card' ? await drawCard(req.card, format.width, format.height) : req.pictures[0];
    if (still === undefined) return err({ kind: 'media', message: `a ${req.picture} segment needs its picture` });
    await writeFile(join(dir, 'still.png'), still);
    // One decoded picture a second, repeated by the fps filter: decoding a big PNG per frame is slow.
    inputs.push('-loop', '1', '-framerate', '1', '-i', join(dir, 'still.png'));
    filters.push(`[0:v]${fit(format)}[base]`);
  }
  let out = '[base]';
  if (req.label !== null) {
    await writeFile(join(dir, 'label.png'), await drawLabel(req.label, format.width, format.height));
    const index = inputs.filter((arg) => arg === '-i').length;
    inputs.push('-loop', '1', '-framerate', '1', '-i', join(dir, 'label.png'));
    filters.push(`[base][${index}:v]overlay=0:0[labelled]`);
    out = '[labelled]';
  }
  return ok({ args: [...inputs, '-filter_complex', filters.join(';'), '-map', out, '-frames:v', String(req.frames), '-an', ...h264Args(format.fps)], videos });
}

/** Renders one slot of the cut: its picture scaled into the cut's frame, exactly `frames` long. Local and free. */
export async function runSegmentStep(req: SegmentRequest): Promise<StepResult> {
  const rendered = await withScratch(req.scratch, async (dir) => {
    const built = await renderArgs(req, dir);
    if (!built.ok) return built;
    const encoded = await encodeTo(req.ffmpeg, dir, 'segment.mp4', built.value.args);
    if (!encoded.ok) return encoded;
    return ok({ bytes: encoded.value.bytes, takeSec: inputDurations(encoded.value.stderr).slice(0, built.value.videos).reduce((sum, s) => sum + s, 0) });
  });
  if (!rendered.ok) return { ok: false, error: { kind: 'rejected', message: `the segment could not be rendered: ${rendered.error.message}` } };
  const slotSec = req.frames / req.format.fps;
  const notes: string[] = [];
  const { takeSec } = rendered.value;
  if (req.picture === 'take' && takeSec < slotSec - 0.5 / req.format.fps) notes.push(`the take is ${secondsText(takeSec)}, its slot ${secondsText(slotSec)}: the last ${secondsText(slotSec - takeSec)} hold its last frame`);
  if (req.picture === 'take' && takeSec > slotSec + 0.5 / req.format.fps) notes.push(`the take is ${secondsText(takeSec)}, its slot ${secondsText(slotSec)}: its last ${secondsText(takeSec - slotSec)} are cut`);
  return { ok: true, value: { bytes: rendered.value.bytes, mimeType: 'video/mp4', extension: 'mp4', costUsd: 0, calls: 0, model: 'local', requestId: null, notes } };
}
