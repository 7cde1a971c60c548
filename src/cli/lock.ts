import { acquireLock } from '../state/project-lock.ts';
import { removeTornWrites } from '../state/torn-writes.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { Io } from './io.ts';
import { must } from './project.ts';

/**
 * Runs a command that writes project files under the project lock, waiting for a running
 * command unless `wait` is false (then it fails at once, naming the holder).
 */
export async function withProjectLock<T>(io: Io, paths: ProjectPaths, command: string, options: { wait: boolean }, task: () => Promise<T>): Promise<T> {
  const { release, afterCrash } = must(
    await acquireLock(paths.lock, {
      holder: { pid: io.pid, command, startedAt: io.clock.now().toISOString() },
      wait: options.wait,
      onWait: (holder) => io.stderr.write(`cg: waiting for the cg command already running on this project (pid ${holder.pid}, "${holder.command}")…\n`),
      sleep: (ms, signal) => io.clock.sleep(ms, signal),
      signal: io.signal,
      isAlive: io.isAlive,
    }),
  );
  // The last holder died: clear the half-written temp files it may have left.
  if (afterCrash) await removeTornWrites(paths.dir);
  try {
    return await task();
  } finally {
    await release();
  }
}
