/**
 * `cg watch` as a pure state machine: every input gives the next state and the effects the
 * driver (driver.ts) performs. Nothing here touches timers, files or builds, so every
 * transition is a unit test.
 *
 * ```
 *   idle ─change─► debouncing ─timerFired─► building ─change─► building-with-a-change-pending
 *    ▲              ▲    ⟲ change              │                          │
 *    ╰─ buildDone ──│──────────────────────────╯                          │
 *                   ╰─────────────────────── buildDone ───────────────────╯
 *   stop:  idle, debouncing ─► stopped
 *          building, building-with-a-change-pending ─► stopping ─buildDone─► stopped
 *
 *   state \ input                  | change                | timerFired        | buildDone             | stop
 *   idle                           | debouncing, start     | -                 | -                     | stopped, exit
 *   debouncing                     | debouncing, restart   | building, build   | -                     | stopped, cancel, exit
 *   building                       | …-change-pending      | -                 | idle                  | stopping
 *   building-with-a-change-pending | same, path remembered | -                 | debouncing, start     | stopping
 *   stopping                       | stopping (ignored)    | -                 | stopped, exit         | stopping
 *   stopped                        | stopped (ignored)     | -                 | -                     | stopped
 *   (-: the driver never sends it; watchTransition throws)
 * ```
 *
 * A change during a build is not debounced while the build runs: the timer starts when the
 * build finishes, so any number of saves during a build give exactly one follow-up cycle,
 * and the debounce is also the least time between two builds.
 */

/** Paths are kept sorted and unique, so the build effect needs no further work. */
type ChangedPaths = readonly string[];

export type WatchState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'debouncing'; readonly changed: ChangedPaths }
  | { readonly kind: 'building' }
  | { readonly kind: 'building-with-a-change-pending'; readonly changed: ChangedPaths }
  | { readonly kind: 'stopping' }
  | { readonly kind: 'stopped' };

export type WatchInput =
  | { readonly on: 'change'; readonly path: string }
  | { readonly on: 'timerFired' }
  | { readonly on: 'buildDone' }
  | { readonly on: 'stop' };

export type WatchEffect =
  | { readonly do: 'start-timer'; readonly ms: number }
  | { readonly do: 'cancel-timer' }
  /** `changed`: every path that changed since the last cycle began, sorted, without repeats. */
  | { readonly do: 'build'; readonly changed: ChangedPaths }
  | { readonly do: 'exit' };

export interface WatchTransition {
  readonly state: WatchState;
  readonly effects: readonly WatchEffect[];
}

export interface WatchMachineOptions {
  /** How long the files must stay quiet before a cycle starts (`watch.debounceMs`). */
  readonly debounceMs: number;
}

export const initialWatchState: WatchState = { kind: 'idle' };

const stopped: WatchState = { kind: 'stopped' };

/** The next state and the effects to perform; throws only on an input the driver can never send in that state. */
export function watchTransition(state: WatchState, input: WatchInput, options: WatchMachineOptions): WatchTransition {
  switch (input.on) {
    case 'change':
      return onChange(state, input.path, options);
    case 'timerFired':
      if (state.kind !== 'debouncing') throw unexpected(state, input);
      return { state: { kind: 'building' }, effects: [{ do: 'build', changed: state.changed }] };
    case 'buildDone':
      return onBuildDone(state, options);
    case 'stop':
      return onStop(state);
  }
}

function onChange(state: WatchState, path: string, options: WatchMachineOptions): WatchTransition {
  switch (state.kind) {
    case 'idle':
      return { state: { kind: 'debouncing', changed: [path] }, effects: [startTimer(options)] };
    case 'debouncing':
      return { state: { kind: 'debouncing', changed: withPath(state.changed, path) }, effects: [{ do: 'cancel-timer' }, startTimer(options)] };
    case 'building':
      return { state: { kind: 'building-with-a-change-pending', changed: [path] }, effects: [] };
    case 'building-with-a-change-pending':
      return { state: { kind: 'building-with-a-change-pending', changed: withPath(state.changed, path) }, effects: [] };
    case 'stopping':
    case 'stopped':
      // The file watcher may still deliver events while it closes; they start nothing.
      return { state, effects: [] };
  }
}

function onBuildDone(state: WatchState, options: WatchMachineOptions): WatchTransition {
  switch (state.kind) {
    case 'building':
      return { state: initialWatchState, effects: [] };
    case 'building-with-a-change-pending':
      return { state: { kind: 'debouncing', changed: state.changed }, effects: [startTimer(options)] };
    case 'stopping':
      return { state: stopped, effects: [{ do: 'exit' }] };
    case 'idle':
    case 'debouncing':
    case 'stopped':
      throw unexpected(state, { on: 'buildDone' });
  }
}

function onStop(state: WatchState): WatchTransition {
  switch (state.kind) {
    case 'idle':
      return { state: stopped, effects: [{ do: 'exit' }] };
    case 'debouncing':
      return { state: stopped, effects: [{ do: 'cancel-timer' }, { do: 'exit' }] };
    // A running build finishes first: its paid work lands and its journal stays whole.
    case 'building':
    case 'building-with-a-change-pending':
      return { state: { kind: 'stopping' }, effects: [] };
    // A second Ctrl-C, or a stop after the exit, asks for nothing new.
    case 'stopping':
    case 'stopped':
      return { state, effects: [] };
  }
}

function startTimer(options: WatchMachineOptions): WatchEffect {
  return { do: 'start-timer', ms: options.debounceMs };
}

/** `changed` with `path` inserted in order; the same array when it is already there (an editor saving one file again). */
function withPath(changed: ChangedPaths, path: string): ChangedPaths {
  let low = 0;
  let high = changed.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((changed[middle] ?? '') < path) low = middle + 1;
    else high = middle;
  }
  if (changed[low] === path) return changed;
  return [...changed.slice(0, low), path, ...changed.slice(low)];
}

function unexpected(state: WatchState, input: WatchInput): Error {
  return new Error(`watch: unexpected ${input.on} while ${state.kind}`);
}
