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
  // Prices come from clipgraph's dated defaults (src/plan/default-prices.ts); --dry-run and the
  // cost ledger use them. Name only what differs: a dated entry replaces that endpoint's (or image
  // model's, e.g. { date, '1K': 0.039 }) default whole, and every other price stays the default.
  // prices: {
  //   video: { 'fal-ai/kling-video/o3/standard/reference-to-video': { date: '2026-12-01', audioOff: 0.09, audioOn: 0.12 } },
  // },
  projects: {},
});
