import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CgError, LockHolder } from '../util/errors.ts';
import { err, ok, type Result } from '../util/result.ts';

export interface LockOptions {
  holder: LockHolder;
  /** Wait for the other command to finish instead of failing at once. */
  wait: boolean;
  onWait: (holder: LockHolder) => void;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  isAlive: (pid: number) => boolean;
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
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
 * is gone is taken over; a live one is waited for or reported.
 */
export async function acquireLock(path: string, options: LockOptions): Promise<Result<HeldLock, CgError>> {
  await mkdir(dirname(path), { recursive: true });
  let told = false;
  let afterCrash = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify(options.holder));
      await handle.close();
      const release = async (): Promise<void> => {
        const current = await readHolder(path);
        if (current?.pid === options.holder.pid && current.startedAt === options.holder.startedAt) await rm(path, { force: true });
      };
      return ok({ release, afterCrash });
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
    const holder = await readHolder(path);
    if (holder !== undefined && !options.isAlive(holder.pid)) {
      // Move the dead holder's lock aside; if it was replaced meanwhile, put the live one back.
      const aside = `${path}.stale-${options.holder.pid}`;
      try {
        await rename(path, aside);
        const moved = await readHolder(aside);
        if (moved?.pid === holder.pid && moved.startedAt === holder.startedAt) {
          await rm(aside, { force: true });
          afterCrash = true;
        } else await rename(aside, path);
      } catch {
        // someone else handled it; try again
      }
      continue;
    }
    if (holder === undefined) continue;
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
