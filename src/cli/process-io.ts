import { processIsAlive, systemClock, type Io } from './io.ts';
import { isTerminal, quietWhenReaderGone, standardOutput } from './stdout.ts';
import type { Faults } from '../util/faults.ts';
import type { CodePaths } from './code-paths.ts';

declare const CG_VERSION: string | undefined;
declare const CG_BUILD_ID: string | undefined;

/**
 * The process as the CLI sees it: the Io built from process.*, with Ctrl-C and SIGTERM
 * stopping work through its signal. `detach` takes the signal handlers off again, for a run
 * that hands the process over to another (src/cli/noop.ts to the whole CLI).
 */
export function processIo(faults: Faults, paths: CodePaths): { io: Io; detach: () => void } {
  const controller = new AbortController();
  let interrupts = 0;
  let quietStderr: NodeJS.WriteStream | undefined;
  const stderr = (): NodeJS.WriteStream => (quietStderr ??= quietWhenReaderGone(process.stderr));
  const onInterrupt = (): void => {
    interrupts++;
    // First Ctrl-C: stop starting work and let running writes finish. Second: leave now.
    if (interrupts === 1) {
      stderr().write('\ncg: stopping after the work in progress (Ctrl-C again to quit now)…\n');
      controller.abort();
    } else process.exit(130);
  };
  const onTerminate = (): void => controller.abort();
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  // isTerminal, not process.stdin: creating the stdin stream costs start-up time on every command.
  const interactive = isTerminal(1) && isTerminal(0);
  const io: Io = {
    cwd: process.cwd(),
    env: process.env,
    // Written directly when it is a pipe or a file: process.stdout is created only for a terminal.
    stdout: standardOutput(() => process.stdout),
    // Created on first write: most commands never print to stderr.
    stderr: { write: (text: string) => stderr().write(text) },
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
  const detach = (): void => {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  };
  return { io, detach };
}
