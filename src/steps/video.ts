import type { BlobStore } from '../cache/blob-store.ts';
import type { BlobHash } from '../util/hash.ts';
import type { ImageInput, VideoElement, VideoJournal, VideoProvider } from '../providers/types.ts';
import type { ElementSet } from './elements.ts';
import { isFailure, readImage, type StepResult } from './step-types.ts';

export const videoStepVersion = 1;

/** Everything the video provider receives for a take (multi-shot) or a shot (individual mode). */
export interface VideoParams {
  provider: string;
  endpoint: string;
  shots: Array<{ prompt: string; duration: string }>;
  duration: string;
  aspectRatio: string;
  audio: boolean;
  negativePrompt: string | null;
}

export interface VideoRun {
  params: VideoParams;
  title: string;
  startFrame: BlobHash | null;
  elements: ElementSet;
  /** USD per second at the configured rate. */
  ratePerSecond: number;
  nodeId: string;
  seed: string;
  blobs: BlobStore;
  provider: VideoProvider;
  journal: VideoJournal;
  signal: AbortSignal;
}

/** Makes one video take: loads its start frame and elements by hash, calls the provider, prices it. */
export async function runVideoStep(run: VideoRun): Promise<StepResult> {
  let startFrame: ImageInput | undefined;
  if (run.startFrame !== null) {
    const image = await readImage(run.blobs, run.startFrame);
    if (isFailure(image)) return { ok: false, error: image };
    startFrame = image;
  }
  const elements: VideoElement[] = [];
  for (const element of run.elements.elements) {
    const frontal = await readImage(run.blobs, element.frontal);
    if (isFailure(frontal)) return { ok: false, error: frontal };
    const references: ImageInput[] = [];
    for (const hash of element.references) {
      const image = await readImage(run.blobs, hash);
      if (isFailure(image)) return { ok: false, error: image };
      references.push(image);
    }
    elements.push({ frontal, references });
  }
  const { params } = run;
  const result = await run.provider.generateVideo({
    nodeId: run.nodeId,
    title: run.title,
    endpoint: params.endpoint,
    shots: params.shots,
    duration: params.duration,
    aspectRatio: params.aspectRatio,
    audio: params.audio,
    negativePrompt: params.negativePrompt ?? undefined,
    startFrame,
    elements,
    seed: run.seed,
    journal: run.journal,
    signal: run.signal,
  });
  if (!result.ok) return { ok: false, error: result.error };
  const costUsd = run.provider.billable ? Number(params.duration) * run.ratePerSecond : 0;
  return { ok: true, value: { ...result.value, costUsd, calls: 1, model: params.endpoint, requestId: result.value.requestId ?? null, notes: [] } };
}
