import { processIsAlive, systemClock, type Io } from './io.ts';
import { isTerminal, standardOutput } from './stdout.ts';
import type { Faults } from '../util/faults.ts';
import type { CodePaths } from './code-paths.ts';

declare const CG_VERSION: string | undefined;
declare const CG_BUILD_ID: string | undefined;

/** What a run stopped before it started anything says. */
export const interruptedBeforeStart = 'cg: interrupted before the build started; nothing was run\n';

/**
 * The process as the CLI sees it: the Io built from process.*, with Ctrl-C and SIGTERM
 * stopping work through its signal. `detach` is for a run that hands the process over to
 * another (src/cli/noop.ts to the whole CLI): from then on its handlers only end the process,
 * until the next processIo takes their place. `drained` waits for what stdout and stderr hold.
 */
export function processIo(faults: Faults, paths: CodePaths): { io: Io; detach: () => void; drained: () => Promise<void> } {
  const controller = new AbortController();
  let interrupts = 0;
  // Written directly when a pipe or a file: process.stdout is created only for a terminal, process.stderr on first write otherwise.
  const stdout = standardOutput(() => process.stdout, 1);
  const stderr = standardOutput(() => process.stderr, 2);
  let handedOver = false;
  // Handed over and not taken over yet: nothing has started.
  const leave = (): void => {
    stderr.out.write(`\n${interruptedBeforeStart}`);
    process.exit(130);
  };
  const onInterrupt = (): void => {
    if (handedOver) return leave();
    interrupts++;
    // First Ctrl-C: stop starting work and let running writes finish. Second: leave now.
    if (interrupts === 1) {
      stderr.out.write('\ncg: stopping after the work in progress (Ctrl-C again to quit now)…\n');
      controller.abort();
    } else process.exit(130);
  };
  const onTerminate = (): void => (handedOver ? leave() : controller.abort());
  // The no-op bundle's hand-over listeners (detach), if it ran first: from here on, a Ctrl-C is this run's.
  const earlier = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) for (const listener of earlier[signal]) process.off(signal, listener);
  // isTerminal, not process.stdin: creating the stdin stream costs start-up time on every command.
  const interactive = isTerminal(1) && isTerminal(0);
  const io: Io = {
    cwd: process.cwd(),
    env: process.env,
    stdout: stdout.out,
    stderr: stderr.out,
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
  // Handing over, the listeners stay: removed, they would drop a Ctrl-C that came while this run
  // was busy and is not handled yet (Node handles signals between tasks), and leave the process to
  // the default action until the next run listens. That run removes these (see `earlier` above).
  const detach = (): void => {
    handedOver = true;
  };
  // What stdout and stderr still hold once the run is over (before process.exit, which would drop it).
  const drained = async (): Promise<void> => {
    await Promise.all([stdout.drained(), stderr.drained()]);
  };
  return { io, detach, drained };
}
