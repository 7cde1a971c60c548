import { spawn } from 'node:child_process';
import { err, ok, type Result } from '../util/result.ts';

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

export function createFfmpeg(path: string): Ffmpeg {
  return {
    path,
    run: (args, options = {}) =>
      new Promise((resolve) => {
        const child = spawn(path, ['-hide_banner', '-nostdin', ...args], { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], signal: options.signal });
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr?.on('data', (chunk: Buffer) => errs.push(chunk));
        child.on('error', (error) => resolve(err({ kind: 'media', message: `could not run ffmpeg at ${path}: ${error.message} (set CG_FFMPEG or ffmpeg in the config to another binary)` })));
        child.on('close', (code) => {
          const stderr = Buffer.concat(errs).toString('utf8');
          if (code === 0) resolve(ok({ stdout: new Uint8Array(Buffer.concat(out)), stderr }));
          else resolve(err({ kind: 'media', message: lastWords(stderr), stderr }));
        });
        if (options.input !== undefined && child.stdin !== null) {
          // ffmpeg may stop reading early (it has all the frames it wants): that is not an error.
          child.stdin.on('error', () => undefined);
          child.stdin.end(options.input);
        }
      }),
  };
}
