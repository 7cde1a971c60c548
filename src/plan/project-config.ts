import type { Config, ProjectConfig, ProjectOverrides } from './config-schema.ts';

/** Lays a project's overrides over the config (no zod here: the config is already validated). */
export function configForProject(config: Config, project: string): ProjectConfig {
  const { projects, ...base } = config;
  const over: ProjectOverrides = projects[project] ?? {};
  return {
    ...base,
    providers: { ...base.providers, ...over.providers },
    image: { ...base.image, ...over.image },
    video: { ...base.video, ...over.video },
    aspectRatio: over.aspectRatio ?? base.aspectRatio,
    grid: { ...base.grid, ...over.grid },
    elementCap: { ...base.elementCap, ...over.elementCap },
    concurrency: { ...base.concurrency, ...over.concurrency },
    sim: { ...base.sim, ...over.sim },
    cut: { ...base.cut, ...over.cut },
  };
}
