import { describe, expect, it } from 'vitest';
import { withRetry, type Attempt, type RetryPolicy } from '../src/providers/retry.ts';
import type { Clock, ProviderFailure } from '../src/providers/types.ts';

/** A clock that never waits: it records every sleep and, when told, rejects one as an abort would. */
function fakeClock(options: { abortOnSleep?: AbortController } = {}): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date('2026-11-22T12:00:00Z'),
    sleep: (ms) => {
      sleeps.push(ms);
      if (options.abortOnSleep === undefined) return Promise.resolve();
      options.abortOnSleep.abort();
      return Promise.reject(new DOMException('The operation was aborted.', 'AbortError'));
    },
  };
}

const busy: ProviderFailure = { kind: 'transient', message: 'HTTP 429 from fal' };
const refused: ProviderFailure = { kind: 'rejected', message: 'prompt violates the content policy', field: 'prompt' };

/** A task that fails retryably `failures` times, then succeeds; it records the attempt numbers it was given. */
function flaky(failures: number): { calls: number[]; task: (attempt: number) => Promise<Attempt<string>> } {
  const calls: number[] = [];
  return {
    calls,
    task: (attempt) => {
      calls.push(attempt);
      return Promise.resolve(calls.length > failures ? { ok: true, value: 'the image' } : { ok: false, error: busy, retry: true });
    },
  };
}

const policy: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
const never = new AbortController().signal;

describe('withRetry: our back-off on top of the SDKs', () => {
  it('a task that succeeds on the third try returns its value after two waits, the tries numbered 1, 2, 3', async () => {
    const clock = fakeClock();
    const { calls, task } = flaky(2);
    expect(await withRetry(policy, clock, () => 1, never, task)).toEqual({ ok: true, value: 'the image' });
    expect(calls).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('waits double each time up to maxDelayMs: with the highest jitter the waits are exactly the ceilings', async () => {
    const clock = fakeClock();
    await withRetry({ attempts: 6, baseDelayMs: 300, maxDelayMs: 2000 }, clock, () => 1, never, flaky(10).task);
    expect(clock.sleeps).toEqual([300, 600, 1200, 2000, 2000]);
  });

  it('full jitter keeps every wait between half the ceiling and the ceiling', async () => {
    const draws = [0, 0.13, 0.5, 0.77, 0.999_999];
    for (const draw of draws) {
      const clock = fakeClock();
      await withRetry(policy, clock, () => draw, never, flaky(10).task);
      const ceilings = [100, 200, 400, 800];
      expect(clock.sleeps).toHaveLength(ceilings.length);
      clock.sleeps.forEach((ms, i) => {
        const ceiling = ceilings[i] ?? 0;
        expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
        expect(ms).toBeLessThanOrEqual(ceiling);
      });
    }
    const lowest = fakeClock();
    await withRetry(policy, lowest, () => 0, never, flaky(10).task);
    expect(lowest.sleeps).toEqual([50, 100, 200, 400]);
  });

  it('gives up after exactly `attempts` tries, with no wait after the last, and says so in the message', async () => {
    const clock = fakeClock();
    const { calls, task } = flaky(10);
    const result = await withRetry({ attempts: 4, baseDelayMs: 10, maxDelayMs: 1000 }, clock, () => 1, never, task);
    expect(result).toEqual({ ok: false, error: { kind: 'transient', message: 'HTTP 429 from fal (gave up after 4 tries)' } });
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(clock.sleeps).toEqual([10, 20, 40]);
  });

  it('a refusal that retrying cannot fix stops at once, with the provider’s own message and no wait', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await withRetry(policy, clock, () => 1, never, () => {
      calls++;
      return Promise.resolve({ ok: false, error: refused, retry: false });
    });
    expect(result).toEqual({ ok: false, error: refused });
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('an interrupt during a wait ends the loop as aborted, without another try', async () => {
    const controller = new AbortController();
    const clock = fakeClock({ abortOnSleep: controller });
    const { calls, task } = flaky(10);
    expect(await withRetry(policy, clock, () => 1, controller.signal, task)).toEqual({ ok: false, error: { kind: 'aborted', message: 'interrupted' } });
    expect(calls).toEqual([1]);
    expect(clock.sleeps).toEqual([100]);
  });

  it('an interrupt before the first try makes no try at all', async () => {
    const controller = new AbortController();
    controller.abort();
    const { calls, task } = flaky(0);
    expect(await withRetry(policy, fakeClock(), () => 1, controller.signal, task)).toEqual({ ok: false, error: { kind: 'aborted', message: 'interrupted' } });
    expect(calls).toEqual([]);
  });
});
