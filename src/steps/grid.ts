import type { BlobStore } from '../cache/blob-store.ts';
import type { BlobHash } from '../util/hash.ts';
import type { ImageInput, ImageProvider } from '../providers/types.ts';
import { looksLikeGrid } from './grid-image.ts';
import { compositeGrid } from './grid-composite.ts';
import { isFailure, readImage, type StepResult } from './step-types.ts';

export const gridStepVersion = 1;

/** Everything the image provider receives for a grid; all of it goes into the key. */
export interface GridParams {
  provider: string;
  model: string;
  imageSize: string;
  aspectRatio: string;
  width: number;
  height: number;
  rows: number;
  cols: number;
  prompt: string;
}

export interface GridRun {
  params: GridParams;
  references: readonly BlobHash[];
  maxAttempts: number;
  unitPriceUsd: number;
  nodeId: string;
  seed: string;
  blobs: BlobStore;
  provider: ImageProvider;
  signal: AbortSignal;
}

/** The stronger wording used when a result did not come back as a grid. */
function strengthen(prompt: string, rows: number, cols: number, attempt: number): string {
  return `${prompt}\n\nIMPORTANT (attempt ${attempt}): the output MUST be ONE image divided into exactly ${rows} rows and ${cols} columns of equal panels, edge to edge, each panel a different candidate frame. Do not return a single picture.`;
}

/**
 * Generates a start-frame grid: checks that the result looks like a grid,
 * retries with a stronger prompt, and after maxAttempts makes the cells as
 * separate images and composites them. Every call is counted for the ledger.
 */
export async function runGridStep(run: GridRun): Promise<StepResult> {
  const { params } = run;
  const references: ImageInput[] = [];
  for (const hash of run.references) {
    const image = await readImage(run.blobs, hash);
    if (isFailure(image)) return { ok: false, error: image };
    references.push(image);
  }
  const request = {
    nodeId: run.nodeId,
    model: params.model,
    aspectRatio: params.aspectRatio,
    imageSize: params.imageSize,
    width: params.width,
    height: params.height,
    references,
    signal: run.signal,
  };
  const layout = { rows: params.rows, cols: params.cols };
  const cost = (calls: number): number => (run.provider.billable ? calls * run.unitPriceUsd : 0);
  const notes: string[] = [];
  let calls = 0;
  for (let attempt = 1; attempt <= run.maxAttempts; attempt++) {
    const prompt = attempt === 1 ? params.prompt : strengthen(params.prompt, params.rows, params.cols, attempt);
    const result = await run.provider.generateImage({ ...request, prompt, grid: layout, seed: `${run.seed}:${attempt}` });
    calls++;
    // The call that failed was not billed; the attempts before it were.
    if (!result.ok) return { ok: false, error: result.error, spentUsd: cost(calls - 1) };
    const check = await looksLikeGrid(result.value.bytes, layout);
    if (check.ok) {
      return { ok: true, value: { ...result.value, costUsd: cost(calls), calls, model: params.model, requestId: null, notes } };
    }
    notes.push(`attempt ${attempt} was not a ${params.rows}x${params.cols} grid (${check.reason})`);
  }
  const cells: Uint8Array[] = [];
  const count = params.rows * params.cols;
  for (let cell = 1; cell <= count; cell++) {
    const prompt = `${params.prompt}\n\nOne single frame: candidate ${cell} of ${count}, different from the others.`;
    const result = await run.provider.generateImage({ ...request, prompt, grid: undefined, seed: `${run.seed}:cell${cell}` });
    calls++;
    if (!result.ok) return { ok: false, error: result.error, spentUsd: cost(calls - 1) };
    cells.push(result.value.bytes);
  }
  notes.push(`made the ${count} cells as separate images and composited them`);
  const bytes = await compositeGrid(cells, layout, params.width, params.height);
  return { ok: true, value: { bytes, mimeType: 'image/png', extension: 'png', costUsd: cost(calls), calls, model: params.model, requestId: null, notes } };
}
