/**
 * The Gemini side of the fake: `POST /v1beta/models/{model}:generateContent` for the two image
 * models, answering with real PNGs (sharp) of the size the model would produce (apis.md C.1–C.4).
 */
import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { googleError, type ErrorReply } from './faults.ts';

type Rgb = readonly [number, number, number];

interface ModelSpec {
  maxReferences: number;
  /** Pixel size for an aspect ratio and imageSize; undefined when the value is not accepted. */
  size(aspectRatio: string, imageSize: string | undefined): readonly [number, number] | undefined;
  /** Whether the model returns interim "thought" images before the final one. */
  thinks: boolean;
  outputTokens(imageSize: string | undefined): number;
  /** Prompt tokens each input image costs. */
  tokensPerInputImage: number;
}

/** 2.5 Flash Image is 1K only (apis.md C.4, from a mirror of Google's table). */
const FLASH_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  '1:1': [1024, 1024], '2:3': [832, 1248], '3:2': [1248, 832], '3:4': [864, 1184], '4:3': [1184, 864],
  '4:5': [896, 1152], '5:4': [1152, 896], '9:16': [768, 1344], '16:9': [1344, 768], '21:9': [1536, 672],
};

/** 3 Pro Image at 1K; 2K and 4K are ×2 and ×4 (apis.md C.4: 16:9 → 1376×768 / 2752×1536 / 5504×3072). */
const PRO_1K_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  '1:1': [1024, 1024], '2:3': [848, 1264], '3:2': [1264, 848], '3:4': [896, 1200], '4:3': [1200, 896],
  '4:5': [928, 1152], '5:4': [1152, 928], '9:16': [768, 1376], '16:9': [1376, 768], '21:9': [1584, 672],
};
const PRO_SCALE: Readonly<Record<string, number>> = { '1K': 1, '2K': 2, '4K': 4 };

export const GEMINI_MODELS: Readonly<Record<string, ModelSpec>> = {
  'gemini-2.5-flash-image': {
    maxReferences: 3,
    size: (ratio) => FLASH_SIZES[ratio], // imageSize is ignored: the model is 1K only
    thinks: false,
    outputTokens: () => 1290,
    tokensPerInputImage: 258,
  },
  'gemini-3-pro-image-preview': {
    maxReferences: 14,
    size: (ratio, imageSize) => {
      const base = PRO_1K_SIZES[ratio];
      const scale = PRO_SCALE[imageSize ?? '1K'];
      return base === undefined || scale === undefined ? undefined : [base[0] * scale, base[1] * scale];
    },
    thinks: true,
    outputTokens: (imageSize) => (imageSize === '4K' ? 2000 : 1120), // apis.md C.4 (Vertex page)
    tokensPerInputImage: 560,
  },
};

/** What a fault asks the model to do instead of drawing. */
/** A blocked prompt, a finish without an image, or an image of one colour where a grid was asked for. */
export type GeminiOverride = { blockPrompt: string } | { finishReason: 'IMAGE_SAFETY' | 'NO_IMAGE' } | { notAGrid: true };

