/**
 * What a run tells the boot (boot.ts) about the code it ran, for V8's code cache: main.ts
 * makes one per process, hands it to the commands in their Io, and the bundle exports
 * `runNotes` for the boot to read at exit.
 *
 * Each command keeps its own cache, and every start loads all of it, so a cache should hold
 * what its command runs every day and no more: a no-op build served by the memo, not the
 * build that planned in full or ran nodes (most of the bundle). A run that left its command's
 * everyday path says so, and the boot leaves the cache as it was; such a run compiles what it
 * needs itself, a few milliseconds against its work. A run names the path it took when its
 * command does not (`build:memo`), so that the cache is written again the first time it is
 * taken, with that path's functions compiled in.
 */
export type CodePath = 'build:memo' | 'status:memo';

export interface CodePaths {
  took: (path: CodePath) => void;
  leftEverydayPath: () => void;
  notes: () => { path: CodePath | undefined; everyday: boolean };
}

export function codePaths(): CodePaths {
  let taken: CodePath | undefined;
  let everyday = true;
  return {
    took: (path) => {
      taken = path;
    },
    leftEverydayPath: () => {
      everyday = false;
    },
    notes: () => ({ path: taken, everyday }),
  };
}
