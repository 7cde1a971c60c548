import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CgError, LockHolder } from '../util/errors.ts';
import { err, ok, type Result } from '../util/result.ts';
import { isNotFound } from '../util/atomic-fs.ts';

export interface LockOptions {
  holder: LockHolder;
  /** Wait for the other command to finish instead of failing at once. */
  wait: boolean;
  onWait: (holder: LockHolder) => void;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  isAlive: (pid: number) => boolean;
}

/** Removes a lock file (unlink: rm's recursive machinery is for folders); gone already is fine. */
function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined; // gone, or being written: look again
  }
}

/** The held lock: how to let it go, and whether a command that died holding it came before (its writes may be torn). */
export interface HeldLock {
  release: () => Promise<void>;
  afterCrash: boolean;
}

/**
 * Takes the project lock (`.cg/lock`, created exclusively). A lock whose process
 * is gone is taken over; a live one is waited for or reported. The file operations are
 * synchronous: each is one small step every writing command takes, and the thread pool's
 * round trips would cost several times the operations themselves.
 */
export async function acquireLock(path: string, options: LockOptions): Promise<Result<HeldLock, CgError>> {
  mkdirSync(dirname(path), { recursive: true });
  let told = false;
  let afterCrash = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeFileSync(fd, JSON.stringify(options.holder));
      } finally {
        closeSync(fd);
      }
      const release = (): Promise<void> => {
        const current = readHolder(path);
        if (current?.pid === options.holder.pid && current.startedAt === options.holder.startedAt) removeFile(path);
        return Promise.resolve();
      };
      return ok({ release, afterCrash });
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
    const holder = readHolder(path);
    if (holder !== undefined && !options.isAlive(holder.pid)) {
      // Move the dead holder's lock aside; if it was replaced meanwhile, put the live one back.
      const aside = `${path}.stale-${options.holder.pid}`;
      try {
        renameSync(path, aside);
        const moved = readHolder(aside);
        if (moved?.pid === holder.pid && moved.startedAt === holder.startedAt) {
          removeFile(aside);
          afterCrash = true;
        } else renameSync(aside, path);
      } catch {
        // someone else handled it; try again
      }
      continue;
    }
    if (holder === undefined) {
      // Being written (or just removed): look again once the event loop has turned, so a Ctrl-C still gets through.
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    if (!options.wait) return err({ kind: 'lock-busy', lockPath: path, holder });
    if (!told) options.onWait(holder);
    told = true;
    try {
      await options.sleep(100, options.signal);
    } catch {
      return err({ kind: 'interrupted' });
    }
  }
}