export interface GeminiRequest {
  model: string;
  prompt: string;
  references: Buffer[];
  aspectRatio: string;
  imageSize: string | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

/** Reads the wire body the SDK sends (apis.md C.2) into what the fake needs, or the 400 Google would give. */
export async function parseGenerateContent(model: string, body: unknown): Promise<GeminiRequest | ErrorReply> {
  const spec = GEMINI_MODELS[model];
  if (spec === undefined) return googleError(404, `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`);
  if (!isRecord(body)) return googleError(400, 'Invalid JSON payload received.');
  const parts = records(body.contents).filter((c) => c.role === undefined || c.role === 'user').flatMap((c) => records(c.parts));
  if (parts.length === 0) return googleError(400, '* GenerateContentRequest.contents: contents is not specified\n');
  const prompt = parts.map((p) => (typeof p.text === 'string' ? p.text : '')).filter((t) => t !== '').join('\n');
  const inline = parts.map((p) => p.inlineData).filter(isRecord);
  if (inline.length > spec.maxReferences) {
    return googleError(400, `Too many input images: ${inline.length} were given; ${model} accepts at most ${spec.maxReferences}.`);
  }
  const references = inline.map((d) => Buffer.from(typeof d.data === 'string' ? d.data : '', 'base64'));
  for (const ref of references) {
    if (!(await decodes(ref))) return googleError(400, 'Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
  }
  const imageConfig = isRecord(body.generationConfig) && isRecord(body.generationConfig.imageConfig) ? body.generationConfig.imageConfig : {};
  const aspectRatio = typeof imageConfig.aspectRatio === 'string' ? imageConfig.aspectRatio : '1:1';
  const imageSize = typeof imageConfig.imageSize === 'string' ? imageConfig.imageSize : undefined;
  if (spec.size(aspectRatio, imageSize) === undefined) {
    return googleError(400, `Unsupported image config for ${model}: aspectRatio ${JSON.stringify(aspectRatio)}, imageSize ${JSON.stringify(imageSize ?? null)}.`);
  }
  return { model, prompt, references, aspectRatio, imageSize };
}

async function decodes(bytes: Buffer): Promise<boolean> {
  try {
    const meta = await sharp(bytes).metadata();
    return meta.width > 0 && meta.height > 0;
  } catch {
    return false;
  }
}

function hsl(h: number, s: number, l: number): Rgb {
  const f = (n: number): number => {
    const k = (n + h / 30) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function baseHue(prompt: string): number {
  const h = createHash('sha256').update(prompt).digest();
  return ((h[0] ?? 0) * 256 + (h[1] ?? 0)) % 360;
}

/** "2x2" or "grid" in the prompt asks for a grid of four cells (the trick in apis.md D). */
export function wantsGrid(prompt: string): boolean {
  return /2\s*x\s*2|grid/i.test(prompt);
}

/** Four clearly different colours for a grid, or one colour; all from the prompt text. */
export function paletteFor(prompt: string): Rgb[] {
  const hue = baseHue(prompt);
  if (wantsGrid(prompt)) return [0, 90, 180, 270].map((d) => hsl((hue + d) % 360, 0.7, 0.5));
  return [hsl(hue, 0.55, 0.55)];
}

const toColour = ([r, g, b]: Rgb): { r: number; g: number; b: number } => ({ r, g, b });

/** A PNG of one colour, or a 2x2 grid of four (each cell one colour; the last row/column takes the remainder). */
export async function drawPng(width: number, height: number, colours: readonly Rgb[]): Promise<Buffer> {
  const [first = [128, 128, 128] as Rgb] = colours;
  const canvas = sharp({ create: { width, height, channels: 3, background: toColour(first) } });
  if (colours.length < 4) return canvas.png({ compressionLevel: 1 }).toBuffer();
  const w = Math.floor(width / 2);
  const h = Math.floor(height / 2);
  const cells = colours.slice(1, 4).map((c, i) => {
    const left = i === 1 ? 0 : w; // cells 2, 3, 4 = top right, bottom left, bottom right
    const top = i === 0 ? 0 : h;
    const cw = left === 0 ? w : width - w;
    const ch = height - h;
    return { input: { create: { width: cw, height: top === 0 ? h : ch, channels: 3 as const, background: toColour(c) } }, left, top };
  });
  return canvas.composite(cells).png({ compressionLevel: 1 }).toBuffer();
}

function usage(spec: ModelSpec, req: GeminiRequest, output: boolean): Record<string, unknown> {
  const textTokens = Math.max(1, Math.ceil(req.prompt.length / 4));
  const imageTokens = req.references.length * spec.tokensPerInputImage;
  const candidates = output ? spec.outputTokens(req.imageSize) : 0;
  const thoughts = output && spec.thinks ? 180 : 0;
  return {
    promptTokenCount: textTokens + imageTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: textTokens + imageTokens + candidates + thoughts,
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: textTokens }, ...(imageTokens > 0 ? [{ modality: 'IMAGE', tokenCount: imageTokens }] : [])],
    ...(output ? { candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: candidates }] } : {}),
  };
}

function envelope(req: GeminiRequest, rest: Record<string, unknown>): Record<string, unknown> {
  return { ...rest, modelVersion: req.model, responseId: randomBytes(16).toString('base64url').slice(0, 22) };
}

const inlinePng = (png: Buffer): { mimeType: string; data: string } => ({ mimeType: 'image/png', data: png.toString('base64') });

/** The 200 body: an image (after a thought image for Pro), or what the override asks for. */
export async function generateContentReply(req: GeminiRequest, override?: GeminiOverride): Promise<Record<string, unknown>> {
  const spec = GEMINI_MODELS[req.model];
  if (spec === undefined) throw new Error(`unknown model ${req.model}`);
  if (override !== undefined && 'blockPrompt' in override) {
    // A blocked prompt is HTTP 200 with promptFeedback and no candidates (apis.md C.2).
    return envelope(req, { promptFeedback: { blockReason: override.blockPrompt }, usageMetadata: usage(spec, req, false) });
  }
  if (override !== undefined && 'finishReason' in override) {
    const content = override.finishReason === 'NO_IMAGE' ? { content: { role: 'model', parts: [{ text: 'I could not generate an image for this request.' }] } } : {};
    return envelope(req, { candidates: [{ ...content, finishReason: override.finishReason, index: 0 }], usageMetadata: usage(spec, req, false) });
  }
  const size = spec.size(req.aspectRatio, req.imageSize);
  if (size === undefined) throw new Error('size was checked when parsing');
  const [width, height] = size;
  const parts: Record<string, unknown>[] = [];
  if (spec.thinks) {
    // A different (darker, complementary) draft, so a client that takes the wrong part is caught.
    const draft = await drawPng(width, height, [hsl((baseHue(req.prompt) + 180) % 360, 0.4, 0.3)]);
    parts.push({ text: '**Composing the image**\n\nPlanning the layout before drawing.', thought: true });
    parts.push({ inlineData: inlinePng(draft), thought: true });
  }
  const palette = paletteFor(req.prompt);
  const final = await drawPng(width, height, override === undefined ? palette : palette.slice(0, 1));
  parts.push({ inlineData: inlinePng(final), ...(spec.thinks ? { thoughtSignature: Buffer.from(`fake-signature:${req.model}`).toString('base64') } : {}) });
  return envelope(req, { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: usage(spec, req, true) });
}
