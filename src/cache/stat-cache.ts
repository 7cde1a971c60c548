import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashBytes, isBlobHash, type BlobHash } from '../util/hash.ts';
import { isNotFound } from '../util/atomic-fs.ts';
import { AppendedFile } from '../util/appended-file.ts';
import { noFaults, type Faults } from '../util/faults.ts';

type Entry = [size: string, mtimeNs: string, ctimeNs: string, ino: string, hash: BlobHash];
type Print = [size: string, mtimeNs: string, ctimeNs: string, ino: string];

/**
 * Synchronous on purpose: a no-op build stats every reference and take file, and thousands of
 * small stats through the thread pool cost several times what they cost inline.
 */
function statPrint(path: string): Print {
  const s = statSync(path, { bigint: true });
  return [String(s.size), String(s.mtimeNs), String(s.ctimeNs), String(s.ino)];
}

const isEntry = (entry: unknown): entry is Entry => Array.isArray(entry) && entry.length === 5 && entry.every((part) => typeof part === 'string') && isBlobHash(entry[4] as string);

/**
 * (path, size, mtime, ctime, inode) → content hash, so a no-op build reads no
 * image bytes. Nanosecond times keep a quick edit after a build from hiding.
 * Paths are relative to the project folder, so a moved project keeps its entries
 * and a copy (new inodes and ctimes) re-hashes its own files, never trusting the original's.
 *
 * The file is the cache written whole on its first line, then the entries recorded since, a
 * line each (`[path, size, mtime, ctime, ino, hash]`, a later one for a path replacing the
 * earlier): a build of one sequence of 10,000 records a few files, and appends them instead of
 * writing 2 MB again. A line cut short by a crash is passed over; the whole cache is written
 * again once the lines pass a quarter of its length.
 */
export class StatCache {
  readonly #base: string;
  readonly #entries: Map<string, Entry>;
  readonly #faults: Faults;
  readonly #appended: AppendedFile;
  /** Paths recorded since the file was read or written. */
  #recorded = new Set<string>();
  /** Files hashed by a reader of their own (readBy), given the stat print the read was taken under. */
  readonly #readers = new Map<string, (print: string) => BlobHash>();

  private constructor(base: string, entries: Map<string, Entry>, faults: Faults, appended: AppendedFile) {
    this.#base = base;
    this.#entries = entries;
    this.#faults = faults;
    this.#appended = appended;
  }

  /** `base`: the folder the hashed paths are relative to. Read synchronously, as the stats are. */
  static open(file: string, base: string, faults: Faults = noFaults): StatCache {
    const read = AppendedFile.read(file);
    let data: unknown;
    try {
      data = JSON.parse(read.base?.toString('utf8') ?? '') as unknown;
    } catch {
      data = undefined;
    }
    const entries = new Map<string, Entry>();
    // Version 1 keyed absolute paths: dropped, not trusted.
    if (data === null || typeof data !== 'object' || !('version' in data) || data.version !== 2 || !('entries' in data) || typeof data.entries !== 'object' || data.entries === null) {
      read.appended.unusable();
      return new StatCache(base, entries, faults, read.appended);
    }
    for (const [path, entry] of Object.entries(data.entries as Record<string, unknown>)) if (isEntry(entry)) entries.set(path, entry);
    for (const line of read.lines) {
      const entry = parseLine(line.toString('utf8'));
      if (entry !== undefined) entries.set(entry[0], entry[1]);
    }
    return new StatCache(base, entries, faults, read.appended);
  }

  /** The content hash of a file (a path relative to the base), from the cache when its stat is unchanged. */
  async hashFile(path: string): Promise<BlobHash> {
    const absolute = join(this.#base, path);
    const fingerprint = statPrint(absolute);
    const cached = this.#cached(path, fingerprint);
    if (cached !== undefined) return cached;
    const reader = this.#readers.get(path);
    return this.#record(path, fingerprint, reader !== undefined ? reader(fingerprint.join(':')) : hashBytes(await readFile(absolute)));
  }

  /**
   * Has `path` hashed by `reader`, which reads the file once for its hash and what its caller
   * needs besides (plan.json: its layout). Returns what the file, as it is now, read as: the
   * read this cache made to hash it when its stat is unchanged since, else a new one (undefined
   * when the file does not exist). A file of megabytes is then read once per command.
   */
  readBy<T extends { hash: BlobHash }>(path: string, reader: (absolute: string) => T): () => T | undefined {
    const absolute = join(this.#base, path);
    let kept: { print: string; value: T } | undefined;
    const read = (print: string): T => {
      const value = reader(absolute);
      kept = { print, value };
      return value;
    };
    this.#readers.set(path, (print) => read(print).hash);
    return () => {
      let fingerprint: Print;
      try {
        fingerprint = statPrint(absolute);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      const print = fingerprint.join(':');
      if (kept?.print === print) return kept.value;
      const value = read(print);
      if (this.#cached(path, fingerprint) !== value.hash) this.#record(path, fingerprint, value.hash);
      return value;
    };
  }

  /**
   * A small file's bytes with their content hash (from the cache when its stat, taken before the
   * read, is unchanged), for a caller that needs both: the file is read once and hashed at most
   * once. Undefined when the file does not exist.
   */
  readHashed(path: string): { bytes: Buffer; hash: BlobHash } | undefined {
    const absolute = join(this.#base, path);
    let fingerprint: Print;
    let bytes: Buffer;
    try {
      fingerprint = statPrint(absolute);
      bytes = readFileSync(absolute);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return { bytes, hash: this.#cached(path, fingerprint) ?? this.#record(path, fingerprint, hashBytes(bytes)) };
  }

  #cached(path: string, fingerprint: Print): BlobHash | undefined {
    const cached = this.#entries.get(path);
    return cached !== undefined && cached.slice(0, 4).every((part, i) => part === fingerprint[i]) ? cached[4] : undefined;
  }

  #record(path: string, fingerprint: Print, hash: BlobHash): BlobHash {
    this.#entries.set(path, [...fingerprint, hash]);
    this.#recorded.add(path);
    return hash;
  }

  /** Like hashFile, but undefined when the file does not exist. */
  async hashIfPresent(path: string): Promise<BlobHash | undefined> {
    try {
      return await this.hashFile(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * What a file's stat says of it (size, times, inode), null when it does not exist: what this
   * cache trusts a file's content by, for a caller that only needs to know the file is as it was.
   */
  print(path: string): string | null {
    try {
      return statPrint(join(this.#base, path)).join(':');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Remembers the hash of a file just written with known bytes, so it is not read back to hash it. */
  remember(path: string, hash: BlobHash): void {
    this.#record(path, statPrint(join(this.#base, path)), hash);
  }

  async save(): Promise<void> {
    if (this.#recorded.size === 0) return;
    const recorded = [...this.#recorded];
    this.#recorded = new Set();
    const lines = recorded.map((path) => JSON.stringify([path, ...(this.#entries.get(path) as Entry)]));
    await this.#appended.save(lines, () => JSON.stringify({ version: 2, entries: Object.fromEntries(this.#entries) }), () => this.#faults('write:stat-cache'));
  }
}

/** An appended line: a path and its entry; undefined for one cut short or damaged. */
function parseLine(line: string): [string, Entry] | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (!Array.isArray(value) || typeof value[0] !== 'string') return undefined;
    const entry: unknown = value.slice(1);
    return isEntry(entry) ? [value[0], entry] : undefined;
  } catch {
    return undefined;
  }
}
