import { execFileSync } from 'node:child_process';

/** Builds dist/ once, so tests that spawn the real `cg` process run what users run. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
