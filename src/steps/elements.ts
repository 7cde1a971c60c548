import type { BlobStore } from '../cache/blob-store.ts';
import type { BlobHash } from '../util/hash.ts';
import { canonicalJson } from '../util/hash.ts';
import type { StepResult } from './step-types.ts';

export const elementsStepVersion = 1;

/** One element as the video model receives it. */
export interface ResolvedElement {
  id: string;
  name: string;
  description: string;
  /** The first reference image in name order: the main view. */
  frontal: BlobHash;
  /** Further views (at most 3, as Kling's elements take). */
  references: BlobHash[];
}

/** The element set of a sequence after the cap: its content hash goes into the take's key. */
export interface ElementSet {
  elements: ResolvedElement[];
  dropped: Array<{ id: string; name: string; description: string }>;
}

export interface ElementImage {
  hash: BlobHash;
  /** Absolute path of the reference file (read only when the step runs). */
  path: string;
}

/**
 * Copies the sequence's reference images into the blob store (verified by hash),
 * so grids and takes read exactly the bytes their keys name, and stores the set.
 */
export async function runElementsStep(
  set: ElementSet,
  images: readonly ElementImage[],
  blobs: BlobStore,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<StepResult> {
  for (const image of images) {
    const stored = await blobs.put(await readFile(image.path));
    if (stored !== image.hash) {
      return { ok: false, error: { kind: 'input-missing', message: `${image.path} changed while the build read it; run the build again` } };
    }
  }
  return {
    ok: true,
    value: {
      bytes: Buffer.from(canonicalJson(set)),
      mimeType: 'application/json',
      extension: 'json',
      costUsd: 0,
      calls: 0,
      model: 'local',
      requestId: null,
      notes: [],
    },
  };
}
