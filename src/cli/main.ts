import { faultHook } from './fault-hook.ts';
import { processIo } from './process-io.ts';
import { runCli } from './run-cli.ts';

/** For the boot (boot.ts): what this run ran, for its code cache. */
export { runNotes } from './code-paths.ts';

/** The process boundary: with noop.ts, the only place that reads process.* and sets the exit code. */
async function main(): Promise<void> {
  const faults = faultHook(process.env['CG_FAULT'], () => process.kill(process.pid, 'SIGKILL'));
  if (typeof faults === 'string') {
    process.stderr.write(`cg: ${faults}\n`);
    process.exitCode = 2;
    return;
  }
  const { io } = processIo(faults);
  process.exitCode = await runCli(process.argv.slice(2), io);
}

void main();
