/**
 * What the providers' models accept, in one place (sources: shared/reference/apis.md).
 * Plan rules, cost estimates and the steps' parameters are all derived from these.
 */

export const imageModels = ['gemini-2.5-flash-image', 'gemini-3-pro-image-preview'] as const;
export type ImageModel = (typeof imageModels)[number];
export const imageSizes = ['1K', '2K', '4K'] as const;
export type ImageSize = (typeof imageSizes)[number];
export const aspectRatios = ['16:9', '9:16', '1:1'] as const;
export type AspectRatio = (typeof aspectRatios)[number];

interface ImageModelFacts {
  /** Reference images one request may carry (apis.md C.1). */
  maxReferences: number;
  sizes: readonly ImageSize[];
  /** Output pixels per aspect ratio and size (apis.md C.4). */
  dimensions: Record<AspectRatio, Partial<Record<ImageSize, readonly [number, number]>>>;
}

export const imageModelFacts: Record<ImageModel, ImageModelFacts> = {
  'gemini-2.5-flash-image': {
    maxReferences: 3,
    sizes: ['1K'],
    dimensions: {
      '16:9': { '1K': [1344, 768] },
      '9:16': { '1K': [768, 1344] },
      '1:1': { '1K': [1024, 1024] },
    },
  },
  'gemini-3-pro-image-preview': {
    maxReferences: 14,
    sizes: ['1K', '2K', '4K'],
    dimensions: {
      '16:9': { '1K': [1376, 768], '2K': [2752, 1536], '4K': [5504, 3072] },
      '9:16': { '1K': [768, 1376], '2K': [1536, 2752], '4K': [3072, 5504] },
      '1:1': { '1K': [1024, 1024], '2K': [2048, 2048], '4K': [4096, 4096] },
    },
  },
};

export function imageDimensions(model: ImageModel, size: ImageSize, aspect: AspectRatio): readonly [number, number] {
  const facts = imageModelFacts[model].dimensions[aspect];
  return facts[size] ?? facts['1K'] ?? [1344, 768];
}

export const videoTiers = ['standard', 'pro'] as const;
export type VideoTier = (typeof videoTiers)[number];
export type VideoShape = 'reference-to-video' | 'image-to-video' | 'text-to-video';

/** Kling O3 endpoint by input shape (DESIGN.md "Providers"). */
export function klingEndpoint(tier: VideoTier, hasStartFrame: boolean, elementCount: number): string {
  const shape: VideoShape =
    elementCount > 0 ? 'reference-to-video' : hasStartFrame ? 'image-to-video' : 'text-to-video';
  return `fal-ai/kling-video/o3/${tier}/${shape}`;
}

/** Kling O3 limits (apis.md A.2): a clip is 3–15 s; multi-shot has 1–6 shots of ≥1 s summing to the clip. */
export const klingLimits = {
  clipSeconds: { min: 3, max: 15 },
  shotSeconds: { min: 1, max: 15 },
  maxShots: 6,
  maxShotPromptChars: 512,
} as const;
