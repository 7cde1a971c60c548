/**
 * Prices read 2026-11-22 (shared/reference/apis.md A.4 and C.4). pipeline.config.ts
 * may replace them; they are dated because providers change them.
 * Where a source gave only one O3 shape's rate, the other shapes of that tier
 * are assumed to cost the same (fal bills O3 per tier, not per shape).
 */
export const defaultPrices = {
  date: '2026-11-22',
  source: 'fal.ai model pages; Google Gemini API pricing (see shared/reference/apis.md)',
  image: {
    'gemini-2.5-flash-image': { '1K': 0.039 },
    'gemini-3-pro-image-preview': { '1K': 0.134, '2K': 0.134, '4K': 0.24 },
  },
  video: {
    'fal-ai/kling-video/o3/standard/text-to-video': { audioOff: 0.084, audioOn: 0.112 },
    'fal-ai/kling-video/o3/standard/image-to-video': { audioOff: 0.084, audioOn: 0.112 },
    'fal-ai/kling-video/o3/standard/reference-to-video': { audioOff: 0.084, audioOn: 0.112 },
    'fal-ai/kling-video/o3/pro/text-to-video': { audioOff: 0.112, audioOn: 0.14 },
    'fal-ai/kling-video/o3/pro/image-to-video': { audioOff: 0.112, audioOn: 0.14 },
    'fal-ai/kling-video/o3/pro/reference-to-video': { audioOff: 0.112, audioOn: 0.14 },
  },
};
