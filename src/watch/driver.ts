import { initialWatchState, watchTransition, type WatchEffect, type WatchInput, type WatchState } from './machine.ts';

/** `setTimeout`/`clearTimeout` as parameters: the CLI passes Node's, tests pass fake ones. */
export interface WatchTimers<Handle> {
  setTimeout(callback: () => void, ms: number): Handle;
  clearTimeout(handle: Handle): void;
}

/** What the watcher itself did, so the CLI can print it and tests can wait on it instead of sleeping. */
export type WatchEvent =
  | { readonly type: 'cycle-started'; readonly changed: readonly string[] }
  | { readonly type: 'cycle-finished'; readonly changed: readonly string[] }
  /** A cycle finished with nothing new pending: waiting for the next save. */
  | { readonly type: 'idle' }
  /** `stop()` arrived during a build: the watcher exits once that build finishes. */
  | { readonly type: 'stopping' };

export interface WatchDriverOptions<Handle> {
  readonly debounceMs: number;
  readonly timers: WatchTimers<Handle>;
  /**
   * One cycle. It handles the failures a person causes (a broken plan, a failed node) itself
   * and resolves; a rejection is a bug, and ends the watcher with `exited` rejecting.
   */
  readonly build: (changed: readonly string[]) => Promise<void>;
  readonly onEvent: (event: WatchEvent) => void;
}

/**
 * Runs the machine of machine.ts: feeds it changes, timer expiries, finished builds and the
 * stop request, and performs the effects it returns.
 */
export class WatchDriver<Handle> {
  readonly #options: WatchDriverOptions<Handle>;
  #state: WatchState = initialWatchState;
  #timer: { handle: Handle } | undefined;
  /** Resolves when the watcher has stopped and no build is running; rejects if a build threw. */
  readonly exited: Promise<void>;
  #settleExit!: () => void;
  /** Set when the build callback rejected: the exit then rejects with it. */
  #failure: Error | undefined;

  constructor(options: WatchDriverOptions<Handle>) {
    this.#options = options;
    this.exited = new Promise<void>((resolve, reject) => {
      this.#settleExit = () => (this.#failure === undefined ? resolve() : reject(this.#failure));
    });
  }

  /** A watched file changed (arrow functions, so the file watcher can take them as callbacks). */
  readonly change = (path: string): void => {
    this.#dispatch({ on: 'change', path });
  };

  /** Ctrl-C: exit now, or after the running build. */
  readonly stop = (): void => {
    const before = this.#state.kind;
    this.#dispatch({ on: 'stop' });
    if (this.#state.kind === 'stopping' && before !== 'stopping') this.#options.onEvent({ type: 'stopping' });
  };

  #dispatch(input: WatchInput): void {
    const { state, effects } = watchTransition(this.#state, input, this.#options);
    this.#state = state;
    for (const effect of effects) this.#perform(effect);
  }

  #perform(effect: WatchEffect): void {
    switch (effect.do) {
      case 'start-timer': {
        const handle = this.#options.timers.setTimeout(() => {
          this.#timer = undefined;
          this.#dispatch({ on: 'timerFired' });
        }, effect.ms);
        this.#timer = { handle };
        return;
      }
      case 'cancel-timer':
        if (this.#timer !== undefined) this.#options.timers.clearTimeout(this.#timer.handle);
        this.#timer = undefined;
        return;
      case 'build':
        void this.#runBuild(effect.changed);
        return;
      case 'exit':
        this.#settleExit();
        return;
    }
  }

  async #runBuild(changed: readonly string[]): Promise<void> {
    try {
      this.#options.onEvent({ type: 'cycle-started', changed });
      await this.#options.build(changed);
      this.#options.onEvent({ type: 'cycle-finished', changed });
    } catch (error) {
      // Stop first, so that the build's end takes the machine to its exit rather than to another cycle.
      this.#failure = error instanceof Error ? error : new Error(String(error));
      this.#dispatch({ on: 'stop' });
    }
    this.#dispatch({ on: 'buildDone' });
    if (this.#state.kind === 'idle') this.#options.onEvent({ type: 'idle' });
  }
}
