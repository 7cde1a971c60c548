import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The temp files writeFileAtomic leaves when a process dies between writing and renaming. */
const tempFile = /\.[0-9a-f]{12}\.tmp$/;
/** The scratch folders an encode works in (media/encode.ts `withScratch`), under `.cg/tmp/`. */
const scratchFolder = /^media-[A-Za-z0-9]{6}$/;

/**
 * Removes the half-written temp files a command that died holding the project lock left
 * beside the state files (the files themselves are whole: they are replaced by rename), and
 * the scratch folders of encodes it did not finish.
 * Called only under the lock, after taking it over from a dead command; returns how many.
 */
export async function removeTornWrites(dir: string): Promise<number> {
  let removed = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && scratchFolder.test(entry.name) && dir.endsWith('tmp')) {
      await rm(path, { recursive: true, force: true });
      removed += 1;
    } else if (entry.isDirectory()) removed += await removeTornWrites(path);
    else if (tempFile.test(entry.name)) {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
