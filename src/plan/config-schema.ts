import { z } from 'zod';
import { aspectRatios, imageModels, imageSizes, klingEndpoint, videoTiers, type ImageModel, type ImageSize } from './models.ts';
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

const cutSettings = z
  .strictObject({
    width: z.int().min(64).max(3840).multipleOf(2).default(960),
    height: z.int().min(64).max(2160).multipleOf(2).default(540),
    fps: z.int().min(1).max(60).default(24),
  })
  .describe('The size and frame rate of the cut (cg cut) and of its segments.');

const priceDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected the day the price was read, like "2026-11-22"')
  .describe('When this price was read: providers change them.');
const priceSource = z.string().optional().describe('Where the price was read.');
const usd = z.number().min(0);

const imagePrice = z.strictObject({
  date: priceDate,
  source: priceSource,
  ...({ '1K': usd.optional(), '2K': usd.optional(), '4K': usd.optional() } satisfies Record<ImageSize, z.ZodOptional<z.ZodNumber>>),
});
const videoPrice = z.strictObject({ date: priceDate, source: priceSource, audioOff: usd, audioOn: usd });

/** Every endpoint the graph can choose: with elements, with a start frame only, with neither. */
const videoEndpoints = videoTiers.flatMap((tier) => [klingEndpoint(tier, true, 1), klingEndpoint(tier, true, 0), klingEndpoint(tier, false, 0)]);

/** An object whose only fields are `names`, each optional: any other name is refused with the list of these. */
function entriesFor<K extends string, S extends z.ZodType>(names: readonly K[], entry: S): z.ZodObject<Record<K, z.ZodOptional<S>>, z.core.$strict> {
  return z.strictObject(Object.fromEntries(names.map((name) => [name, entry.optional()])) as Record<K, z.ZodOptional<S>>);
}

export type ImagePrice = z.output<typeof imagePrice>;
export type VideoPrice = z.output<typeof videoPrice>;

/** The prices in force: clipgraph's defaults with the config's entries laid over them, model by model. */
export interface PriceTable {
  image: Record<ImageModel, ImagePrice>;
  video: Record<string, VideoPrice>;
}

/** The entries a config gave: a member written as `undefined` is no entry. */
function withoutGaps<T>(entries: Readonly<Record<string, T | undefined>> | undefined): Record<string, T> {
  return Object.fromEntries(Object.entries(entries ?? {}).filter((entry): entry is [string, T] => entry[1] !== undefined));
}

function resolvePrices(overrides: { image?: Partial<Record<ImageModel, ImagePrice>> | undefined; video?: Partial<Record<string, VideoPrice>> | undefined }): PriceTable {
  const image = { ...defaultPrices.image, ...withoutGaps(overrides.image) };
  const video = { ...defaultPrices.video, ...withoutGaps(overrides.video) };
  return { image, video };
}

const prices = z
  .strictObject({
    image: entriesFor(imageModels, imagePrice).optional().describe('USD per image by size, one dated entry per model.'),
    video: entriesFor(videoEndpoints, videoPrice).optional().describe('USD per second of video without and with audio, one dated entry per endpoint.'),
  })
  .prefault({})
  .describe('Only the prices that differ from clipgraph\'s dated defaults; each entry replaces that model\'s default whole.')
  .transform(resolvePrices);

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
  cut: cutSettings.partial().optional(),
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
  ffmpeg: z.string().min(1).optional().describe('A system ffmpeg to use instead of the one shipped in @ffmpeg-installer; CG_FFMPEG wins.'),
  cut: cutSettings.prefault({}),
  watch: z
    .strictObject({ debounceMs: z.int().min(0).max(60_000).default(300).describe('cg watch waits this long after the last save before it builds.') })
    .prefault({}),
  prices,
  projects: z.record(z.string(), projectOverrides).default({}),
});

export type UserConfig = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type ProjectOverrides = z.output<typeof projectOverrides>;

/** The settings that apply to one project: the config with that project's overrides laid over it. */
export type ProjectConfig = Omit<Config, 'projects'>;
