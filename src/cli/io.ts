import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../providers/types.ts';
import type { OutputStream } from '../reporters/progress.ts';
import type { Faults } from '../util/faults.ts';
import type { CodePaths } from './code-paths.ts';

/** Every side effect the CLI needs from the outside world, built once in main.ts (tests pass their own). */
export interface Io {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Set for an interactive terminal: questions may be asked. */
  ask: ((question: string) => Promise<string>) | undefined;
  clock: Clock;
  /** Fires on Ctrl-C: stop starting work. */
  signal: AbortSignal;
  pid: number;
  random: () => number;
  fetch: typeof fetch;
  isAlive: (pid: number) => boolean;
  version: string;
  /** Changes with every build of clipgraph: caches written by another build are not trusted. */
  cacheTag: string;
  /** The crash harness's hook (CG_FAULT, test-only); does nothing otherwise. */
  faults: Faults;
  /** What this run ran, for the boot's code cache. */
  codePaths: CodePaths;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: async (ms, signal) => {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  },
};

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
