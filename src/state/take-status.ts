/**
 * The life of one take in its execution record (DESIGN.md "Stores"):
 *
 *   registered ──► {m}_submitted ──► {m}_processing ──► {m}_complete
 *       │  ╲             │   ╲______________│_____________↗   ▲
 *       │   ╲____________│__________________│_______________/
 *       ▼                ▼                  ▼
 *     failed ◄───────────┴──────────────────┘
 *       │
 *       └──► registered   (the same take tried again after a failure)
 *
 * {m} is the medium: `video_…` for takes and shots, `image_…` for grids.
 * A synchronous provider (sim, Gemini) goes registered → {m}_complete directly.
 */
import type { Medium } from '../cache/take-journal.ts';

export type TakeStatus =
  | 'registered'
  | 'video_submitted'
  | 'video_processing'
  | 'video_complete'
  | 'image_submitted'
  | 'image_processing'
  | 'image_complete'
  | 'failed';

export function statusOf(medium: Medium, phase: 'submitted' | 'processing' | 'complete'): TakeStatus {
  return `${medium}_${phase}`;
}

const next: Record<TakeStatus, readonly TakeStatus[]> = {
  registered: ['video_submitted', 'video_complete', 'image_submitted', 'image_complete', 'failed'],
  video_submitted: ['video_processing', 'video_complete', 'failed'],
  video_processing: ['video_complete', 'failed'],
  video_complete: [],
  image_submitted: ['image_processing', 'image_complete', 'failed'],
  image_processing: ['image_complete', 'failed'],
  image_complete: [],
  failed: ['registered'],
};

export function canTransition(from: TakeStatus, to: TakeStatus): boolean {
  if (from === to && from !== 'failed' && !isComplete(from)) return true; // re-journaling the same phase is harmless
  return next[from].includes(to);
}

export function isComplete(status: TakeStatus): boolean {
  return status === 'video_complete' || status === 'image_complete';
}

export function isInFlight(status: TakeStatus): boolean {
  return !isComplete(status) && status !== 'failed';
}
