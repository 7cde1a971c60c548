import type { BlobStore } from '../cache/blob-store.ts';
import type { Landed } from '../cache/landing.ts';
import type { BlobHash } from '../util/hash.ts';
import type { ImageInput, ProviderFailure } from '../providers/types.ts';

/** What a step produced: bytes to store, and what it cost (as a paid result lands). */
export type StepOutput = Landed;

export type StepFailure = ProviderFailure | { kind: 'input-missing'; message: string };

/** A failure carries what was already paid for (a grid's attempts before the one that failed). */
export type StepResult = { ok: true; value: StepOutput } | { ok: false; error: StepFailure; spentUsd?: number };

/** Reads a stored image input by hash, verified. */
export async function readImage(blobs: BlobStore, hash: BlobHash): Promise<ImageInput | StepFailure> {
  const bytes = await blobs.get(hash);
  if (!bytes.ok) {
    return { kind: 'input-missing', message: `input ${hash.slice(0, 19)}… is ${bytes.error.kind === 'missing' ? 'missing from' : 'corrupt in'} the blob store; it will be rebuilt on the next build` };
  }
  return { hash, mimeType: sniffImageType(bytes.value), bytes: bytes.value };
}

/** The image type from its first bytes (references may be PNG, JPEG or WebP). */
export function sniffImageType(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[8] === 0x57 && bytes[9] === 0x45) return 'image/webp';
  return 'image/png';
}

export function isFailure(value: ImageInput | StepFailure): value is StepFailure {
  return 'kind' in value;
}
