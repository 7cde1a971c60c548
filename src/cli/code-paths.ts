/**
 * What a run tells the boot (boot.ts) about the code it ran, for V8's code cache; the bundle
 * exports `runNotes` for it.
 *
 * - Paths the run took that its command does not name: the cache is written again after a
 *   run that took a command or a path it has not seen, so that the functions it ran are in it.
 *   A no-op build served by the memo (`build:memo`) runs functions that the build which
 *   planned (and wrote the memo) never did, and would compile them on every start otherwise.
 * - Whether it did work (ran nodes): then it does not write the cache. Every start reads and
 *   loads the whole cache, and the code a build runs its nodes with is most of the bundle; such
 *   a run compiles what it needs itself, a few milliseconds against its work.
 */
export type CodePath = 'build:memo';

const taken = new Set<CodePath>();
let worked = false;

export function tookPath(path: CodePath): void {
  taken.add(path);
}

export function didWork(): void {
  worked = true;
}

export function runNotes(): { paths: CodePath[]; work: boolean } {
  return { paths: [...taken], work: worked };
}
