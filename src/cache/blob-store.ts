import { statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { normalize, sep } from 'node:path';
import { isNotFound, writeFileAtomic } from '../util/atomic-fs.ts';
import { noFaults, type Faults } from '../util/faults.ts';
import { hashBytes, type BlobHash } from '../util/hash.ts';
import { err, ok, type Result } from '../util/result.ts';

export type BlobReadError = { kind: 'missing' } | { kind: 'corrupt'; actual: BlobHash };

/** Content-addressed bytes. The interface lets a remote backend (S3, R2) drop in later. */
export interface BlobStore {
  put(bytes: Uint8Array): Promise<BlobHash>;
  /** The bytes, verified against their hash; a corrupt blob is deleted and reported, never served. */
  get(hash: BlobHash): Promise<Result<Uint8Array, BlobReadError>>;
  /** Cheap presence check (no bytes read): exists with the expected size. */
  has(hash: BlobHash, size: number): Promise<boolean>;
}

export class LocalBlobStore implements BlobStore {
  readonly #dir: string;
  readonly #faults: Faults;

  constructor(dir: string, faults: Faults = noFaults) {
    this.#dir = normalize(dir);
    this.#faults = faults;
  }

  /** `<dir>/ab/abcd…`. Put together, not joined: the hex digits need no normalizing, and a no-op build checks thousands of blobs. */
  #path(hash: BlobHash): string {
    const hex = hash.slice('sha256:'.length);
    return `${this.#dir}${sep}${hex.slice(0, 2)}${sep}${hex}`;
  }

  async put(bytes: Uint8Array): Promise<BlobHash> {
    const hash = hashBytes(bytes);
    if (!(await this.has(hash, bytes.byteLength))) await writeFileAtomic(this.#path(hash), bytes, () => this.#faults('write:blob'));
    return hash;
  }

  async get(hash: BlobHash): Promise<Result<Uint8Array, BlobReadError>> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.#path(hash));
    } catch (error) {
      if (isNotFound(error)) return err({ kind: 'missing' });
      throw error;
    }
    const actual = hashBytes(bytes);
    if (actual !== hash) {
      await rm(this.#path(hash), { force: true });
      return err({ kind: 'corrupt', actual });
    }
    return ok(bytes);
  }

  /** A synchronous stat: a no-op build checks thousands of grids and frames, and each stat through the thread pool costs several inline. */
  has(hash: BlobHash, size: number): Promise<boolean> {
    return Promise.resolve(statSync(this.#path(hash), { throwIfNoEntry: false })?.size === size);
  }
}
