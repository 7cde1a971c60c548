import { readFile, stat } from 'node:fs/promises';
import { hashBytes, isBlobHash, type BlobHash } from '../util/hash.ts';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomic-fs.ts';

type Entry = [size: string, mtimeNs: string, ctimeNs: string, ino: string, hash: BlobHash];

/**
 * (path, size, mtime, ctime, inode) → content hash, so a no-op build reads no
 * image bytes. Nanosecond times keep a quick edit after a build from hiding.
 */
export class StatCache {
  readonly #file: string;
  readonly #entries: Map<string, Entry>;
  #dirty = false;

  private constructor(file: string, entries: Map<string, Entry>) {
    this.#file = file;
    this.#entries = entries;
  }

  static async open(file: string): Promise<StatCache> {
    let data: unknown;
    try {
      data = await readJsonIfExists(file);
    } catch {
      data = undefined; // an unreadable cache is rebuilt, not an error
    }
    const entries = new Map<string, Entry>();
    if (data !== null && typeof data === 'object' && 'entries' in data && typeof data.entries === 'object' && data.entries !== null) {
      for (const [path, entry] of Object.entries(data.entries as Record<string, unknown>)) {
        if (Array.isArray(entry) && entry.length === 5 && typeof entry[4] === 'string' && isBlobHash(entry[4])) {
          entries.set(path, entry as Entry);
        }
      }
    }
    return new StatCache(file, entries);
  }

  /** The content hash of a file, from the cache when its stat is unchanged. */
  async hashFile(path: string): Promise<BlobHash> {
    const s = await stat(path, { bigint: true });
    const fingerprint: [string, string, string, string] = [String(s.size), String(s.mtimeNs), String(s.ctimeNs), String(s.ino)];
    const cached = this.#entries.get(path);
    if (cached !== undefined && cached.slice(0, 4).every((part, i) => part === fingerprint[i])) return cached[4];
    const hash = hashBytes(await readFile(path));
    this.#entries.set(path, [...fingerprint, hash]);
    this.#dirty = true;
    return hash;
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    await writeJsonAtomic(this.#file, { version: 1, entries: Object.fromEntries(this.#entries) });
    this.#dirty = false;
  }
}
