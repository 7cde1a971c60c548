import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, readJsonIfExists, writeJsonAtomic } from '../util/atomic-fs.ts';
import type { BlobHash, NodeKey } from '../util/hash.ts';

export interface OutputRef {
  hash: BlobHash;
  size: number;
  mimeType: string;
  extension: string;
}

/** What a finished node produced, stored under its key: a later build with the same key reuses it for free. */
export interface ActionResult {
  key: NodeKey;
  nodeId: string;
  kind: string;
  output: OutputRef;
  provider: string;
  /** Endpoint or model that produced it. */
  model: string;
  costUsd: number;
  estimateUsd: number;
  requestId: string | null;
  createdAt: string;
  durationMs: number;
}

export interface ActionCache {
  /** Every key with a result. */
  keys(): Promise<ReadonlySet<NodeKey>>;
  get(key: NodeKey): Promise<ActionResult | undefined>;
  /** The key material a result was made from, kept so `cg explain` can say which input changed. */
  material(key: NodeKey): Promise<unknown>;
  put(result: ActionResult, material: unknown): Promise<void>;
  delete(key: NodeKey): Promise<void>;
}

type IndexLine = ActionResult | { key: NodeKey; deleted: true };

/**
 * The action cache on local disk: one append-only index (`actions.jsonl`, read once per
 * command, so planning 10,000 sequences opens one file, not one per node) and the key
 * material of each result in its own file, read only to explain a change.
 * Writers hold the project lock; a line cut short by a crash is ignored.
 */
export class LocalActionCache implements ActionCache {
  readonly #dir: string;
  #index: Promise<Map<NodeKey, ActionResult>> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  get #indexFile(): string {
    return join(this.#dir, 'actions.jsonl');
  }

  #load(): Promise<Map<NodeKey, ActionResult>> {
    this.#index ??= (async () => {
      const index = new Map<NodeKey, ActionResult>();
      let text = '';
      try {
        text = await readFile(this.#indexFile, 'utf8');
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      for (const line of text.split('\n')) {
        if (line === '') continue;
        let entry: IndexLine;
        try {
          entry = JSON.parse(line) as IndexLine;
        } catch {
          continue;
        }
        if ('deleted' in entry) index.delete(entry.key);
        else index.set(entry.key, entry);
      }
      return index;
    })();
    return this.#index;
  }

  async keys(): Promise<ReadonlySet<NodeKey>> {
    return new Set((await this.#load()).keys());
  }

  async get(key: NodeKey): Promise<ActionResult | undefined> {
    return (await this.#load()).get(key);
  }

  async material(key: NodeKey): Promise<unknown> {
    return readJsonIfExists(join(this.#dir, 'materials', `${key}.json`)).catch(() => undefined);
  }

  async put(result: ActionResult, material: unknown): Promise<void> {
    await writeJsonAtomic(join(this.#dir, 'materials', `${result.key}.json`), material);
    await this.#append(result);
    (await this.#load()).set(result.key, result);
  }

  async delete(key: NodeKey): Promise<void> {
    await this.#append({ key, deleted: true });
    (await this.#load()).delete(key);
  }

  async #append(line: IndexLine): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    // One short line per append: written whole, so a crash never leaves a torn entry mid-file.
    await appendFile(this.#indexFile, `${JSON.stringify(line)}\n`);
  }
}
