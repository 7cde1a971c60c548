import type { UserConfig } from './config-schema.ts';

/** Identity, for editor completion and type checks in pipeline.config.ts. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

export type { UserConfig };
