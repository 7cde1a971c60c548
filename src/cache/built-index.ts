import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomic-fs.ts';
import type { NodeKey } from '../util/hash.ts';
import { KeyedMutex } from '../util/semaphore.ts';

/**
 * The key each node was last built (or reused) with, one small file per
 * sequence, so `explain` and `--dry-run` can say which input changed since.
 * Read only for nodes that are not up to date.
 */
export class BuiltIndex {
  readonly #dir: string;
  readonly #loaded = new Map<string, Record<string, NodeKey>>();
  readonly #mutex = new KeyedMutex();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async #load(sequence: string): Promise<Record<string, NodeKey>> {
    let entries = this.#loaded.get(sequence);
    if (entries === undefined) {
      const data = await readJsonIfExists(join(this.#dir, `${sequence}.json`)).catch(() => undefined);
      entries = data !== null && typeof data === 'object' ? (data as Record<string, NodeKey>) : {};
      this.#loaded.set(sequence, entries);
    }
    return entries;
  }

  async get(sequence: string, nodeId: string): Promise<NodeKey | undefined> {
    return (await this.#load(sequence))[nodeId];
  }

  async set(sequence: string, nodeId: string, key: NodeKey): Promise<void> {
    await this.#mutex.run(sequence, async () => {
      const entries = await this.#load(sequence);
      if (entries[nodeId] === key) return;
      entries[nodeId] = key;
      await writeJsonAtomic(join(this.#dir, `${sequence}.json`), entries);
    });
  }
}
