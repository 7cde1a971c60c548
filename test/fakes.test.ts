/**
 * The fake providers, driven by the REAL SDKs (@fal-ai/client, @google/genai): nothing mocked.
 * If the SDKs accept these answers, our providers will accept them too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, ValidationError, createFalClient, type FalClient } from '@fal-ai/client';
import { ApiError as GeminiApiError, GoogleGenAI, type GenerateContentResponse, type Part } from '@google/genai';
import sharp from 'sharp';
import { falFetch, rewriteFalUrl } from './fakes/fal-rewrite.ts';
import { LOCKED_DETAIL, classify, startFakeProviders, type FakeProviders, type RequestEvent } from './fakes/server.ts';
import { droppedFields, validateKlingInput, type FieldError } from './fakes/kling.ts';
import { makeMp4 } from './fakes/mp4.ts';

const R2V = 'fal-ai/kling-video/o3/standard/reference-to-video';
const I2V = 'fal-ai/kling-video/o3/pro/image-to-video';
const FLASH = 'gemini-2.5-flash-image';
const PRO = 'gemini-3-pro-image-preview';

let fake: FakeProviders;

beforeEach(async () => {
  fake = await startFakeProviders();
});

afterEach(async () => {
  await fake.close();
});

function falClient(): FalClient {
  return createFalClient({ credentials: 'test', fetch: falFetch(fake.origin) });
}

function gemini(): GoogleGenAI {
  return new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: fake.origin } });
}

async function png(width: number, height: number, colour: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
}

async function uploadPng(client: FalClient, colour = { r: 200, g: 40, b: 40 }): Promise<string> {
  const bytes = await png(64, 64, colour);
  return client.storage.upload(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Top-level ISO-BMFF boxes as [type, size]. */
function topLevelBoxes(bytes: Uint8Array): [string, number][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: [string, number][] = [];
  for (let at = 0; at + 8 <= bytes.length; ) {
    const size = view.getUint32(at);
    out.push([String.fromCharCode(...bytes.subarray(at + 4, at + 8)), size]);
    if (size < 8) break;
    at += size;
  }
  return out;
}

