import { stat } from 'node:fs/promises';
import type { Ffmpeg } from '../../media/ffmpeg.ts';
import { loadSharp } from '../../util/load-sharp.ts';

const posterWidth = 320;
/** An animatic fades in from black: its still is the frame this far in. */
const posterAtMs = 1500;

/** The frame of an animation (by its frames' delays) shown at `posterAtMs`; 0 for a still. */
function stillPage(delays: readonly number[]): number {
  let at = 0;
  const page = delays.findIndex((delay) => (at += delay) >= posterAtMs);
  return page === -1 ? 0 : page;
}

/**
 * Small stills for the board's cards: the frame of a take (MP4, or an animated WebP made before
 * takes were MP4) a moment in, or a still image, as JPEG, remembered by file, size and time so the board draws each one once.
 */
export class Posters {
  readonly #made = new Map<string, Promise<Uint8Array>>();
  readonly #ffmpeg: () => Promise<Ffmpeg>;

  constructor(ffmpeg: () => Promise<Ffmpeg>) {
    this.#ffmpeg = ffmpeg;
  }

  /** A video's frame at `posterAtMs`, as JPEG, by ffmpeg (sharp reads no video). */
  async #videoStill(file: string): Promise<Uint8Array> {
    const ffmpeg = await this.#ffmpeg();
    const args = ['-i', file, '-frames:v', '1', '-vf', `scale=${posterWidth}:-2`, '-q:v', '4', '-f', 'image2pipe', '-vcodec', 'mjpeg', 'pipe:1'];
    const run = await ffmpeg.run(['-ss', String(posterAtMs / 1000), ...args]);
    // A take shorter than the poster's moment: its first frame.
    const still = run.ok && run.value.stdout.byteLength > 0 ? run : await ffmpeg.run(args);
    if (!still.ok) throw new Error(still.error.message);
    return still.value.stdout;
  }

  async of(file: string): Promise<Uint8Array> {
    const info = await stat(file);
    const id = `${file}:${info.size}:${info.mtimeMs}`;
    let made = this.#made.get(id);
    if (made === undefined) {
      made = file.endsWith('.mp4') ? this.#videoStill(file) : loadSharp().then(async (sharp) => {
        const page = stillPage((await sharp(file).metadata()).delay ?? []);
        return new Uint8Array(await sharp(file, { page }).resize({ width: posterWidth }).jpeg({ quality: 78 }).toBuffer());
      });
      // A failed poster is not remembered: the file may be mid-write.
      made.catch(() => this.#made.delete(id));
      this.#made.set(id, made);
    }
    return made;
  }
}
