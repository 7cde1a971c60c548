import { codePaths } from './code-paths.ts';
import { faultHook } from './fault-hook.ts';
import { processIo } from './process-io.ts';
import { runCli } from './run-cli.ts';

/** What this process ran, for its code cache: the boot (boot.ts) reads it at exit. */
const paths = codePaths();
export const runNotes = paths.notes;

/** The process boundary: with noop.ts, the only place that reads process.* and sets the exit code. */
async function main(): Promise<void> {
  const faults = faultHook(process.env['CG_FAULT'], () => process.kill(process.pid, 'SIGKILL'));
  if (typeof faults === 'string') {
    process.stderr.write(`cg: ${faults}\n`);
    process.exitCode = 2;
    return;
  }
  const { io, drained } = processIo(faults, paths);
  const code = await runCli(process.argv.slice(2), io);
  // Once everything is written, exit without waiting for Node to take the heap apart piece by
  // piece (~13 ms at 160 MB), which the end of the process does anyway.
  await drained();
  process.exit(code);
}

void main();
