import type { Clock, GeneratedFile, ImageProvider, ImageRequest, ProviderResult, VideoProvider, VideoRequest } from '../types.ts';
import { drawSimGrid, drawSimImage } from './images.ts';
import { drawAnimatic } from './animatic.ts';
import type { RawFrames } from '../../media/encode.ts';
import type { MediaFailure } from '../../media/ffmpeg.ts';
import type { Result } from '../../util/result.ts';

export interface SimOptions {
  clock: Clock;
  /** Simulated provider latency per call, so parallelism can be tried offline. */
  latencyMs: number;
  animaticWidth: number;
  animaticHeight: number;
  /** Encodes the animatic's frames as MP4 (ffmpeg, found on first use); the signal stops it. */
  encode: (frames: RawFrames, signal: AbortSignal) => Promise<Result<Uint8Array, MediaFailure>>;
}

async function wait(options: SimOptions, signal: AbortSignal): Promise<ProviderResult<never> | undefined> {
  if (options.latencyMs === 0) return signal.aborted ? { ok: false, error: { kind: 'aborted', message: 'interrupted' } } : undefined;
  try {
    await options.clock.sleep(options.latencyMs, signal);
    return undefined;
  } catch {
    return { ok: false, error: { kind: 'aborted', message: 'interrupted' } };
  }
}

/** The offline, free provider: deterministic grids and an animatic in place of video. */
export function createSimImageProvider(options: SimOptions): ImageProvider {
  return {
    id: 'sim',
    billable: false,
    async generateImage(request: ImageRequest): Promise<ProviderResult<GeneratedFile>> {
      const stopped = await wait(options, request.signal);
      if (stopped !== undefined) return stopped;
      const references = request.references.map((reference) => reference.bytes);
      const common = { prompt: request.prompt, width: request.width, height: request.height, references, seed: request.seed };
      const bytes = request.grid === undefined ? await drawSimImage(common) : await drawSimGrid({ ...common, ...request.grid });
      return { ok: true, value: { bytes, mimeType: 'image/png', extension: 'png' } };
    },
  };
}

export function createSimVideoProvider(options: SimOptions): VideoProvider {
  return {
    id: 'sim',
    billable: false,
    async generateVideo(request: VideoRequest): Promise<ProviderResult<GeneratedFile>> {
      const stopped = await wait(options, request.signal);
      if (stopped !== undefined) return stopped;
      const animatic = await drawAnimatic({
        title: request.title,
        startFrame: request.startFrame?.bytes,
        shots: request.shots.map((shot) => ({ prompt: shot.prompt, durationSec: Number(shot.duration) })),
        width: options.animaticWidth,
        height: options.animaticHeight,
        seed: request.seed,
      });
      const encoded = await options.encode(animatic.frames, request.signal);
      // Stopped by Ctrl-C: the take is left to resume, not failed.
      if (!encoded.ok && request.signal.aborted) return { ok: false, error: { kind: 'aborted', message: 'interrupted' } };
      if (!encoded.ok) return { ok: false, error: { kind: 'rejected', message: `the animatic could not be encoded: ${encoded.error.message}` } };
      return { ok: true, value: { bytes: encoded.value, mimeType: 'video/mp4', extension: 'mp4' } };
    },
  };
}
