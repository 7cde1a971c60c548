import { join } from 'node:path';
import { createFfmpeg, locateFfmpeg, type Ffmpeg } from '../media/ffmpeg.ts';
import { runDirect } from '../media/run-program.ts';
import { createSpawner } from '../media/spawner.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { MediaTools } from '../media/tools.ts';
import type { Io } from './io.ts';

/** ffmpeg runs from a helper process (media/spawner.ts): a big build forks once, not once per take. */
export function mediaTools(io: Io, config: ProjectConfig, paths: ProjectPaths): MediaTools {
  let found: Promise<Ffmpeg> | undefined;
  const spawner = createSpawner({
    execPath: process.execPath,
    env: io.env,
    fallback: runDirect,
    kill: (pid) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  });
  return {
    ffmpeg: () => (found ??= locateFfmpeg(io.env.CG_FFMPEG?.trim(), config.ffmpeg).then((path) => createFfmpeg(path, spawner.run))),
    scratch: join(paths.cache, 'tmp'),
  };
}
