import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, writeFileAtomic } from '../util/atomic-fs.ts';
import { noFaults, type Faults } from '../util/faults.ts';
import type { BlobHash } from '../util/hash.ts';
import type { StatCache } from './stat-cache.ts';

/** The readable copies of outputs under the project folder (takes/…), checked by content hash. */
export interface OutputFiles {
  /** The file holds exactly these bytes (read and hashed only when its stat changed since last checked). */
  matches(relative: string, hash: BlobHash): Promise<boolean>;
  read(relative: string): Promise<Uint8Array | undefined>;
  /** Writes the bytes atomically and remembers their hash under the file's new stat. */
  write(relative: string, bytes: Uint8Array, hash: BlobHash): Promise<void>;
  /** The names in a folder (none when it does not exist). */
  list(relativeDir: string): Promise<string[]>;
}

/** Output files of one project folder, their hashes remembered in its stat cache. */
export class ProjectFiles implements OutputFiles {
  readonly #dir: string;
  readonly #stats: StatCache;
  readonly #faults: Faults;

  constructor(dir: string, stats: StatCache, faults: Faults = noFaults) {
    this.#dir = dir;
    this.#stats = stats;
    this.#faults = faults;
  }

  async matches(relative: string, hash: BlobHash): Promise<boolean> {
    return (await this.#stats.hashIfPresent(relative)) === hash;
  }

  async read(relative: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.#dir, relative));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(relativeDir: string): Promise<string[]> {
    return readdir(join(this.#dir, relativeDir)).catch((error: unknown) => {
      if (isNotFound(error)) return [];
      throw error;
    });
  }

  async write(relative: string, bytes: Uint8Array, hash: BlobHash): Promise<void> {
    await writeFileAtomic(join(this.#dir, relative), bytes, () => this.#faults('write:take'));
    this.#stats.remember(relative, hash);
  }
}
