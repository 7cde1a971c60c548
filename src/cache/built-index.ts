import { readJsonIfExists, writeCacheAtomic } from '../util/atomic-fs.ts';
import { noFaults, type Faults } from '../util/faults.ts';
import type { NodeKey } from '../util/hash.ts';

/** What a node was last built (or reused) as: its key and, for takes, which take and file. */
export interface BuiltEntry {
  key: NodeKey;
  takeId: string | null;
  output: string | null;
}

/**
 * The key each node was last built (or reused) with, so `explain` and `--dry-run`
 * can say which input changed since, and a no-op build finds each take's file
 * without reading its execution record. One file, read once per command and
 * written once at the end of a build; it never decides whether to pay.
 */
export class BuiltIndex {
  readonly #file: string;
  readonly #faults: Faults;
  #entries: Promise<Map<string, BuiltEntry>> | undefined;
  #dirty = false;

  constructor(file: string, faults: Faults = noFaults) {
    this.#file = file;
    this.#faults = faults;
  }

  #load(): Promise<Map<string, BuiltEntry>> {
    this.#entries ??= readJsonIfExists(this.#file)
      .catch(() => undefined)
      .then((data) => new Map(data !== null && typeof data === 'object' ? Object.entries(data as Record<string, BuiltEntry>) : []));
    return this.#entries;
  }

  async get(nodeId: string): Promise<BuiltEntry | undefined> {
    return (await this.#load()).get(nodeId);
  }

  async set(nodeId: string, entry: BuiltEntry): Promise<void> {
    const entries = await this.#load();
    const known = entries.get(nodeId);
    if (known?.key === entry.key && known.takeId === entry.takeId && known.output === entry.output) return;
    entries.set(nodeId, entry);
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    await writeCacheAtomic(this.#file, Object.fromEntries(await this.#load()), () => this.#faults('write:built'));
    this.#dirty = false;
  }
}
