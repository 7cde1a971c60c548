import { describe, expect, it } from 'vitest';
import { initialWatchState, watchTransition, type WatchEffect, type WatchInput, type WatchState } from '../src/watch/machine.ts';

const options = { debounceMs: 300 };
const startTimer: WatchEffect = { do: 'start-timer', ms: 300 };
const cancelTimer: WatchEffect = { do: 'cancel-timer' };
const exit: WatchEffect = { do: 'exit' };

const idle: WatchState = { kind: 'idle' };
const debouncing: WatchState = { kind: 'debouncing', changed: ['plan.json'] };
const building: WatchState = { kind: 'building' };
const pending: WatchState = { kind: 'building-with-a-change-pending', changed: ['plan.json'] };
const stopping: WatchState = { kind: 'stopping' };
const stopped: WatchState = { kind: 'stopped' };

const change = (path: string): WatchInput => ({ on: 'change', path });
const timerFired: WatchInput = { on: 'timerFired' };
const buildDone: WatchInput = { on: 'buildDone' };
const stop: WatchInput = { on: 'stop' };

/** Feeds the inputs in order from idle; the final state and every effect, in order. */
function run(inputs: readonly WatchInput[]): { state: WatchState; effects: WatchEffect[] } {
  let state = initialWatchState;
  const effects: WatchEffect[] = [];
  for (const input of inputs) {
    const next = watchTransition(state, input, options);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const builds = (effects: readonly WatchEffect[]): WatchEffect[] => effects.filter((effect) => effect.do === 'build');

describe('the watch machine, one transition at a time', () => {
  it.each<[string, WatchState, WatchInput, WatchState, WatchEffect[]]>([
    ['idle + change: debounce', idle, change('plan.json'), debouncing, [startTimer]],
    ['idle + stop: exit at once', idle, stop, stopped, [exit]],
    ['debouncing + change of another file: restart the timer, remember both', debouncing, change('bible.json'), { kind: 'debouncing', changed: ['bible.json', 'plan.json'] }, [cancelTimer, startTimer]],
    ['debouncing + change of the same file: restart the timer, one path', debouncing, change('plan.json'), debouncing, [cancelTimer, startTimer]],
    ['debouncing + timerFired: build what changed', debouncing, timerFired, building, [{ do: 'build', changed: ['plan.json'] }]],
    ['debouncing + stop: cancel the timer and exit', debouncing, stop, stopped, [cancelTimer, exit]],
    ['building + change: remember it, no timer while building', building, change('plan.json'), pending, []],
    ['building + buildDone: idle', building, buildDone, idle, []],
    ['building + stop: wait for the build', building, stop, stopping, []],
    ['pending + change: remember it too', pending, change('refs/a.png'), { kind: 'building-with-a-change-pending', changed: ['plan.json', 'refs/a.png'] }, []],
    ['pending + buildDone: debounce what came during the build', pending, buildDone, debouncing, [startTimer]],
    ['pending + stop: wait for the build, drop what was pending', pending, stop, stopping, []],
    ['stopping + change: ignored', stopping, change('plan.json'), stopping, []],
    ['stopping + buildDone: exit', stopping, buildDone, stopped, [exit]],
    ['stopping + stop (a second Ctrl-C): still waiting', stopping, stop, stopping, []],
    ['stopped + change (the file watcher closing): ignored', stopped, change('plan.json'), stopped, []],
    ['stopped + stop: nothing more', stopped, stop, stopped, []],
  ])('%s', (_name, state, input, expectedState, expectedEffects) => {
    expect(watchTransition(state, input, options)).toEqual({ state: expectedState, effects: expectedEffects });
  });

  const impossible: [WatchState, WatchInput][] = [
    [idle, timerFired],
    [building, timerFired],
    [pending, timerFired],
    [stopping, timerFired],
    [stopped, timerFired],
    [idle, buildDone],
    [debouncing, buildDone],
    [stopped, buildDone],
  ];
  it.each(impossible.map(([state, input]) => [state.kind, input.on, state, input] as const))('%s + %s cannot happen, and throws', (_kind, _on, state, input) => {
    expect(() => watchTransition(state, input, options)).toThrow(`watch: unexpected ${input.on} while ${state.kind}`);
  });

  it('the debounce time comes from the options', () => {
    expect(watchTransition(idle, change('plan.json'), { debounceMs: 50 }).effects).toEqual([{ do: 'start-timer', ms: 50 }]);
  });
});

describe('the watch machine, in scenarios', () => {
  it('five saves within the window give exactly one build, of the paths sorted and without repeats', () => {
    const { state, effects } = run([change('plan.json'), change('refs/b.png'), change('plan.json'), change('bible.json'), change('plan.json'), timerFired]);
    expect(builds(effects)).toEqual([{ do: 'build', changed: ['bible.json', 'plan.json', 'refs/b.png'] }]);
    // One timer started, then each later save cancelled and restarted it.
    expect(effects.filter((effect) => effect.do === 'start-timer')).toHaveLength(5);
    expect(effects.filter((effect) => effect.do === 'cancel-timer')).toHaveLength(4);
    expect(state).toEqual(building);
  });

  it('saves during a build give exactly one follow-up cycle, of only what changed during the build', () => {
    const { state, effects } = run([
      change('plan.json'),
      timerFired,
      change('bible.json'),
      change('plan.json'),
      change('bible.json'),
      buildDone,
      timerFired,
      buildDone,
    ]);
    expect(builds(effects)).toEqual([
      { do: 'build', changed: ['plan.json'] },
      { do: 'build', changed: ['bible.json', 'plan.json'] },
    ]);
    expect(state).toEqual(idle);
  });

  it('never two builds at once: every build is followed by its buildDone before the next starts', () => {
    const inputs = [change('a'), timerFired, change('b'), change('c'), buildDone, change('d'), timerFired, change('e'), buildDone, timerFired, buildDone];
    let state = initialWatchState;
    let running = 0;
    for (const input of inputs) {
      const next = watchTransition(state, input, options);
      if (input.on === 'buildDone') running--;
      running += builds(next.effects).length;
      expect(running).toBeLessThanOrEqual(1);
      state = next.state;
    }
    expect(state).toEqual(idle);
  });

  it('stop during a build waits for it, then exits without another cycle', () => {
    const duringBuild = run([change('plan.json'), timerFired, change('bible.json'), stop]);
    expect(duringBuild.state).toEqual(stopping);
    expect(duringBuild.effects).not.toContainEqual(exit);

    const { state, effects } = run([change('plan.json'), timerFired, change('bible.json'), stop, change('refs/a.png'), buildDone]);
    expect(builds(effects)).toHaveLength(1);
    expect(effects.at(-1)).toEqual(exit);
    expect(state).toEqual(stopped);
  });
});
