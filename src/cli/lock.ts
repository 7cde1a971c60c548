import { acquireLock, type HeldLock } from '../state/project-lock.ts';
import { removeTornWrites } from '../state/torn-writes.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { Io } from './io.ts';
import { must } from './project.ts';

/**
 * Runs a command that writes project files under the project lock, waiting for a running
 * command unless `wait` is false (then it fails at once, naming the holder).
 */
export async function withProjectLock<T>(io: Io, paths: ProjectPaths, command: string, options: { wait: boolean }, task: () => Promise<T>): Promise<T> {
  const release = await takeLock(must(await acquire(io, paths, command, options.wait)), paths);
  try {
    return await task();
  } finally {
    await release();
  }
}

/**
 * The project lock when no command holds it, for a command that reads the project and may
 * remember what it read (cg status); undefined, at once, when another holds it or it cannot be taken.
 */
export async function tryProjectLock(io: Io, paths: ProjectPaths, command: string): Promise<(() => Promise<void>) | undefined> {
  const held = await acquire(io, paths, command, false).catch(() => undefined);
  return held?.ok === true ? takeLock(held.value, paths) : undefined;
}

function acquire(io: Io, paths: ProjectPaths, command: string, wait: boolean): ReturnType<typeof acquireLock> {
  return acquireLock(paths.lock, {
    holder: { pid: io.pid, command, startedAt: io.clock.now().toISOString() },
    wait,
    onWait: (holder) => io.stderr.write(`cg: waiting for the cg command already running on this project (pid ${holder.pid}, "${holder.command}")…\n`),
    sleep: (ms, signal) => io.clock.sleep(ms, signal),
    signal: io.signal,
    isAlive: io.isAlive,
  });
}

async function takeLock({ release, afterCrash }: HeldLock, paths: ProjectPaths): Promise<() => Promise<void>> {
  // The last holder died: clear the half-written temp files it may have left.
  if (afterCrash) await removeTornWrites(paths.dir);
  return release;
}
