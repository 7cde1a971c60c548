import { defineConfig } from './src/plan/define-config.ts';

/**
 * clipgraph configuration. Every value shown is the default unless noted;
 * delete what you do not change. Per-project overrides go under `projects`.
 */
export default defineConfig({
  defaultProject: 'demo',
  projectsDir: 'projects',
  // sim: offline and free (grids drawn locally, an animatic in place of video).
  // gemini / fal: the real providers (keys: GEMINI_API_KEY, FAL_KEY).
  providers: { image: 'sim', video: 'sim' },
  image: { model: 'gemini-2.5-flash-image', size: '1K' },
  video: { tier: 'standard', audio: false },
  aspectRatio: '16:9',
  grid: { rows: 2, cols: 2, maxAttempts: 3 },
  // Kling O3 elements per call: the seeds' rule; fal documents totals of 4–7 elements + references.
  elementCap: { withStartFrame: 3, withoutStartFrame: 4 },
  // fal's new accounts run 2 jobs at once.
  concurrency: { sim: 4, gemini: 4, fal: 2, local: 2 },
  sim: { latencyMs: 0, animaticWidth: 640, animaticHeight: 360 },
  retry: { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 },
  // Dated: providers change prices. --dry-run and the cost ledger use these.
  prices: {
    date: '2026-11-22',
    source: 'fal.ai model pages; Google Gemini API pricing (shared/reference/apis.md)',
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
  },
  projects: {},
});
