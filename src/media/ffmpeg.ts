import { err, ok, type Result } from '../util/result.ts';
import { runDirect, type RunProgram } from './run-program.ts';

/** ffmpeg could not do what was asked: why, in ffmpeg's last words. */
export interface MediaFailure {
  kind: 'media';
  message: string;
  /** All ffmpeg printed (a probe reads it whatever the exit code). */
  stderr?: string;
}

export interface FfmpegRun {
  stdout: Uint8Array;
  stderr: string;
}

/** One ffmpeg binary; `run` spawns it once per call. */
export interface Ffmpeg {
  path: string;
  run(args: readonly string[], options?: { input?: Uint8Array; signal?: AbortSignal }): Promise<Result<FfmpegRun, MediaFailure>>;
}

/** Where ffmpeg is: CG_FFMPEG, else the config's `ffmpeg`, else the static one shipped in @ffmpeg-installer (loaded only here). */
export async function locateFfmpeg(fromEnv: string | undefined, fromConfig: string | undefined): Promise<string> {
  const chosen = fromEnv ?? fromConfig;
  if (chosen !== undefined && chosen !== '') return chosen;
  const { default: installer } = (await import('@ffmpeg-installer/ffmpeg')) as { default: { path: string } };
  return installer.path;
}

/** The lines of ffmpeg's output that say what went wrong (it prints its banner and progress there too). */
function lastWords(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  return lines.slice(-3).join(' / ') || 'ffmpeg failed without a message';
}

/** `run` starts the program: from this process, or from a spawner's helper (spawner.ts). */
export function createFfmpeg(path: string, run: RunProgram = runDirect): Ffmpeg {
  return {
    path,
    run: async (args, options = {}) => {
      const exit = await run(path, ['-hide_banner', '-nostdin', ...args], options);
      if (!exit.ok) return err({ kind: 'media', message: `could not run ffmpeg at ${path}: ${exit.error} (set CG_FFMPEG or ffmpeg in the config to another binary)` });
      const stderr = Buffer.from(exit.value.stderr).toString('utf8');
      if (exit.value.code === 0) return ok({ stdout: exit.value.stdout, stderr });
      return err({ kind: 'media', message: lastWords(stderr), stderr });
    },
  };
}
