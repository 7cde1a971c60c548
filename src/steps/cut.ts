import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeTo, withScratch } from '../media/encode.ts';
import type { Ffmpeg } from '../media/ffmpeg.ts';
import type { StepResult } from './step-types.ts';

export const audioStepVersion = 1;
export const cutStepVersion = 1;

const clean = ['-fflags', '+bitexact', '-map_metadata', '-1'];

function failed(what: string, message: string): StepResult {
  return { ok: false, error: { kind: 'rejected', message: `${what}: ${message}` } };
}

/** The song as the cut's audio track: AAC (an AAC song as it is, else stereo 48 kHz), the song's length. Local and free. */
export async function runAudioStep(request: { song: string; copy: boolean; durationSec: number; ffmpeg: Ffmpeg; scratch: string }): Promise<StepResult> {
  const codec = request.copy ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000'];
  const encoded = await withScratch(request.scratch, (dir) =>
    encodeTo(request.ffmpeg, dir, 'song.m4a', ['-i', request.song, '-map', '0:a:0', '-vn', ...codec, '-t', String(request.durationSec), ...clean, '-f', 'mp4']),
  );
  if (!encoded.ok) return failed(`the song ${request.song} could not be encoded`, encoded.error.message);
  return { ok: true, value: { bytes: encoded.value.bytes, mimeType: 'audio/mp4', extension: 'm4a', costUsd: 0, calls: 0, model: 'local', requestId: null, notes: [] } };
}

/**
 * Joins the segments in song order without re-encoding them (they share size, rate and codec)
 * and lays the song under them: one H.264 and one AAC track, the song's length.
 */
export async function runCutStep(request: { segments: readonly Uint8Array[]; audio: Uint8Array; durationSec: number; ffmpeg: Ffmpeg; scratch: string }): Promise<StepResult> {
  const encoded = await withScratch(request.scratch, async (dir) => {
    const names = request.segments.map((_, i) => `segment${String(i).padStart(4, '0')}.mp4`);
    await Promise.all(request.segments.map((bytes, i) => writeFile(join(dir, names[i] ?? ''), bytes)));
    await writeFile(join(dir, 'segments.txt'), names.map((name) => `file '${name}'\n`).join(''));
    await writeFile(join(dir, 'audio.m4a'), request.audio);
    return encodeTo(request.ffmpeg, dir, 'cut.mp4', [
      ...['-f', 'concat', '-safe', '0', '-i', join(dir, 'segments.txt'), '-i', join(dir, 'audio.m4a')],
      ...['-map', '0:v:0', '-map', '1:a:0', '-c', 'copy', '-t', String(request.durationSec), '-movflags', '+faststart', ...clean, '-f', 'mp4'],
    ]);
  });
  if (!encoded.ok) return failed('the cut could not be joined', encoded.error.message);
  return { ok: true, value: { bytes: encoded.value.bytes, mimeType: 'video/mp4', extension: 'mp4', costUsd: 0, calls: 0, model: 'local', requestId: null, notes: [] } };
}
