import type { Faults } from '../util/faults.ts';
import type { Clock, GeneratedFile, ImageInput, ProviderFailure, ProviderResult, UploadCache, VideoProvider, VideoRequest } from './types.ts';
import { isNetworkError, isRetryableStatus, redact, withRetry, type Attempt, type RetryPolicy } from './retry.ts';

export interface FalOptions {
  apiKey: string;
  /** `CG_FAL_URL` or the config's endpoint: every fal URL is rewritten to this origin. */
  baseUrl: string | undefined;
  retry: RetryPolicy;
  clock: Clock;
  random: () => number;
  uploads: UploadCache;
  fetch: typeof fetch;
  /** How often to poll a queued job (fal's default is 500 ms; jobs take minutes). */
  pollIntervalMs: number;
  /** Crash points of the test harness (a no-op outside it). */
  faults: Faults;
}

/**
 * DESIGN.md "Endpoint redirection": `https://queue.fal.run/X` → `<origin>/queue/X`,
 * `https://rest.fal.ai/X` → `<origin>/rest/X`, `https://fal.run/X` → `<origin>/run/X`.
 * Other URLs (downloads from wherever the server said) are left alone.
 */
export function redirectFal(origin: string, base: typeof fetch): typeof fetch {
  const root = origin.replace(/\/+$/, '');
  const map: Array<[string, string]> = [
    ['https://queue.fal.run/', `${root}/queue/`],
    ['https://rest.fal.ai/', `${root}/rest/`],
    ['https://fal.run/', `${root}/run/`],
  ];
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const hit = map.find(([from]) => url.startsWith(from));
    if (hit === undefined) return base(input, init);
    const target = hit[1] + url.slice(hit[0].length);
    return input instanceof Request ? base(new Request(target, input), init) : base(target, init);
  };
}

interface FalError {
  status?: number;
  body?: unknown;
  message: string;
  fieldErrors?: Array<{ loc?: unknown[]; msg?: string; input?: unknown }>;
}

function asFalError(error: unknown): FalError | undefined {
  if (error instanceof Error && typeof (error as { status?: unknown }).status === 'number') return error;
  return undefined;
}

/** fal's `detail`, as words. */
function detailOf(body: unknown): string {
  if (body !== null && typeof body === 'object' && 'detail' in body) {
    const detail = (body).detail;
    return typeof detail === 'string' ? detail : JSON.stringify(detail);
  }
  return '';
}

/** Classifies a failed fal call: what a person is told, and whether trying again can help. */
function classify(error: unknown, apiKey: string, what: string): Attempt<never> {
  const fal = asFalError(error);
  if (fal?.status !== undefined) {
    const detail = redact(detailOf(fal.body) || fal.message, apiKey);
    if (fal.status === 422) {
      const fields = (fal.fieldErrors ?? []).map((f) => {
        const path = (f.loc ?? []).filter((part) => part !== 'body').join('.');
        return `${path === '' ? 'input' : path}: ${f.msg ?? 'invalid'}${f.input === undefined ? '' : ` (sent ${JSON.stringify(f.input)})`}`;
      });
      const field = (fal.fieldErrors?.[0]?.loc ?? []).filter((part) => part !== 'body').join('.');
      return { ok: false, error: { kind: 'rejected', message: `fal rejected the input at ${what}: ${fields.join('; ') || detail}`, field }, retry: false };
    }
    if (fal.status === 401 || fal.status === 402 || fal.status === 403 || /locked|exhausted balance/i.test(detail)) {
      return { ok: false, error: { kind: 'account', message: `fal refused the account (HTTP ${fal.status}): ${detail}` }, retry: false };
    }
    if (isRetryableStatus(fal.status)) return { ok: false, error: { kind: 'transient', message: `fal answered HTTP ${fal.status} at ${what}: ${detail}` }, retry: true };
    return { ok: false, error: { kind: 'rejected', message: `fal answered HTTP ${fal.status} at ${what}: ${detail}` }, retry: false };
  }
  const message = redact(error instanceof Error ? error.message : String(error), apiKey);
  if (isNetworkError(error)) return { ok: false, error: { kind: 'transient', message: `could not reach fal at ${what}: ${message}` }, retry: true };
  return { ok: false, error: { kind: 'rejected', message: `fal call failed at ${what}: ${message}` }, retry: false };
}

type FalClient = Awaited<ReturnType<typeof loadClient>>;

/** Reads a result file (from fal's CDN, wherever the result said) chunk by chunk. */
async function download(options: Pick<FalOptions, 'fetch' | 'faults'>, url: string, signal: AbortSignal): Promise<Uint8Array> {
  const response = await options.fetch(url, { signal });
  if (!response.ok || response.body === null) throw Object.assign(new Error(`download answered HTTP ${response.status}`), { status: response.status });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    if (chunks.length === 1) options.faults('mid-download');
  }
  return new Uint8Array(Buffer.concat(chunks));
}

async function loadClient(options: FalOptions) {
  const { createFalClient } = await import('@fal-ai/client');
  return createFalClient({
    credentials: options.apiKey,
    fetch: options.baseUrl === undefined ? options.fetch : redirectFal(options.baseUrl, options.fetch),
    suppressLocalCredentialsWarning: true,
  });
}

