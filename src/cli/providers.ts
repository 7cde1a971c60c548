import type { Providers } from '../graph/execute.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import { CgFailure } from '../util/errors.ts';
import type { Io } from './io.ts';

/** Builds the configured providers on first use (lazily: a no-op build loads no SDK and no sharp). */
export function providerFactory(io: Io, config: ProjectConfig): () => Promise<Providers> {
  return async () => {
    const { createSimImageProvider, createSimVideoProvider } = await import('../providers/sim/sim-provider.ts');
    const sim = { clock: io.clock, ...config.sim };
    if (config.providers.image !== 'sim' || config.providers.video !== 'sim') {
      throw new CgFailure({ kind: 'usage', message: `providers ${config.providers.image}/${config.providers.video} are not available in this build; set providers to "sim" in pipeline.config.ts` });
    }
    return { image: createSimImageProvider(sim), video: createSimVideoProvider(sim) };
  };
}
