import { join } from 'node:path';
import { createFfmpeg, locateFfmpeg, type Ffmpeg } from '../media/ffmpeg.ts';
import { runDirect, type RunProgram } from '../media/run-program.ts';
import { createSpawner } from '../media/spawner.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { MediaTools } from '../media/tools.ts';
import type { Io } from './io.ts';

/** Signals a process or process group; one already gone is no error. */
function signal(pid: number, name: 'SIGTERM' | 'SIGKILL'): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/**
 * How ffmpeg is started: from a shell helper (media/spawner.ts), so that a big build does not
 * fork itself once per take; on Windows, where spawning does not fork, directly.
 */
function programRunner(io: Io, scratch: string): RunProgram {
  if (process.platform === 'win32') return runDirect;
  return createSpawner({ shell: '/bin/sh', env: io.env, scratch, fallback: runDirect, kill: signal }).run;
}

export function mediaTools(io: Io, config: ProjectConfig, paths: ProjectPaths): MediaTools {
  let found: Promise<Ffmpeg> | undefined;
  const scratch = join(paths.cache, 'tmp');
  const run = programRunner(io, scratch);
  return {
    ffmpeg: () => (found ??= locateFfmpeg(io.env.CG_FFMPEG?.trim(), config.ffmpeg).then((path) => createFfmpeg(path, run))),
    scratch,
  };
}
