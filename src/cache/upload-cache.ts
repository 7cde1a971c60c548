import { readJsonIfExists, writeCacheAtomic } from '../util/atomic-fs.ts';
import { KeyedMutex } from '../util/semaphore.ts';

type Entries = Record<string, { url: string; at: string }>;

/**
 * Content hash → the provider's URL for an uploaded copy, kept while the provider
 * keeps its files (a TTL), so an image used by many sequences is uploaded once.
 * Entries are scoped by the provider's origin: a URL one endpoint gave (a test fake,
 * a gateway) is never sent to another.
 */
export class FileUploadCache {
  readonly #file: string;
  readonly #scope: string;
  readonly #ttlMs: number;
  readonly #now: () => Date;
  readonly #entries: Entries;
  readonly #mutex = new KeyedMutex();

  private constructor(file: string, scope: string, ttlMs: number, now: () => Date, entries: Entries) {
    this.#file = file;
    this.#scope = scope;
    this.#ttlMs = ttlMs;
    this.#now = now;
    this.#entries = entries;
  }

  static async open(file: string, scope: string, ttlMs: number, now: () => Date): Promise<FileUploadCache> {
    const data = (await readJsonIfExists(file).catch(() => undefined)) as Entries | undefined;
    return new FileUploadCache(file, scope, ttlMs, now, data ?? {});
  }

  get(hash: string): string | undefined {
    const entry = this.#entries[`${this.#scope} ${hash}`];
    if (entry === undefined) return undefined;
    return this.#now().getTime() - Date.parse(entry.at) < this.#ttlMs ? entry.url : undefined;
  }

  async set(hash: string, url: string): Promise<void> {
    this.#entries[`${this.#scope} ${hash}`] = { url, at: this.#now().toISOString() };
    await this.#mutex.run('file', () => writeCacheAtomic(this.#file, this.#entries));
  }
}
