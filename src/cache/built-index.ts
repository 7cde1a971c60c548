import { readJsonIfExists, writeJsonAtomic } from '../util/atomic-fs.ts';
import type { NodeKey } from '../util/hash.ts';

/**
 * The key each node was last built (or reused) with, so `explain` and `--dry-run`
 * can say which input changed since. One file, read once per command and written
 * once at the end of a build: it only feeds explanations, never a decision to pay.
 */
export class BuiltIndex {
  readonly #file: string;
  #entries: Promise<Map<string, NodeKey>> | undefined;
  #dirty = false;

  constructor(file: string) {
    this.#file = file;
  }

  #load(): Promise<Map<string, NodeKey>> {
    this.#entries ??= readJsonIfExists(this.#file)
      .catch(() => undefined)
      .then((data) => new Map(data !== null && typeof data === 'object' ? Object.entries(data as Record<string, NodeKey>) : []));
    return this.#entries;
  }

  async get(nodeId: string): Promise<NodeKey | undefined> {
    return (await this.#load()).get(nodeId);
  }

  async set(nodeId: string, key: NodeKey): Promise<void> {
    const entries = await this.#load();
    if (entries.get(nodeId) === key) return;
    entries.set(nodeId, key);
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    await writeJsonAtomic(this.#file, Object.fromEntries(await this.#load()));
    this.#dirty = false;
  }
}
