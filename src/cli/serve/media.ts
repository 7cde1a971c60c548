import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound } from '../../util/atomic-fs.ts';
import { loadSharp } from '../../util/load-sharp.ts';

/**
 * The newest cut of the song (`cut/<Title>_cutNNN.mp4`, the highest number), from the project
 * folder; null when none was made.
 */
export async function newestCut(projectDir: string): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(join(projectDir, 'cut'));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  const numbered = names.flatMap((name) => {
    const match = /_cut(\d+)\.mp4$/.exec(name);
    return match?.[1] === undefined ? [] : [{ name, n: Number(match[1]) }];
  });
  const newest = numbered.sort((a, b) => a.n - b.n).at(-1);
  return newest === undefined ? null : `cut/${newest.name}`;
}

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
 * Small stills for the board's cards: the frame of an animated WebP (a sim take) a moment in or a
 * still image, as JPEG, remembered by file, size and time so the board draws each one once.
 */
export class Posters {
  readonly #made = new Map<string, Promise<Uint8Array>>();

  async of(file: string): Promise<Uint8Array> {
    const info = await stat(file);
    const id = `${file}:${info.size}:${info.mtimeMs}`;
    let made = this.#made.get(id);
    if (made === undefined) {
      made = loadSharp().then(async (sharp) => {
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