describe('fal, through @fal-ai/client', () => {
  it('uploads a Blob to fake storage and serves the bytes back', async () => {
    const client = falClient();
    const bytes = await png(32, 16, { r: 1, g: 2, b: 3 });
    const url = await client.storage.upload(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
    expect(url).toMatch(new RegExp(`^${fake.origin}/files/[0-9a-f]+\\.png$`));
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(fake.counts()).toMatchObject({ falUploads: 1, downloads: 1, falSubmits: {} });
  });

  it('subscribe: submits once, polls IN_QUEUE → IN_PROGRESS → COMPLETED, returns a real MP4 by URL', async () => {
    const client = falClient();
    const [front, side, style] = await Promise.all([uploadPng(client), uploadPng(client, { r: 0, g: 90, b: 200 }), uploadPng(client, { r: 20, g: 200, b: 20 })]);
    let enqueued = '';
    const statuses: string[] = [];
    const result = await client.subscribe(R2V, {
      input: {
        multi_prompt: [{ prompt: '@Element1 walks in', duration: '2' }, { prompt: 'close-up of @Element1', duration: '3' }],
        duration: '5',
        aspect_ratio: '16:9',
        elements: [{ frontal_image_url: front, reference_image_urls: [side] }],
        image_urls: [style],
      },
      pollInterval: 10,
      onEnqueue: (id) => {
        enqueued = id;
      },
      onQueueUpdate: (s) => statuses.push(s.status),
    });
    expect(result.requestId).toBe(enqueued);
    expect(statuses).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    expect(result.data.video.url).toBe(`${fake.origin}/files/${enqueued}.mp4`);
    expect(result.data.video.content_type).toBe('video/mp4');

    const res = await fetch(result.data.video.url);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    const video = new Uint8Array(await res.arrayBuffer());
    expect(video.length).toBe(result.data.video.file_size);
    expect(topLevelBoxes(video).map(([type]) => type)).toEqual(['ftyp', 'free', 'moov', 'mdat']);
    expect(fake.counts()).toMatchObject({ falSubmits: { [R2V]: 1 }, falUploads: 3, falResults: 1 });
    expect(fake.submissions()).toEqual([expect.objectContaining({ endpoint: R2V, requestId: enqueued, droppedFields: [] })]);
  });

  it('resumes a journaled request with subscribeToStatus + result, without paying again', async () => {
    const first = falClient();
    const image = await uploadPng(first);
    const { request_id: requestId } = await first.queue.submit(I2V, { input: { image_url: image, prompt: 'slow push-in', duration: '3' } });

    // "The process died": a new client holds only the journaled request id. Jobs stay
    // IN_PROGRESS until released; the release happens from inside the poll callback (no sleeps).
    const hold = fake.holdJobs();
    const second = falClient();
    let inProgressPolls = 0;
    const done = await second.queue.subscribeToStatus(I2V, {
      requestId,
      pollInterval: 10,
      onQueueUpdate: (s) => {
        if (s.status === 'IN_PROGRESS' && ++inProgressPolls === 3) hold.release();
      },
    });
    expect(done.status).toBe('COMPLETED');
    expect(inProgressPolls).toBe(3);
    const result = await second.queue.result(I2V, { requestId });
    expect(result.requestId).toBe(requestId);
    expect(result.data.video.url).toBe(`${fake.origin}/files/${requestId}.mp4`);
    expect(fake.counts().falSubmits).toEqual({ [I2V]: 1 });
  });

  it('validates lazily: a numeric duration is accepted at submit and fails as a ValidationError at result', async () => {
    const client = falClient();
    const endpoint: string = R2V; // untyped id, so the SDK's typings let the mistake through
    const error = await rejection(client.subscribe(endpoint, { input: { prompt: 'a cat', duration: 5 }, pollInterval: 10 }));
    expect(error).toBeInstanceOf(ValidationError);
    if (!(error instanceof ValidationError)) return;
    expect(error.status).toBe(422);
    expect(error.getFieldErrors('duration')).toEqual([expect.objectContaining({ loc: ['body', 'duration'], type: 'literal_error', input: 5 })]);
    expect(fake.counts().falSubmits).toEqual({ [R2V]: 1 });
    const routes = fake.requestLog().map((r) => `${r.route} ${r.status}`);
    expect(routes).toEqual(['fal-submit 200', 'fal-status 202', 'fal-status 202', 'fal-status 200', 'fal-result 422']);
  });

  it('rejects shot, reference and URL mistakes with field errors', async () => {
    const client = falClient();
    const image = await uploadPng(client);
    const endpoint: string = R2V;
    const badShots = await rejection(
      client.subscribe(endpoint, {
        input: {
          multi_prompt: [{ prompt: 'one', duration: 2 }, { prompt: 'two', duration: '3' }],
          duration: '5',
          elements: [{ frontal_image_url: '/home/me/hero.png', reference_image_urls: [image] }],
          image_urls: Array.from({ length: 7 }, () => image),
        },
        pollInterval: 10,
      }),
    );
    expect(badShots).toBeInstanceOf(ValidationError);
    if (!(badShots instanceof ValidationError)) return;
    const byType = badShots.fieldErrors.map((e) => `${e.loc.join('.')} ${e.type}`);
    expect(byType).toEqual(['body.multi_prompt.0.duration literal_error', 'body.elements.0.frontal_image_url file_download_error', 'body.elements value_error']);

    const badSum = await rejection(client.subscribe(endpoint, { input: { multi_prompt: [{ prompt: 'a', duration: '2' }, { prompt: 'b', duration: '2' }], duration: '5' }, pollInterval: 10 }));
    expect(badSum).toBeInstanceOf(ValidationError);
    if (badSum instanceof ValidationError) expect(badSum.getFieldErrors('multi_prompt')[0]?.msg).toMatch(/add up to 4s but duration is '5'/);
    expect(fake.counts().falSubmits).toEqual({ [R2V]: 2 });
  });

  it('drops unknown fields silently, and records them', async () => {
    const client = falClient();
    const image = await uploadPng(client);
    const input = { image_url: image, prompt: 'pan left', seed: 42, duration: '5' as const };
    const result = await client.subscribe(I2V, { input, pollInterval: 10 });
    expect(result.data.video.url).toContain('/files/');
    expect(fake.submissions()[0]?.droppedFields).toEqual(['seed']);
  });

  it('retries a 503 on submit by itself; only the accepted submission counts', async () => {
    fake.failNext('fal-submit', { status: 503 });
    const client = falClient();
    const result = await client.subscribe(R2V, { input: { prompt: 'a cat', duration: '3' }, pollInterval: 10 });
    expect(result.data.video.url).toContain('/files/');
    expect(fake.counts().falSubmits).toEqual({ [R2V]: 1 });
    expect(fake.requestLog().filter((r) => r.route === 'fal-submit').map((r) => r.status)).toEqual([503, 200]);
  });

  it('a locked account answers 403 with fal\'s detail sentence, and nothing is paid', async () => {
    fake.lockAccount();
    const error = await rejection(falClient().subscribe(R2V, { input: { prompt: 'a cat' }, pollInterval: 10 }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(ValidationError);
    if (!(error instanceof ApiError)) return;
    expect(error.status).toBe(403);
    expect(isRecord(error.body) ? error.body.detail : undefined).toBe(LOCKED_DETAIL);
    expect(fake.counts().falSubmits).toEqual({});
  });

  it('cancels a queued request; its result is then refused', async () => {
    const client = falClient();
    const { request_id: requestId } = await client.queue.submit(R2V, { input: { prompt: 'a cat' } });
    await client.queue.cancel(R2V, { requestId });
    expect(fake.requestLog().at(-1)).toMatchObject({ route: 'fal-cancel', status: 202 });
    const status = await client.queue.status(R2V, { requestId });
    expect(status.status).toBe('COMPLETED');
    const error = await rejection(client.queue.result(R2V, { requestId }));
    expect(error).toBeInstanceOf(ApiError);
    if (error instanceof ApiError) expect(error.status).toBe(400);
  });

  it('fal.run (synchronous) answers the output directly and counts as paid', async () => {
    const result = await falClient().run(R2V, { input: { prompt: 'a cat', aspect_ratio: '9:16' } });
    expect(result.data.video.url).toBe(`${fake.origin}/files/${result.requestId}.mp4`);
    expect(fake.counts().falSubmits).toEqual({ [R2V]: 1 });
  });

  it('answers 401 {detail} without an API key', async () => {
    const res = await fetch(`${fake.origin}/queue/${R2V}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body: unknown = await res.json();
    expect(isRecord(body) && typeof body.detail === 'string').toBe(true);
  });
});

describe('Gemini, through @google/genai', () => {
  function lastImage(response: GenerateContentResponse): Part | undefined {
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    return parts.filter((p) => p.inlineData !== undefined && p.thought !== true).at(-1);
  }

  function bytesOf(part: Part | undefined): Buffer {
    return Buffer.from(part?.inlineData?.data ?? '', 'base64');
  }

  it('flash: an inline reference in, a 1344×768 PNG out for 16:9', async () => {
    const reference = await png(40, 30, { r: 10, g: 120, b: 200 });
    const response = await gemini().models.generateContent({
      model: FLASH,
      contents: [{ role: 'user', parts: [{ text: 'a lighthouse at dusk' }, { inlineData: { mimeType: 'image/png', data: reference.toString('base64') } }] }],
      config: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '16:9' } },
    });
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.candidatesTokenCount).toBe(1290);
    const meta = await sharp(bytesOf(lastImage(response))).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1344, 768]);
    expect(fake.counts().geminiCalls).toEqual({ [FLASH]: 1 });
    const [sent] = fake.geminiRequests();
    expect(sent?.model).toBe(FLASH);
    expect(isRecord(sent?.body) && isRecord(sent.body.generationConfig) ? sent.body.generationConfig.imageConfig : undefined).toEqual({ aspectRatio: '16:9' });
  });

  it('pro: a thought image comes first and differs from the final 2K image', async () => {
    const response = await gemini().models.generateContent({
      model: PRO,
      contents: 'a red bicycle',
      config: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '16:9', imageSize: '2K' } },
    });
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    const thoughtImage = parts.find((p) => p.thought === true && p.inlineData !== undefined);
    expect(parts.findIndex((p) => p === thoughtImage)).toBeLessThan(parts.findIndex((p) => p === lastImage(response)));
    const final = bytesOf(lastImage(response));
    expect(final.equals(bytesOf(thoughtImage))).toBe(false);
    const meta = await sharp(final).metadata();
    expect([meta.width, meta.height]).toEqual([2752, 1536]);
  });

  it('draws a 2x2 grid of four colours when the prompt asks for one, deterministically', async () => {
    const ask = (): Promise<GenerateContentResponse> =>
      gemini().models.generateContent({ model: FLASH, contents: 'a 2x2 grid of four storyboard frames', config: { imageConfig: { aspectRatio: '1:1' } } });
    const [a, b] = await Promise.all([ask(), ask()]);
    const image = bytesOf(lastImage(a));
    expect(image.equals(bytesOf(lastImage(b)))).toBe(true);
    const cell = async (left: number, top: number): Promise<string> => {
      const { data } = await sharp(image).extract({ left, top, width: 8, height: 8 }).raw().toBuffer({ resolveWithObject: true });
      return [...data.subarray(0, 3)].join(',');
    };
    const colours = await Promise.all([cell(100, 100), cell(900, 100), cell(100, 900), cell(900, 900)]);
    expect(new Set(colours).size).toBe(4);
  });

  it('a blocked prompt is a 200 with promptFeedback.blockReason and no candidates', async () => {
    fake.failNext('gemini', { blockPrompt: 'PROHIBITED_CONTENT' });
    const response = await gemini().models.generateContent({ model: FLASH, contents: 'something blocked' });
    expect(response.promptFeedback?.blockReason).toBe('PROHIBITED_CONTENT');
    expect(response.candidates).toBeUndefined();
  });

  it('finishReason IMAGE_SAFETY comes back without an image part', async () => {
    fake.failNext('gemini', { finishReason: 'IMAGE_SAFETY' });
    const response = await gemini().models.generateContent({ model: PRO, contents: 'x' });
    expect(response.candidates?.[0]?.finishReason).toBe('IMAGE_SAFETY');
    expect(lastImage(response)).toBeUndefined();
  });

  it('four references on flash → ApiError 400 INVALID_ARGUMENT, not counted', async () => {
    const ref = (await png(8, 8, { r: 9, g: 9, b: 9 })).toString('base64');
    const parts = [{ text: 'combine these' }, ...Array.from({ length: 4 }, () => ({ inlineData: { mimeType: 'image/png', data: ref } }))];
    const error = await rejection(gemini().models.generateContent({ model: FLASH, contents: [{ role: 'user', parts }] }));
    expect(error).toBeInstanceOf(GeminiApiError);
    if (!(error instanceof GeminiApiError)) return;
    expect(error.status).toBe(400);
    expect(error.message).toContain('INVALID_ARGUMENT');
    expect(fake.counts().geminiCalls).toEqual({});
  });

  it('429 and 503 come back as ApiErrors with Google\'s bodies', async () => {
    fake.failNext('gemini', { status: 429 });
    fake.failNext('gemini', { status: 503 });
    const tooMany = await rejection(gemini().models.generateContent({ model: FLASH, contents: 'x' }));
    expect(tooMany).toBeInstanceOf(GeminiApiError);
    if (tooMany instanceof GeminiApiError) {
      const body: unknown = JSON.parse(tooMany.message);
      expect([tooMany.status, body]).toEqual([429, { error: expect.objectContaining({ code: 429, status: 'RESOURCE_EXHAUSTED' }) }]);
    }
    const overloaded = await rejection(gemini().models.generateContent({ model: FLASH, contents: 'x' }));
    expect(overloaded).toBeInstanceOf(GeminiApiError);
    if (overloaded instanceof GeminiApiError) expect(overloaded.message).toContain('The model is overloaded. Please try again later.');
    const ok = await gemini().models.generateContent({ model: FLASH, contents: 'x' });
    expect(lastImage(ok)).toBeDefined();
    expect(fake.counts().geminiCalls).toEqual({ [FLASH]: 1 });
  });

  it('answers 403 PERMISSION_DENIED without an API key', async () => {
    const res = await fetch(`${fake.origin}/v1beta/models/${FLASH}:generateContent`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(403);
    const body: unknown = await res.json();
    expect(isRecord(body) && isRecord(body.error) ? body.error.status : undefined).toBe('PERMISSION_DENIED');
  });
});

describe('fault injection and control', () => {
  async function storedFile(): Promise<string> {
    return uploadPng(falClient());
  }

  async function statusesOf(url: string, n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i += 1) out.push((await fetch(url)).status);
    return out;
  }

  it('failRandomly is deterministic for a seed', async () => {
    const url = await storedFile();
    fake.failRandomly({ rate: 0.5, seed: 7, statuses: [500, 503], routes: ['fal-download'] });
    const first = await statusesOf(url, 24);
    fake.failRandomly({ rate: 0.5, seed: 7, statuses: [500, 503], routes: ['fal-download'] });
    const again = await statusesOf(url, 24);
    expect(again).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
    fake.failRandomly({ rate: 0, seed: 0, statuses: [] });
    expect(await statusesOf(url, 3)).toEqual([200, 200, 200]);
  });

  it('reset destroys the socket; delayMs answers late but normally; times repeats a fault', async () => {
    const url = await storedFile();
    fake.failNext('fal-download', { reset: true });
    expect(await rejection(fetch(url))).toBeInstanceOf(TypeError);
    fake.failNext('fal-download', { delayMs: 30 });
    expect((await fetch(url)).status).toBe(200);
    fake.failNext('fal-download', { status: 502 }, 2);
    expect(await statusesOf(url, 3)).toEqual([502, 502, 200]);
    expect(fake.requestLog().filter((r) => r.route === 'fal-download').map((r) => r.status)).toEqual([0, 200, 502, 502, 200]);
  });

  it('onRequest and waitForRequest report answered requests; unsubscribing stops reports', async () => {
    const seen: RequestEvent[] = [];
    const off = fake.onRequest((r) => seen.push(r));
    const waiting = fake.waitForRequest('fal-upload-put');
    await storedFile();
    expect((await waiting).status).toBe(200);
    off();
    await storedFile();
    expect(seen.map((r) => r.route)).toEqual(['fal-upload', 'fal-upload-put']);
  });

  it('setJobPolls stretches the queue phases', async () => {
    fake.setJobPolls(2);
    const statuses: string[] = [];
    await falClient().subscribe(R2V, { input: { prompt: 'a cat' }, pollInterval: 10, onQueueUpdate: (s) => statuses.push(s.status) });
    expect(statuses).toEqual(['IN_QUEUE', 'IN_QUEUE', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
  });
});

describe('pieces', () => {
  it('rewrites the three fal hosts and refuses anything else', async () => {
    expect(rewriteFalUrl('https://queue.fal.run/fal-ai/x/requests/1/status?logs=0', 'http://127.0.0.1:9')).toBe('http://127.0.0.1:9/queue/fal-ai/x/requests/1/status?logs=0');
    expect(rewriteFalUrl('https://rest.fal.ai/storage/upload/initiate', 'http://127.0.0.1:9/')).toBe('http://127.0.0.1:9/rest/storage/upload/initiate');
    expect(rewriteFalUrl('https://fal.run/fal-ai/x', 'http://127.0.0.1:9')).toBe('http://127.0.0.1:9/run/fal-ai/x');
    expect(await rejection(falFetch(fake.origin)('https://v3.fal.media/files/x.mp4'))).toBeInstanceOf(Error);
  });

  it('classifies the routes the SDKs call', () => {
    expect(classify('POST', `/queue/${R2V}`)).toEqual({ route: 'fal-submit', params: [R2V] });
    expect(classify('GET', '/queue/fal-ai/kling-video/requests/abc/status')).toEqual({ route: 'fal-status', params: ['fal-ai/kling-video', 'abc'] });
    expect(classify('GET', '/queue/fal-ai/kling-video/requests/abc')).toEqual({ route: 'fal-result', params: ['fal-ai/kling-video', 'abc'] });
    expect(classify('PUT', '/queue/fal-ai/kling-video/requests/abc/cancel')).toEqual({ route: 'fal-cancel', params: ['fal-ai/kling-video', 'abc'] });
    expect(classify('POST', `/v1beta/models/${PRO}:generateContent`)).toEqual({ route: 'gemini', params: [PRO] });
    expect(classify('DELETE', '/files/x').route).toBe('unknown');
  });

  it('validates Kling inputs like fal (a table of cases)', () => {
    const rules = { isServedUrl: (u: string) => u.startsWith('http://fake/'), maxReferences: 7 };
    const errs = (endpoint: string, input: unknown): string[] => validateKlingInput(endpoint, input, rules).map((e: FieldError) => `${e.loc.join('.')}:${e.type}`);
    const img = 'http://fake/a.png';
    expect(errs(R2V, { prompt: 'x' })).toEqual([]);
    expect(errs(R2V, {})).toEqual(['body.prompt:value_error']);
    expect(errs(R2V, { prompt: 'x', multi_prompt: [{ prompt: 'y', duration: '5' }] })).toEqual(['body.prompt:value_error']);
    expect(errs(R2V, { prompt: 'x', duration: '16' })).toEqual(['body.duration:literal_error']);
    expect(errs(R2V, { prompt: 'x', aspect_ratio: '4:3' })).toEqual(['body.aspect_ratio:literal_error']);
    expect(errs(R2V, { multi_prompt: Array.from({ length: 7 }, () => ({ prompt: 'y', duration: '1' })), duration: '7' })).toEqual(['body.multi_prompt:too_long']);
    expect(errs(R2V, { multi_prompt: [{ duration: '5' }] })).toEqual(['body.multi_prompt.0.prompt:missing']);
    expect(errs(R2V, { prompt: 'x', elements: [{ frontal_image_url: img }] })).toEqual(['body.elements.0.reference_image_urls:missing']);
    expect(errs(R2V, { prompt: 'x', elements: [{ frontal_image_url: img, reference_image_urls: [img, img, img, img] }] })).toEqual(['body.elements.0.reference_image_urls:too_long']);
    const element = { frontal_image_url: img, reference_image_urls: [img] };
    expect(errs(R2V, { prompt: 'x', elements: [element, element, element], image_urls: [img, img, img, img] })).toEqual([]);
    expect(errs(R2V, { prompt: 'x', elements: [element, element, element], image_urls: [img, img, img, img, img] })).toEqual(['body.elements:value_error']);
    expect(errs(R2V, { prompt: 'x', elements: [{ ...element, video_url: img }, element], image_urls: [img, img, img] })).toEqual(['body.elements:value_error']);
    expect(errs(I2V, { prompt: 'x', start_image_url: img })).toEqual(['body.image_url:missing', 'body.start_image_url:extra_forbidden']);
    expect(errs(I2V, { prompt: 'x', image_url: 'file:///tmp/a.png' })).toEqual(['body.image_url:file_download_error']);
    expect(droppedFields(I2V, { prompt: 'x', image_url: img, elements: [element], seed: 1 })).toEqual(['elements', 'seed']);
    expect(droppedFields(R2V, { prompt: 'x', elements: [{ ...element, name: 'Ana' }], multi_prompt: [{ prompt: 'y', camera: 'pan' }] })).toEqual(['multi_prompt[0].camera', 'elements[0].name']);
  });

  it('makes a deterministic MP4 per seed, different across seeds', () => {
    const a = makeMp4({ seed: 'req-1', durationSec: 3, width: 1280, height: 720 });
    const again = makeMp4({ seed: 'req-1', durationSec: 3, width: 1280, height: 720 });
    const b = makeMp4({ seed: 'req-2', durationSec: 3, width: 1280, height: 720 });
    expect(Buffer.from(a).equals(Buffer.from(again))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    const boxes = topLevelBoxes(a);
    expect(boxes.map(([type]) => type)).toEqual(['ftyp', 'free', 'moov', 'mdat']);
    expect(boxes.reduce((n, [, size]) => n + size, 0)).toBe(a.length);
    expect(Buffer.from(a).includes('avcC')).toBe(true);
  });
});
