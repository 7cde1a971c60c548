/**
 * Paths through the CLI that a run's command does not name. The boot (boot.ts) writes V8's
 * code cache again after a run that took a command or a path the cache has not seen, so that
 * the functions it ran are compiled into it: a no-op build served by the memo runs functions
 * that the build which planned (and wrote the memo) never did, and would compile them on every
 * start otherwise.
 */
export type CodePath = 'build:memo';

const taken = new Set<CodePath>();

export function tookPath(path: CodePath): void {
  taken.add(path);
}

/** What this run took; the bundle exports it for the boot. */
export function pathsTaken(): CodePath[] {
  return [...taken];
}
