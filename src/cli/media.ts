import { join } from 'node:path';
import { createFfmpeg, locateFfmpeg, type Ffmpeg } from '../media/ffmpeg.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { MediaTools } from '../media/tools.ts';
import type { Io } from './io.ts';

export function mediaTools(io: Io, config: ProjectConfig, paths: ProjectPaths): MediaTools {
  let found: Promise<Ffmpeg> | undefined;
  return {
    ffmpeg: () => (found ??= locateFfmpeg(io.env.CG_FFMPEG?.trim(), config.ffmpeg).then(createFfmpeg)),
    scratch: join(paths.cache, 'tmp'),
  };
}
