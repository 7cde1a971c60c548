import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ffmpeg, MediaFailure } from './ffmpeg.ts';
import { err, ok, type Result } from '../util/result.ts';

/**
 * H.264 in MP4 that every browser, player and the cut's concat can take: yuv420p, no B-frames
 * (segments joined without re-encoding keep exact frame counts), the index up front for
 * streaming, and no encoder version strings so the same frames give the same bytes.
 */
export function h264Args(fps: number): string[] {
  return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-bf', '0', '-r', String(fps), '-video_track_timescale', String(fps * 1000), '-movflags', '+faststart', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-map_metadata', '-1'];
}

/** A scratch folder under `root`, removed afterwards whatever happens. */
export async function withScratch<T>(root: string, task: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(join(root, 'media-'));
  try {
    return await task(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs ffmpeg writing `out` (a name inside the scratch folder): that file's bytes, and what ffmpeg said of its inputs. */
export async function encodeTo(ffmpeg: Ffmpeg, dir: string, out: string, args: readonly string[], input?: Uint8Array, signal?: AbortSignal): Promise<Result<{ bytes: Uint8Array; stderr: string }, MediaFailure>> {
  const target = join(dir, out);
  const run = await ffmpeg.run([...args, '-y', target], { ...(input === undefined ? {} : { input }), ...(signal === undefined ? {} : { signal }) });
  if (!run.ok) return run;
  return ok({ bytes: new Uint8Array(await readFile(target)), stderr: run.value.stderr });
}

export interface RawFrames {
  /** RGB24 frames, one after another. */
  data: Uint8Array;
  width: number;
  height: number;
  /** How long each frame shows, in ms. */
  delays: readonly number[];
}

/**
 * Encodes still frames of varying length as an MP4: at one frame a second when every delay is
 * whole seconds (an animatic), else at 10 fps with frames repeated (delays rounded to 100 ms).
 * Aborting `signal` stops ffmpeg.
 */
export async function encodeFrames(ffmpeg: Ffmpeg, scratch: string, frames: RawFrames, signal?: AbortSignal): Promise<Result<Uint8Array, MediaFailure>> {
  const { width, height, delays, data } = frames;
  if (width % 2 !== 0 || height % 2 !== 0) return err({ kind: 'media', message: `H.264 needs an even width and height (got ${width}×${height})` });
  const fps = delays.every((delay) => delay % 1000 === 0) ? 1 : 10;
  const frameBytes = width * height * 3;
  const repeats = delays.map((delay) => Math.max(1, Math.round((delay * fps) / 1000)));
  const raw = new Uint8Array(frameBytes * repeats.reduce((sum, n) => sum + n, 0));
  let at = 0;
  repeats.forEach((count, i) => {
    const frame = data.subarray(i * frameBytes, (i + 1) * frameBytes);
    for (let k = 0; k < count; k++, at += frameBytes) raw.set(frame, at);
  });
  const encoded = await withScratch(scratch, (dir) =>
    encodeTo(ffmpeg, dir, 'frames.mp4', ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0', '-an', ...h264Args(fps)], raw, signal),
  );
  return encoded.ok ? ok(encoded.value.bytes) : encoded;
}
