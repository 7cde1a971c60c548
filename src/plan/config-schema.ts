import { z } from 'zod';
import { aspectRatios, imageModels, imageSizes, videoTiers } from './models.ts';
import { defaultPrices } from './default-prices.ts';

const positiveInt = z.int().min(1);

const providerChoice = z.strictObject({
  image: z.enum(['sim', 'gemini']).default('sim').describe('sim draws grids locally for free; gemini calls Google.'),
  video: z.enum(['sim', 'fal']).default('sim').describe('sim renders an animatic for free; fal calls Kling O3.'),
});

const imageSettings = z.strictObject({
  model: z.enum(imageModels).default('gemini-2.5-flash-image'),
  size: z.enum(imageSizes).default('1K'),
});

const videoSettings = z.strictObject({
  tier: z.enum(videoTiers).default('standard').describe('Kling O3 tier: standard or pro.'),
  audio: z.boolean().default(false),
});

const gridSettings = z.strictObject({
  rows: z.int().min(1).max(4).default(2),
  cols: z.int().min(1).max(4).default(2),
  maxAttempts: z.int().min(1).max(10).default(3).describe('Grid checks before falling back to separate images.'),
});

const elementCap = z.strictObject({
  withStartFrame: z.int().min(0).default(3),
  withoutStartFrame: z.int().min(0).default(4),
});

const concurrency = z.strictObject({
  sim: positiveInt.default(4),
  gemini: positiveInt.default(4),
  fal: positiveInt.default(2).describe("fal's new accounts run 2 jobs at once"),
  local: positiveInt.default(2),
});

const simSettings = z.strictObject({
  latencyMs: z.int().min(0).default(0).describe('Simulated provider latency, to try parallelism offline.'),
  animaticWidth: z.int().min(64).max(4096).default(640),
  animaticHeight: z.int().min(64).max(4096).default(360),
});

export const PriceTableSchema = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('When these prices were read: they change.'),
  source: z.string().optional(),
  image: z.record(z.string(), z.partialRecord(z.enum(imageSizes), z.number().min(0))).describe('USD per image by model and size.'),
  video: z
    .record(z.string(), z.strictObject({ audioOff: z.number().min(0), audioOn: z.number().min(0) }))
    .describe('USD per second of video by endpoint.'),
});

/** What a project may override. */
const projectOverrides = z.strictObject({
  providers: providerChoice.partial().optional(),
  image: imageSettings.partial().optional(),
  video: videoSettings.partial().optional(),
  aspectRatio: z.enum(aspectRatios).optional(),
  grid: gridSettings.partial().optional(),
  elementCap: elementCap.partial().optional(),
  concurrency: concurrency.partial().optional(),
  sim: simSettings.partial().optional(),
});

export const ConfigSchema = z.strictObject({
  defaultProject: z.string().default('demo'),
  projectsDir: z.string().default('projects'),
  providers: providerChoice.prefault({}),
  image: imageSettings.prefault({}),
  video: videoSettings.prefault({}),
  aspectRatio: z.enum(aspectRatios).default('16:9'),
  grid: gridSettings.prefault({}),
  elementCap: elementCap.prefault({}),
  concurrency: concurrency.prefault({}),
  sim: simSettings.prefault({}),
  endpoints: z
    .strictObject({ falUrl: z.url().optional(), geminiUrl: z.url().optional() })
    .prefault({})
    .describe('Send provider calls elsewhere (tests, gateways); CG_FAL_URL / CG_GEMINI_URL win.'),
  fal: z
    .strictObject({
      pollIntervalMs: z.int().min(1).default(2000).describe('How often a queued video job is polled; jobs take minutes.'),
      uploadTtlHours: z.number().min(0).default(24).describe('How long an uploaded image URL is reused before uploading again.'),
    })
    .prefault({}),
  retry: z
    .strictObject({
      attempts: z.int().min(1).max(10).default(4),
      baseDelayMs: z.int().min(0).default(1000),
      maxDelayMs: z.int().min(0).default(30_000),
    })
    .prefault({}),
  prices: PriceTableSchema.default(defaultPrices),
  projects: z.record(z.string(), projectOverrides).default({}),
});

export type UserConfig = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type PriceTable = z.output<typeof PriceTableSchema>;
export type ProjectOverrides = z.output<typeof projectOverrides>;

/** The settings that apply to one project: the config with that project's overrides laid over it. */
export type ProjectConfig = Omit<Config, 'projects'>;
