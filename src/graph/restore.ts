import type { OutputRef } from '../cache/action-cache.ts';
import type { BlobStore } from '../cache/blob-store.ts';
import type { OutputFiles } from '../cache/output-files.ts';
import { hashBytes, type BlobHash } from '../util/hash.ts';

/** Fetches a result again from where the provider said it keeps it; throws when it cannot. */
export type Refetch = (url: string) => Promise<Uint8Array>;

export type Restored = { ok: true; note: string | undefined } | { ok: false; paid: boolean };

export interface RestoreRequest {
  relative: string;
  output: OutputRef;
  /** What the result cost: a paid result is never silently made again. */
  costUsd: number;
  /** The provider's URL for the result, looked up only if needed. */
  resultUrl: () => Promise<string | null>;
}

/**
 * Makes sure a reused output's readable file and stored copy hold the bytes its key
 * promised. Each copy is checked by hash; a damaged one is put back from the other, and a
 * paid result whose copies are both damaged is fetched again from the provider's URL while
 * it still serves the same bytes. Fails only when no good copy exists anywhere.
 */
export async function restoreOutput(request: RestoreRequest, blobs: BlobStore, files: OutputFiles, refetch: Refetch | undefined): Promise<Restored> {
  const { relative, output } = request;
  if (await files.matches(relative, output.hash)) return { ok: true, note: undefined };
  const stored = await blobs.get(output.hash);
  if (stored.ok) {
    await files.write(relative, stored.value, output.hash);
    return { ok: true, note: `${relative} was missing or damaged: put back from the stored copy` };
  }
  if (request.costUsd <= 0) return { ok: false, paid: false };
  const url = await request.resultUrl();
  if (url !== null && refetch !== undefined) {
    const bytes = await refetch(url).catch(() => undefined);
    if (bytes !== undefined && hashBytes(bytes) === output.hash) {
      await blobs.put(bytes);
      await files.write(relative, bytes, output.hash);
      return { ok: true, note: `${relative} and its stored copy were damaged: fetched again from the provider's result URL (no new charge)` };
    }
  }
  return { ok: false, paid: true };
}

/** A damaged stored copy of an input, put back from its readable file when that one is intact. */
export async function restoreBlob(relative: string, hash: BlobHash, blobs: BlobStore, files: OutputFiles): Promise<boolean> {
  if (!(await files.matches(relative, hash))) return false;
  const bytes = await files.read(relative);
  if (bytes === undefined || hashBytes(bytes) !== hash) return false;
  await blobs.put(bytes);
  return true;
}
