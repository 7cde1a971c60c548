import type { Ffmpeg } from './ffmpeg.ts';

/** What encoding needs: ffmpeg, found on first use (a no-op build never looks), and a scratch folder. */
export interface MediaTools {
  ffmpeg: () => Promise<Ffmpeg>;
  scratch: string;
}
