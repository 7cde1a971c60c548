import type { BlobStore } from '../cache/blob-store.ts';
import type { BlobHash } from '../util/hash.ts';
import { cropGridCell } from './grid-image.ts';
import { sniffImageType, type StepResult } from './step-types.ts';

export const frameStepVersion = 1;

export interface FrameParams {
  rows: number;
  cols: number;
  /** 1-based, row-major from the top left. */
  cell: number;
}

/** Cuts the picked cell out of its grid: the sequence's start frame. Local and free. */
export async function runFrameStep(params: FrameParams, grid: BlobHash, blobs: BlobStore): Promise<StepResult> {
  const bytes = await blobs.get(grid);
  if (!bytes.ok) {
    return { ok: false, error: { kind: 'input-missing', message: `the grid ${grid.slice(0, 19)}… is ${bytes.error.kind} in the blob store; rebuild the grid and pick again` } };
  }
  const frame = await cropGridCell(bytes.value, { rows: params.rows, cols: params.cols }, params.cell);
  return { ok: true, value: { bytes: frame, mimeType: 'image/png', extension: 'png', costUsd: 0, calls: 0, model: 'local', requestId: null, notes: [] } };
}

/** A start frame made elsewhere (cg pick --file): stored when picked, used as it is. */
export async function runPickedFileStep(file: BlobHash, blobs: BlobStore): Promise<StepResult> {
  const bytes = await blobs.get(file);
  if (!bytes.ok) return { ok: false, error: { kind: 'input-missing', message: `the picked file ${file.slice(0, 19)}… is ${bytes.error.kind} in the blob store; pick it again with cg pick --file` } };
  return { ok: true, value: { bytes: bytes.value, mimeType: sniffImageType(bytes.value), extension: 'png', costUsd: 0, calls: 0, model: 'local', requestId: null, notes: [] } };
}
