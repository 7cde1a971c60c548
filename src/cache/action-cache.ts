import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, writeJsonAtomic } from '../util/atomic-fs.ts';
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
  /** The key material, kept so `cg explain` can say which input changed. */
  material: unknown;
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
  /** Every key with a result, read once per command so planning does no per-node I/O for misses. */
  keys(): Promise<ReadonlySet<NodeKey>>;
  get(key: NodeKey): Promise<ActionResult | undefined>;
  put(result: ActionResult): Promise<void>;
  delete(key: NodeKey): Promise<void>;
}

export class LocalActionCache implements ActionCache {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async keys(): Promise<ReadonlySet<NodeKey>> {
    try {
      const names = await readdir(this.#dir);
      return new Set(names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5) as NodeKey));
    } catch (error) {
      if (isNotFound(error)) return new Set();
      throw error;
    }
  }

  async get(key: NodeKey): Promise<ActionResult | undefined> {
    try {
      return JSON.parse(await readFile(join(this.#dir, `${key}.json`), 'utf8')) as ActionResult;
    } catch (error) {
      // A torn or unreadable entry is a miss: the node runs again rather than trusting it.
      if (isNotFound(error) || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  async put(result: ActionResult): Promise<void> {
    await writeJsonAtomic(join(this.#dir, `${result.key}.json`), result);
  }

  async delete(key: NodeKey): Promise<void> {
    await rm(join(this.#dir, `${key}.json`), { force: true });
  }
}
