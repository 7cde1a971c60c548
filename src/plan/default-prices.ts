import type { ImageModel } from './models.ts';
import type { ImagePrice, VideoPrice } from './config-schema.ts';

const falPages = 'fal.ai model pages (shared/reference/apis.md A.4)';
const geminiPricing = 'Google Gemini API pricing (shared/reference/apis.md C.4)';

/**
 * The prices clipgraph ships, one dated entry per model or endpoint. A config names only the
 * entries it changes (`prices` in pipeline.config.ts); every other price comes from here, so a
 * corrected default reaches every project that did not override that entry.
 * Where a source gave only one O3 shape's rate, the other shapes of that tier are assumed to
 * cost the same (fal bills O3 per tier, not per shape).
 */
export const defaultPrices: { image: Record<ImageModel, ImagePrice>; video: Record<string, VideoPrice> } = {
  image: {
    'gemini-2.5-flash-image': { date: '2026-11-22', source: geminiPricing, '1K': 0.039 },
    'gemini-3-pro-image-preview': { date: '2026-11-22', source: geminiPricing, '1K': 0.134, '2K': 0.134, '4K': 0.24 },
  },
  video: {
    'fal-ai/kling-video/o3/standard/text-to-video': { date: '2026-11-22', source: falPages, audioOff: 0.084, audioOn: 0.112 },
    'fal-ai/kling-video/o3/standard/image-to-video': { date: '2026-11-22', source: falPages, audioOff: 0.084, audioOn: 0.112 },
    'fal-ai/kling-video/o3/standard/reference-to-video': { date: '2026-11-22', source: falPages, audioOff: 0.084, audioOn: 0.112 },
    'fal-ai/kling-video/o3/pro/text-to-video': { date: '2026-11-22', source: falPages, audioOff: 0.112, audioOn: 0.14 },
    'fal-ai/kling-video/o3/pro/image-to-video': { date: '2026-11-22', source: falPages, audioOff: 0.112, audioOn: 0.14 },
    'fal-ai/kling-video/o3/pro/reference-to-video': { date: '2026-11-22', source: falPages, audioOff: 0.112, audioOn: 0.14 },
  },
};
