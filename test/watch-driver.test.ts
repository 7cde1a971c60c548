import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WatchDriver, type WatchEvent } from '../src/watch/driver.ts';

type Logged = WatchEvent | { type: 'exited' } | { type: 'exit-failed'; message: string };

interface FakeBuild {
  changed: readonly string[];
  finish: () => void;
  fail: (error: Error) => void;
}

/**
 * A driver on vitest's fake clock whose builds wait until the test finishes them by hand;
 * everything it reports, and its exit, lands in one log in the order it happened.
 */
function harness() {
  const log: Logged[] = [];
  const builds: FakeBuild[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const waiters: Array<{ type: Logged['type']; resolve: () => void }> = [];
  const record = (entry: Logged): void => {
    log.push(entry);
    for (const waiter of waiters.filter((w) => w.type === entry.type)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const driver = new WatchDriver({
    debounceMs: 300,
    timers: { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) },
    build: (changed) => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      return new Promise<void>((resolve, reject) => builds.push({ changed, finish: resolve, fail: reject })).finally(() => {
        running--;
      });
    },
    onEvent: record,
  });
  driver.exited.then(
    () => record({ type: 'exited' }),
    (error: unknown) => record({ type: 'exit-failed', message: error instanceof Error ? error.message : String(error) }),
  );
  return {
    driver,
    log,
    builds,
    mostAtOnce: () => mostAtOnce,
    /** Resolves at the next logged entry of this type; ask before doing what causes it. */
    next: (type: Logged['type']) => new Promise<void>((resolve) => waiters.push({ type, resolve })),
    build: (index: number): FakeBuild => {
      const build = builds[index];
      if (build === undefined) throw new Error(`no build #${index} yet (${builds.length} so far)`);
      return build;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the watch driver', () => {
  it('five saves within the debounce window start one cycle, 300 ms after the last save', () => {
    const { driver, builds, log } = harness();
    for (const path of ['/p/plan.json', '/p/refs/b.png', '/p/plan.json', '/p/bible.json', '/p/plan.json']) {
      driver.change(path);
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(199);
    expect(builds).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(builds.map((build) => build.changed)).toEqual([['/p/bible.json', '/p/plan.json', '/p/refs/b.png']]);
    expect(log).toEqual([{ type: 'cycle-started', changed: ['/p/bible.json', '/p/plan.json', '/p/refs/b.png'] }]);
    // The cancelled timers are really gone: nothing more fires, however long we wait.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a cycle that finishes with nothing pending reports cycle-finished, then idle', async () => {
    const h = harness();
    h.driver.change('/p/plan.json');
    vi.advanceTimersByTime(300);
    const idle = h.next('idle');
    h.build(0).finish();
    await idle;
    expect(h.log).toEqual([
      { type: 'cycle-started', changed: ['/p/plan.json'] },
      { type: 'cycle-finished', changed: ['/p/plan.json'] },
      { type: 'idle' },
    ]);
  });

  it('saves during a build give exactly one follow-up cycle, debounced after the build, never two builds at once', async () => {
    const h = harness();
    h.driver.change('/p/plan.json');
    vi.advanceTimersByTime(300);
    for (const path of ['/p/bible.json', '/p/plan.json', '/p/bible.json']) {
      h.driver.change(path);
      vi.advanceTimersByTime(1000);
    }
    expect(h.builds).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);

    const finished = h.next('cycle-finished');
    h.build(0).finish();
    await finished;
    vi.advanceTimersByTime(299);
    expect(h.builds).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(h.build(1).changed).toEqual(['/p/bible.json', '/p/plan.json']);

    const idle = h.next('idle');
    h.build(1).finish();
    await idle;
    expect(h.builds).toHaveLength(2);
    expect(h.mostAtOnce()).toBe(1);
    expect(h.log.map((entry) => entry.type)).toEqual(['cycle-started', 'cycle-finished', 'cycle-started', 'cycle-finished', 'idle']);
  });

  it('stop during a build reports stopping once, waits for the build, then exits without a follow-up', async () => {
    const h = harness();
    h.driver.change('/p/plan.json');
    vi.advanceTimersByTime(300);
    h.driver.change('/p/bible.json');
    h.driver.stop();
    h.driver.change('/p/refs/a.png');
    h.driver.stop();

    h.build(0).finish();
    await h.driver.exited;
    expect(vi.getTimerCount()).toBe(0);
    expect(h.builds).toHaveLength(1);
    expect(h.log.map((entry) => entry.type)).toEqual(['cycle-started', 'stopping', 'cycle-finished', 'exited']);
  });

  it('stop while idle exits at once', async () => {
    const h = harness();
    h.driver.stop();
    await h.driver.exited;
    expect(h.log).toEqual([{ type: 'exited' }]);
  });

  it('stop while debouncing cancels the timer and exits without building', async () => {
    const h = harness();
    h.driver.change('/p/plan.json');
    h.driver.stop();
    await h.driver.exited;
    expect(vi.getTimerCount()).toBe(0);
    expect(h.builds).toHaveLength(0);
    expect(h.log).toEqual([{ type: 'exited' }]);
  });

  it('a build that throws ends the watcher: exited rejects with its error, and what was pending never builds', async () => {
    const h = harness();
    h.driver.change('/p/plan.json');
    vi.advanceTimersByTime(300);
    h.driver.change('/p/bible.json');
    const failed = h.next('exit-failed');
    h.build(0).fail(new Error('the disk is full'));
    await failed;
    await expect(h.driver.exited).rejects.toThrow('the disk is full');
    expect(vi.getTimerCount()).toBe(0);
    expect(h.log).toEqual([
      { type: 'cycle-started', changed: ['/p/plan.json'] },
      { type: 'exit-failed', message: 'the disk is full' },
    ]);
  });
});
