import { join } from 'node:path';
import { FileUploadCache } from '../cache/upload-cache.ts';
import type { Providers } from '../graph/apply/context.ts';
import type { ImageProvider, VideoProvider } from '../providers/types.ts';
import type { RawFrames } from '../media/encode.ts';
import type { Lane } from '../graph/nodes.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import { imageModelFacts, imageModels, type ImageModel } from '../plan/models.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { Io } from './io.ts';
import type { MediaTools } from '../media/tools.ts';
import { providerKey } from './secrets.ts';

export interface ProviderSetup {
  io: Io;
  config: ProjectConfig;
  paths: ProjectPaths;
  env: Readonly<Record<string, string | undefined>>;
  media: MediaTools;
}

/** Checks, before anything runs, that every provider the build will call has its key. */
export function checkKeys(env: ProviderSetup['env'], lanes: ReadonlySet<Lane>): void {
  if (lanes.has('gemini')) providerKey(env, 'gemini');
  if (lanes.has('fal')) providerKey(env, 'fal');
}

function endpoint(setup: ProviderSetup, variable: 'CG_FAL_URL' | 'CG_GEMINI_URL', configured: string | undefined): string | undefined {
  const value = setup.env[variable]?.trim();
  return value === undefined || value === '' ? configured : value;
}

/** Memoizes an async factory: made on first call, the same promise after. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/**
 * The configured providers, each built on first use (a no-op build loads no SDK and no sharp;
 * a build that runs only free image work never needs the video provider's key).
 */
export function providerFactory(setup: ProviderSetup): Providers {
  const { io, config, media } = setup;
  const encode = async (frames: RawFrames, signal: AbortSignal) => {
    const { encodeFrames } = await import('../media/encode.ts');
    return encodeFrames(await media.ffmpeg(), media.scratch, frames, signal);
  };
  const sim = { clock: io.clock, ...config.sim, encode };
  const common = { retry: config.retry, clock: io.clock, random: io.random };
  const image = once(async (): Promise<ImageProvider> => {
    if (config.providers.image !== 'gemini') {
      const { createSimImageProvider } = await import('../providers/sim/sim-provider.ts');
      return createSimImageProvider(sim);
    }
    const { createGeminiImageProvider } = await import('../providers/gemini.ts');
    return createGeminiImageProvider({
      ...common,
      apiKey: providerKey(setup.env, 'gemini'),
      baseUrl: endpoint(setup, 'CG_GEMINI_URL', config.endpoints.geminiUrl),
      maxReferences: (model) => (imageModels as readonly string[]).includes(model) ? imageModelFacts[model as ImageModel].maxReferences : 1,
    });
  });
  const video = once(async (): Promise<VideoProvider> => {
    if (config.providers.video !== 'fal') {
      const { createSimVideoProvider } = await import('../providers/sim/sim-provider.ts');
      return createSimVideoProvider(sim);
    }
    const { createFalVideoProvider } = await import('../providers/fal.ts');
    const baseUrl = endpoint(setup, 'CG_FAL_URL', config.endpoints.falUrl);
    return createFalVideoProvider({
      ...common,
      apiKey: providerKey(setup.env, 'fal'),
      baseUrl,
      uploads: await FileUploadCache.open(join(setup.paths.cache, 'uploads.json'), baseUrl ?? 'fal', config.fal.uploadTtlHours * 3_600_000, () => io.clock.now()),
      fetch: io.fetch,
      pollIntervalMs: config.fal.pollIntervalMs,
      faults: io.faults,
    });
  });
  return { image, video };
}
