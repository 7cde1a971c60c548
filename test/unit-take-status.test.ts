import { describe, expect, it } from 'vitest';
import { InvalidTransition, transition, type Take } from '../src/state/records.ts';
import { canTransition, isInFlight, type TakeStatus } from '../src/state/take-status.ts';
import type { NodeKey } from '../src/util/hash.ts';

const statuses: TakeStatus[] = ['registered', 'video_submitted', 'video_processing', 'video_complete', 'image_submitted', 'image_processing', 'image_complete', 'failed'];

/**
 * The allowed moves, written out from DESIGN.md ("registered → video_submitted → video_processing →
 * video_complete | failed"), the same for images, a synchronous provider's registered → complete,
 * a failed take tried again, and re-journaling the phase a take is already in.
 */
const allowed = new Set([
  'registered → registered',
  'registered → video_submitted',
  'registered → video_complete',
  'registered → image_submitted',
  'registered → image_complete',
  'registered → failed',
  'video_submitted → video_submitted',
  'video_submitted → video_processing',
  'video_submitted → video_complete',
  'video_submitted → failed',
  'video_processing → video_processing',
  'video_processing → video_complete',
  'video_processing → failed',
  'image_submitted → image_submitted',
  'image_submitted → image_processing',
  'image_submitted → image_complete',
  'image_submitted → failed',
  'image_processing → image_processing',
  'image_processing → image_complete',
  'image_processing → failed',
  'failed → registered',
]);

function take(status: TakeStatus): Take {
  return {
    takeId: 'SEQ08_take001',
    key: 'a'.repeat(64) as NodeKey,
    status,
    history: [{ status, at: '2026-11-22T10:00:00.000Z' }],
    provider: 'fal',
    model: 'fal-ai/kling-video/o3/standard/reference-to-video',
    variant: 0,
    shot_prompts: [],
    startFrame: null,
    elements: [],
    inputs: {},
    costUsd: 0,
    estimateUsd: 1.26,
    requestId: null,
    output: null,
    blob: null,
    error: null,
    createdAt: '2026-11-22T10:00:00.000Z',
  };
}

describe('take status: the state machine of an execution record', () => {
  it('allows exactly the moves of the diagram, and refuses every other of the 64 pairs', () => {
    const table = statuses.flatMap((from) => statuses.map((to) => [`${from} → ${to}`, canTransition(from, to)] as const));
    expect(table.filter(([, can]) => can).map(([pair]) => pair)).toEqual([...allowed]);
  });

  it('a paid video take goes registered → submitted → processing → complete, each step dated in its history', () => {
    const steps: TakeStatus[] = ['video_submitted', 'video_processing', 'video_processing', 'video_complete'];
    const done = steps.reduce((current, status, i) => transition(current, status, `2026-11-22T10:0${i + 1}:00.000Z`), take('registered'));
    expect(done.status).toBe('video_complete');
    expect(done.history).toEqual([
      { status: 'registered', at: '2026-11-22T10:00:00.000Z' },
      { status: 'video_submitted', at: '2026-11-22T10:01:00.000Z' },
      { status: 'video_processing', at: '2026-11-22T10:02:00.000Z' },
      { status: 'video_processing', at: '2026-11-22T10:03:00.000Z' },
      { status: 'video_complete', at: '2026-11-22T10:04:00.000Z' },
    ]);
  });

  it('a synchronous grid goes straight to image_complete; a failed take is tried again from registered', () => {
    expect(transition(take('registered'), 'image_complete', '2026-11-22T10:01:00.000Z').status).toBe('image_complete');
    const failed = transition(take('video_submitted'), 'failed', '2026-11-22T10:01:00.000Z');
    expect(isInFlight(failed.status)).toBe(false);
    const again = transition(failed, 'registered', '2026-11-22T10:02:00.000Z');
    expect(isInFlight(again.status)).toBe(true);
    expect(again.history.map((entry) => entry.status)).toEqual(['video_submitted', 'failed', 'registered']);
  });

  it.each<[TakeStatus, TakeStatus]>([
    ['video_complete', 'video_submitted'],
    ['video_complete', 'video_complete'],
    ['image_complete', 'failed'],
    ['registered', 'video_processing'],
    ['video_submitted', 'image_processing'],
    ['video_processing', 'video_submitted'],
    ['failed', 'video_complete'],
    ['failed', 'failed'],
  ])('refuses %s → %s, naming the take, and leaves it as it was', (from, to) => {
    const before = take(from);
    expect(() => transition(before, to, '2026-11-22T10:01:00.000Z')).toThrow(new InvalidTransition(`SEQ08_take001: cannot go from ${from} to ${to}`));
    expect(before).toEqual(take(from));
  });
});
