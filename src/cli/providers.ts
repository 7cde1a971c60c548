import { join } from 'node:path';
import { FileUploadCache } from '../cache/upload-cache.ts';
import type { Providers } from '../graph/apply/context.ts';
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

/** Builds the configured providers on first use (lazily: a no-op build loads no SDK and no sharp). */
export function providerFactory(setup: ProviderSetup): () => Promise<Providers> {
  const { io, config } = setup;
  return async () => {
    const { media } = setup;
    const encode = async (frames: RawFrames) => {
      const { encodeFrames } = await import('../media/encode.ts');
      return encodeFrames(await media.ffmpeg(), media.scratch, frames);
    };
    const sim = { clock: io.clock, ...config.sim, encode };
    const common = { retry: config.retry, clock: io.clock, random: io.random };
    let image: Providers['image'];
    if (config.providers.image === 'gemini') {
      const { createGeminiImageProvider } = await import('../providers/gemini.ts');
      image = createGeminiImageProvider({
        ...common,
        apiKey: providerKey(setup.env, 'gemini'),
        baseUrl: endpoint(setup, 'CG_GEMINI_URL', config.endpoints.geminiUrl),
        maxReferences: (model) => (imageModels as readonly string[]).includes(model) ? imageModelFacts[model as ImageModel].maxReferences : 1,
      });
    } else {
      const { createSimImageProvider } = await import('../providers/sim/sim-provider.ts');
      image = createSimImageProvider(sim);
    }
    let video: Providers['video'];
    if (config.providers.video === 'fal') {
      const { createFalVideoProvider } = await import('../providers/fal.ts');
      const baseUrl = endpoint(setup, 'CG_FAL_URL', config.endpoints.falUrl);
      video = createFalVideoProvider({
        ...common,
        apiKey: providerKey(setup.env, 'fal'),
        baseUrl,
        uploads: await FileUploadCache.open(join(setup.paths.cache, 'uploads.json'), baseUrl ?? 'fal', config.fal.uploadTtlHours * 3_600_000, () => io.clock.now()),
        fetch: io.fetch,
        pollIntervalMs: config.fal.pollIntervalMs,
        faults: io.faults,
      });
    } else {
      const { createSimVideoProvider } = await import('../providers/sim/sim-provider.ts');
      video = createSimVideoProvider(sim);
    }
    return { image, video };
  };
}
