import { join } from 'node:path';
import type { SongFile } from '../graph/compile-cut.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { StatCache } from '../cache/stat-cache.ts';
import type { MediaTools } from '../media/tools.ts';
import { isNotFound, readSmallText, writeJsonAtomic } from '../util/atomic-fs.ts';
import { CgFailure } from '../util/errors.ts';
import { err, ok, type Result } from '../util/result.ts';
import type { BlobHash } from '../util/hash.ts';

type Measured = Pick<SongFile, 'durationSec' | 'codec'>;

/** Song lengths and codecs by content hash, so ffmpeg reads a song once, not on every command. */
async function knownSongs(file: string): Promise<Record<string, Measured | undefined>> {
  try {
    const parsed: unknown = JSON.parse(await readSmallText(file));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, Measured>) : {};
  } catch (error) {
    if (isNotFound(error) || error instanceof SyntaxError) return {}; // a damaged cache is read again from the song
    throw error;
  }
}

/**
 * The plan's song, hashed and measured (the loader has checked that the file is there): a song
 * ffmpeg cannot read is a mistake in plan.json's `song.file`, said in words.
 */
export async function measureSong(options: { file: string; paths: ProjectPaths; stats: StatCache; media: MediaTools; write: boolean }): Promise<Result<SongFile, string>> {
  const { file, paths } = options;
  const hash: BlobHash = await options.stats.hashFile(file);
  const cacheFile = join(paths.cache, 'songs.json');
  const known = await knownSongs(cacheFile);
  let measured = known[hash];
  const path = join(paths.dir, file);
  if (typeof measured?.durationSec !== 'number' || !(measured.durationSec > 0) || typeof measured.codec !== 'string') {
    const { probeMedia } = await import('../media/probe.ts');
    const info = await probeMedia(await options.media.ffmpeg(), path);
    const unreadable = (why: string): Result<SongFile, string> => err(`"${file}" is not a song ffmpeg can read (${why}): export it again as .m4a, .mp3 or .wav`);
    if (!info.ok) {
      if (typeof info.error === 'string') return unreadable(info.error);
      throw new CgFailure({ kind: 'usage', message: `${info.error.message}; the song in plan.json (song.file) needs it` });
    }
    if (info.value.audio === undefined || !(info.value.durationSec > 0)) return unreadable('it has no audio track');
    measured = { durationSec: info.value.durationSec, codec: info.value.audio.codec };
    if (options.write) await writeJsonAtomic(cacheFile, { ...known, [hash]: measured });
  }
  return ok({ file, path, hash, ...measured });
}
