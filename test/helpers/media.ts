import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrames } from '../../src/media/encode.ts';
import { createFfmpeg, locateFfmpeg, type Ffmpeg } from '../../src/media/ffmpeg.ts';
import { probeMedia, type MediaInfo } from '../../src/media/probe.ts';
import type { Animatic } from '../../src/providers/sim/animatic.ts';

/** The ffmpeg the project ships (@ffmpeg-installer), as the CLI finds it. */
export const ffmpeg: Ffmpeg = createFfmpeg(await locateFfmpeg(undefined, undefined));

export async function probeFile(file: string): Promise<MediaInfo> {
  const info = await probeMedia(ffmpeg, file);
  if (!info.ok) throw new Error(`${file}: ${typeof info.error === 'string' ? info.error : info.error.message}`);
  return info.value;
}

export async function probeBytes(bytes: Uint8Array): Promise<MediaInfo> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-probe-'));
  try {
    await writeFile(join(dir, 'media'), bytes);
    return await probeFile(join(dir, 'media'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function encoded(animatic: Animatic): Promise<Uint8Array> {
  const result = await encodeFrames(ffmpeg, tmpdir(), animatic.frames);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** The frame shown at `seconds`, as RGB pixels scaled to width×height. */
export async function frameAt(file: string, seconds: number, width: number, height: number): Promise<Buffer> {
  const run = await ffmpeg.run(['-ss', String(seconds), '-i', file, '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  if (!run.ok) throw new Error(run.error.message);
  return Buffer.from(run.value.stdout);
}
