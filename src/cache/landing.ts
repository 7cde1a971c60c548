import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, writeFileAtomic } from '../util/atomic-fs.ts';
import { noFaults, type Faults } from '../util/faults.ts';
import { hashBytes, type NodeKey } from '../util/hash.ts';

/** What a step's provider returned besides its bytes. */
export interface LandedMeta {
  mimeType: string;
  extension: string;
  /** What the provider charged (0 for sim and local steps). */
  costUsd: number;
  /** Paid calls made (a grid may retry). */
  calls: number;
  model: string;
  requestId: string | null;
  /** Things a person should know (a grid that needed a fallback, a dropped element). */
  notes: string[];
}

export type Landed = LandedMeta & { bytes: Uint8Array };

/**
 * Paid results the moment they arrive: the bytes and what they cost, in one atomic file
 * named by the node's key (a JSON header line, then the bytes). A build killed before the
 * result reached the blob store, the cache and the record finishes from here on the next
 * run instead of paying the provider again. Removed once the take is complete.
 */
export class LandingStore {
  readonly #dir: string;
  readonly #faults: Faults;

  constructor(dir: string, faults: Faults = noFaults) {
    this.#dir = dir;
    this.#faults = faults;
  }

  #path(key: NodeKey): string {
    return join(this.#dir, `${key}.landed`);
  }

  async put(key: NodeKey, result: Landed): Promise<void> {
    const { bytes, ...meta } = result;
    const header = Buffer.from(`${JSON.stringify({ ...meta, hash: hashBytes(bytes) })}\n`);
    await writeFileAtomic(this.#path(key), Buffer.concat([header, bytes]), () => this.#faults('write:landing'));
  }

  /** The landed result of this key, verified by hash; a damaged file counts as none. */
  async get(key: NodeKey): Promise<Landed | undefined> {
    let file: Buffer;
    try {
      file = await readFile(this.#path(key));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const newline = file.indexOf(0x0a);
    try {
      const { hash, ...meta } = JSON.parse(file.subarray(0, newline).toString('utf8')) as LandedMeta & { hash: string };
      const bytes = new Uint8Array(file.subarray(newline + 1));
      return hashBytes(bytes) === hash ? { ...meta, bytes } : undefined;
    } catch {
      return undefined;
    }
  }

  async delete(key: NodeKey): Promise<void> {
    await rm(this.#path(key), { force: true });
  }
}