/** The input the endpoint takes (apis.md A.2): durations are strings, fields by endpoint shape. */
export function falInput(request: VideoRequest, urls: { start: string | undefined; elements: Array<{ frontal: string; references: string[] }> }): Record<string, unknown> {
  const input: Record<string, unknown> = { duration: request.duration, generate_audio: request.audio };
  if (request.shots.length === 1) input['prompt'] = request.shots[0]?.prompt;
  else input['multi_prompt'] = request.shots.map((shot) => ({ prompt: shot.prompt, duration: shot.duration }));
  if (request.negativePrompt !== undefined) input['negative_prompt'] = request.negativePrompt;
  if (request.endpoint.endsWith('/reference-to-video')) {
    input['aspect_ratio'] = request.aspectRatio;
    if (urls.start !== undefined) input['start_image_url'] = urls.start;
    // Kling wants 1–3 further views per element; a lone frontal view stands in for them.
    input['elements'] = urls.elements.map((e) => ({ frontal_image_url: e.frontal, reference_image_urls: e.references.length > 0 ? e.references : [e.frontal] }));
  } else if (request.endpoint.endsWith('/image-to-video')) {
    input['image_url'] = urls.start;
  } else {
    input['aspect_ratio'] = request.aspectRatio;
  }
  return input;
}

/** Kling O3 takes through fal's queue with the official SDK (@fal-ai/client), loaded on first use. */
export function createFalVideoProvider(options: FalOptions): VideoProvider {
  let client: Promise<FalClient> | undefined;
  const retry = <T>(signal: AbortSignal, what: string, task: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ProviderFailure }> =>
    withRetry(options.retry, options.clock, options.random, signal, async (): Promise<Attempt<T>> => {
      try {
        return { ok: true, value: await task() };
      } catch (error) {
        if (signal.aborted) return { ok: false, error: { kind: 'aborted', message: 'interrupted' }, retry: false };
        return classify(error, options.apiKey, what);
      }
    });

  const upload = async (fal: FalClient, image: ImageInput, signal: AbortSignal): Promise<ProviderResult<string>> => {
    const known = options.uploads.get(image.hash);
    if (known !== undefined) return { ok: true, value: known };
    const uploaded = await retry(signal, 'upload', () => fal.storage.upload(new Blob([Buffer.from(image.bytes)], { type: image.mimeType })));
    if (uploaded.ok) await options.uploads.set(image.hash, uploaded.value);
    return uploaded;
  };

  return {
    id: 'fal',
    billable: true,
    async generateVideo(request: VideoRequest): Promise<ProviderResult<GeneratedFile>> {
      client ??= loadClient(options);
      const fal = await client;
      const { signal, endpoint } = request;
      let requestId = request.journal.resumeRequestId;
      if (requestId === null) {
        let start: string | undefined;
        if (request.startFrame !== undefined) {
          const url = await upload(fal, request.startFrame, signal);
          if (!url.ok) return url;
          start = url.value;
        }
        const elements: Array<{ frontal: string; references: string[] }> = [];
        for (const element of request.elements) {
          const frontal = await upload(fal, element.frontal, signal);
          if (!frontal.ok) return frontal;
          const references: string[] = [];
          for (const image of element.references) {
            const url = await upload(fal, image, signal);
            if (!url.ok) return url;
            references.push(url.value);
          }
          elements.push({ frontal: frontal.value, references });
        }
        const input = falInput(request, { start, elements });
        // Submitting is the paid step: it is marked before and its id journaled before anything waits on the job.
        await request.journal.submitting();
        const submitted = await retry(signal, 'submit', () => fal.queue.submit(endpoint, { input }));
        if (!submitted.ok) {
          if (submitted.error.kind !== 'aborted') await request.journal.notSubmitted();
          return submitted;
        }
        requestId = submitted.value.request_id;
        await request.journal.submitted(requestId);
      }
      const id = requestId;
      let processing = false;
      const done = await retry(signal, 'status', () =>
        fal.queue.subscribeToStatus(endpoint, {
          requestId: id,
          abortSignal: signal,
          pollInterval: options.pollIntervalMs,
          onQueueUpdate: (status) => {
            options.faults('polling');
            if (status.status === 'IN_QUEUE' && typeof status.queue_position === 'number') request.journal.queued(status.queue_position);
            if (status.status !== 'IN_QUEUE' && !processing) {
              processing = true;
              void request.journal.processing();
            }
          },
        }),
      );
      if (!done.ok) return done;
      if (!processing) await request.journal.processing();
      const result = await retry(signal, 'result', () => fal.queue.result(endpoint, { requestId: id }));
      if (!result.ok) return result;
      const video = (result.value.data as { video?: { url?: string; content_type?: string } }).video;
      if (video?.url === undefined) return { ok: false, error: { kind: 'rejected', message: `fal's result for ${id} has no video URL` } };
      const url = video.url;
      await request.journal.resultReady(url);
      const bytes = await retry(signal, 'download', () => download(options, url, signal));
      if (!bytes.ok) return bytes;
      const mimeType = video.content_type ?? 'video/mp4';
      return { ok: true, value: { bytes: bytes.value, mimeType, extension: mimeType === 'video/webm' ? 'webm' : 'mp4', requestId: id } };
    },
  };
}
