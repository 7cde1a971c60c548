import { codePaths } from './code-paths.ts';
import { faultHook } from './fault-hook.ts';
import { processIsAlive, systemClock, type Io } from './io.ts';
import { runCli } from './run-cli.ts';
import { isTerminal, standardOutput } from './stdout.ts';

/** What this process ran, for its code cache: the boot (boot.ts) reads it at exit. */
const paths = codePaths();
export const runNotes = paths.notes;

declare const CG_VERSION: string | undefined;
declare const CG_BUILD_ID: string | undefined;

/** The process boundary: the only place that reads process.* and sets the exit code. */
async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    // First Ctrl-C: stop starting work and let running writes finish. Second: leave now.
    if (interrupts === 1) {
      process.stderr.write('\ncg: stopping after the work in progress (Ctrl-C again to quit now)…\n');
      controller.abort();
    } else process.exit(130);
  });
  process.on('SIGTERM', () => controller.abort());
  // isTerminal, not process.stdin: creating the stdin stream costs start-up time on every command.
  const interactive = isTerminal(1) && isTerminal(0);
  const faults = faultHook(process.env['CG_FAULT'], () => process.kill(process.pid, 'SIGKILL'));
  if (typeof faults === 'string') {
    process.stderr.write(`cg: ${faults}\n`);
    process.exitCode = 2;
    return;
  }
  const io: Io = {
    cwd: process.cwd(),
    env: process.env,
    // Written directly when it is a pipe or a file: process.stdout is created only for a terminal.
    stdout: standardOutput(() => process.stdout),
    // Created on first write: most commands never print to stderr.
    stderr: { write: (text: string) => process.stderr.write(text) },
    ask: interactive
      ? async (question) => {
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(question);
          } finally {
            rl.close();
          }
        }
      : undefined,
    clock: systemClock,
    signal: controller.signal,
    pid: process.pid,
    random: Math.random,
    fetch: globalThis.fetch,
    isAlive: processIsAlive,
    version: typeof CG_VERSION === 'string' ? CG_VERSION : '0.0.0-dev',
    cacheTag: typeof CG_BUILD_ID === 'string' ? CG_BUILD_ID : `dev-${Date.now()}`,
    faults,
    codePaths: paths,
  };
  process.exitCode = await runCli(process.argv.slice(2), io);
}

void main();
