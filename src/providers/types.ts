/**
 * The provider interfaces, one per medium. Providers import nothing of ours but
 * these types; the graph never names a concrete provider (they are injected).
 */

export interface ImageInput {
  /** Content hash (`sha256:…`), so a provider can upload each image once. */
  hash: string;
  mimeType: string;
  bytes: Uint8Array;
}

export type ProviderFailure =
  /** The provider refused the input (4xx, validation, content policy); retrying the same input will not help. */
  | { kind: 'rejected'; message: string; field?: string }
  /** The model would not make it (blocked prompt, safety); the reason in words. */
  | { kind: 'blocked'; message: string }
  /** 429, 5xx, timeouts, resets, after our own retries ran out. */
  | { kind: 'transient'; message: string }
  /** The account cannot pay (locked, balance exhausted): nothing else should be submitted. */
  | { kind: 'account'; message: string }
  | { kind: 'aborted'; message: string };

export type ProviderResult<T> = { ok: true; value: T } | { ok: false; error: ProviderFailure };

export interface ImageRequest {
  nodeId: string;
  model: string;
  prompt: string;
  aspectRatio: string;
  imageSize: string;
  width: number;
  height: number;
  references: readonly ImageInput[];
  /** Layout the image should have, for providers that draw (sim). */
  grid: { rows: number; cols: number } | undefined;
  /** Deterministic seed from the node key: the same inputs give the same sim image. */
  seed: string;
  signal: AbortSignal;
}

export interface GeneratedFile {
  bytes: Uint8Array;
  mimeType: string;
  extension: string;
  /** The provider's id for the job, when it has one (fal). */
  requestId?: string;
}

/** Where uploaded copies of images are remembered: each content hash is uploaded once while the provider keeps it. */
export interface UploadCache {
  get(hash: string): string | undefined;
  set(hash: string, url: string): Promise<void>;
}

export interface ImageProvider {
  readonly id: string;
  /** False for sim: its calls cost nothing. */
  readonly billable: boolean;
  generateImage(request: ImageRequest): Promise<ProviderResult<GeneratedFile>>;
}

/** Where a remote job is written down before anyone waits on it (fal's onEnqueue). */
export interface VideoJournal {
  /** A request id journaled by an earlier, interrupted build: resume it instead of submitting. */
  resumeRequestId: string | null;
  /** Written just before the paid submit: a crash before `submitted` leaves the outcome unknown, never silently resubmitted. */
  submitting(): Promise<void>;
  /** The submit definitely failed (the provider said so): nothing was paid. */
  notSubmitted(): Promise<void>;
  submitted(requestId: string): Promise<void>;
  processing(): Promise<void>;
  /** The result is ready at this URL: journaled before it is downloaded. */
  resultReady(url: string): Promise<void>;
  /** The job waits in the provider's queue at this position (shown, not journaled). */
  queued(position: number): void;
}

export interface VideoElement {
  frontal: ImageInput;
  references: readonly ImageInput[];
}

export interface VideoRequest {
  nodeId: string;
  title: string;
  endpoint: string;
  shots: ReadonlyArray<{ prompt: string; duration: string }>;
  /** Total seconds as a string, the sum of the shots. */
  duration: string;
  aspectRatio: string;
  audio: boolean;
  negativePrompt: string | undefined;
  startFrame: ImageInput | undefined;
  elements: readonly VideoElement[];
  seed: string;
  journal: VideoJournal;
  signal: AbortSignal;
}

export interface VideoProvider {
  readonly id: string;
  readonly billable: boolean;
  generateVideo(request: VideoRequest): Promise<ProviderResult<GeneratedFile>>;
}

export interface Clock {
  now(): Date;
  /** Resolves after ms, or rejects with an AbortError when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
