import type { Clock, GeneratedFile, ImageProvider, ImageRequest, ProviderResult } from './types.ts';
import { isNetworkError, isRetryableStatus, redact, withRetry, type Attempt, type RetryPolicy } from './retry.ts';

export interface GeminiOptions {
  apiKey: string;
  /** `CG_GEMINI_URL` or the config's endpoint: the SDK's `httpOptions.baseUrl`. */
  baseUrl: string | undefined;
  /** Reference images each model takes (apis.md C.1). */
  maxReferences: (model: string) => number;
  retry: RetryPolicy;
  clock: Clock;
  random: () => number;
}

interface Part {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType?: string; data?: string };
}

interface GenerateResponse {
  candidates?: Array<{ content?: { parts?: Part[] }; finishReason?: string }>;
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string };
}

/** The final image: the last inline image part that is not a thought (never `response.data`). */
export function finalImage(response: GenerateResponse): ProviderResult<GeneratedFile> {
  const blocked = response.promptFeedback?.blockReason;
  if (blocked !== undefined) {
    return { ok: false, error: { kind: 'blocked', message: `Gemini blocked the prompt (${blocked})${response.promptFeedback?.blockReasonMessage === undefined ? '' : `: ${response.promptFeedback.blockReasonMessage}`}; change the grid prompt` } };
  }
  const candidate = response.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const image = parts.filter((part) => part.inlineData?.data !== undefined && part.thought !== true).at(-1);
  if (image?.inlineData?.data === undefined) {
    const said = parts.map((part) => part.text).filter((text) => text !== undefined).join(' ').trim();
    const reason = candidate?.finishReason ?? 'no candidate';
    return { ok: false, error: { kind: 'blocked', message: `Gemini returned no image (finish reason ${reason})${said === '' ? '' : `; it said: "${said.slice(0, 200)}"`}` } };
  }
  const mimeType = image.inlineData.mimeType ?? 'image/png';
  return { ok: true, value: { bytes: Buffer.from(image.inlineData.data, 'base64'), mimeType, extension: mimeType === 'image/jpeg' ? 'jpg' : 'png' } };
}

/** Grids from Google's image models through the official SDK (@google/genai), loaded on first use. */
export function createGeminiImageProvider(options: GeminiOptions): ImageProvider {
  let client: Promise<{ generateContent: (request: unknown) => Promise<GenerateResponse> }> | undefined;
  const sdk = async (): Promise<{ generateContent: (request: unknown) => Promise<GenerateResponse> }> => {
    const { GoogleGenAI } = await import('@google/genai');
    const ai = new GoogleGenAI({ apiKey: options.apiKey, httpOptions: options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl } });
    return { generateContent: (request) => ai.models.generateContent(request as Parameters<typeof ai.models.generateContent>[0]) };
  };
  return {
    id: 'gemini',
    billable: true,
    async generateImage(request: ImageRequest): Promise<ProviderResult<GeneratedFile>> {
      const limit = options.maxReferences(request.model);
      if (request.references.length > limit) {
        return { ok: false, error: { kind: 'rejected', message: `${request.model} takes at most ${limit} reference images, got ${request.references.length}: list fewer elements or use a model that takes more` } };
      }
      client ??= sdk();
      const api = await client;
      const body = {
        model: request.model,
        contents: [
          {
            role: 'user',
            parts: [{ text: request.prompt }, ...request.references.map((image) => ({ inlineData: { mimeType: image.mimeType, data: Buffer.from(image.bytes).toString('base64') } }))],
          },
        ],
        config: {
          responseModalities: ['IMAGE'],
          imageConfig: request.model.includes('flash') ? { aspectRatio: request.aspectRatio } : { aspectRatio: request.aspectRatio, imageSize: request.imageSize },
          abortSignal: request.signal,
        },
      };
      return withRetry(options.retry, options.clock, options.random, request.signal, async (): Promise<Attempt<GeneratedFile>> => {
        try {
          const response = await api.generateContent(body);
          const image = finalImage(response);
          return image.ok ? image : { ok: false, error: image.error, retry: false };
        } catch (error) {
          if (request.signal.aborted) return { ok: false, error: { kind: 'aborted', message: 'interrupted' }, retry: false };
          const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : undefined;
          const message = redact(error instanceof Error ? error.message : String(error), options.apiKey);
          if (status !== undefined) {
            const words = `Gemini answered HTTP ${status}: ${googleMessage(message)}`;
            return isRetryableStatus(status) ? { ok: false, error: { kind: 'transient', message: words }, retry: true } : { ok: false, error: { kind: 'rejected', message: words }, retry: false };
          }
          if (isNetworkError(error)) return { ok: false, error: { kind: 'transient', message: `could not reach Gemini: ${message}` }, retry: true };
          return { ok: false, error: { kind: 'rejected', message: `Gemini call failed: ${message}` }, retry: false };
        }
      });
    },
  };
}

/** The SDK's ApiError message is the JSON body; show Google's own sentence. */
function googleMessage(message: string): string {
  try {
    const body = JSON.parse(message) as { error?: { message?: string; status?: string } };
    if (body.error?.message !== undefined) return `${body.error.status ?? ''} ${body.error.message}`.trim();
  } catch {
    // not JSON: use it as it is
  }
  return message;
}
