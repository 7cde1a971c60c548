import type { Ffmpeg, MediaFailure } from './ffmpeg.ts';
import { err, ok, type Result } from '../util/result.ts';

/** What ffmpeg reads in a media file: its length and the codec of its first video and audio streams. */
export interface MediaInfo {
  durationSec: number;
  video: { codec: string; width: number; height: number; fps: number | undefined } | undefined;
  audio: { codec: string } | undefined;
}

/**
 * Reads a file's header with ffmpeg itself (the static build has no ffprobe): `ffmpeg -i` with
 * no output exits 1 by design, so its description is read whatever the exit code. The error is
 * words about the file, or a MediaFailure when ffmpeg could not be run at all.
 */
export async function probeMedia(ffmpeg: Ffmpeg, file: string): Promise<Result<MediaInfo, string | MediaFailure>> {
  const run = await ffmpeg.run(['-i', file]);
  // No stderr at all: ffmpeg itself did not run (the file was never looked at).
  if (!run.ok && run.error.stderr === undefined) return err(run.error);
  return parseMediaInfo(run.ok ? run.value.stderr : (run.error.stderr ?? run.error.message));
}

export function parseMediaInfo(text: string): Result<MediaInfo, string> {
  const duration = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  const videoLine = /Stream #\d+:\d+[^:\n]*: Video: ([^\n]*)/.exec(text)?.[1];
  const audio = /Stream #\d+:\d+[^:\n]*: Audio: (\w+)/.exec(text);
  if (duration === null || (videoLine === undefined && audio === null)) {
    const reason = /Invalid data found when processing input|No such file or directory|moov atom not found|Permission denied/.exec(text)?.[0];
    return err(reason ?? 'ffmpeg found no audio or video in it');
  }
  const [, h, m, s] = duration;
  const size = videoLine === undefined ? null : /, (\d{2,5})x(\d{2,5})/.exec(videoLine);
  const fps = videoLine === undefined ? null : /, ([\d.]+) fps/.exec(videoLine);
  return ok({
    durationSec: Number(h) * 3600 + Number(m) * 60 + Number(s),
    video: videoLine === undefined ? undefined : { codec: /^\w+/.exec(videoLine)?.[0] ?? '', width: Number(size?.[1] ?? 0), height: Number(size?.[2] ?? 0), fps: fps === null ? undefined : Number(fps[1]) },
    audio: audio === null ? undefined : { codec: audio[1] ?? '' },
  });
}
