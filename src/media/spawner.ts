/**
 * Runs programs (ffmpeg, once per take) from a helper process instead of from the build.
 *
 * Why: Node spawns by forking the caller, and a fork costs in proportion to the caller's memory
 * while it blocks the caller's only thread: ~25 ms for a build of 250 MB, ~50 ms at 1 GB, for
 * every take. Even from a bare Node a spawn costs ~13 ms of CPU more than from a shell. So the
 * helper is /bin/sh reading command lines: its forks are cheap, and happen beside the build's
 * thread instead of on it.
 *
 * A shell cannot be handed pipes, so each run's stdin, stdout and stderr are files in a folder
 * of its own under `scratch`. The helper and everything it starts are one process group: when
 * this process ends, the helper's input ends and it kills the group. If the helper dies, this
 * process kills the group and runs again, from itself, what was running, and everything after:
 * the helper only ever makes spawning cheaper, never a build fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok } from '../util/result.ts';
import type { RunProgram } from './run-program.ts';

export interface SpawnerOptions {
  /** A POSIX shell (/bin/sh). */
  shell: string;
  /** The helper's environment, which the programs it starts inherit. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where each run keeps its stdin, stdout and stderr (removed after the run). */
  scratch: string;
  /** How programs run when the helper cannot: from this process. */
  fallback: RunProgram;
  /** Sends a signal to a process, or to a process group when `pid` is negative; one already gone is no error. */
  kill: (pid: number, signal: 'SIGTERM' | 'SIGKILL') => void;
  /** The helper ends after this long without work (a watch session idles between builds). */
  idleMs?: number;
}

export interface Spawner {
  run: RunProgram;
  /** Ends the helper now (programs still running are killed, their runs fail as aborted); a later run starts another. */
  close(): void;
}

/** Node's words for an aborted spawn (what runDirect reports), so callers see one message either way. */
const ABORTED = 'The operation was aborted';

/**
 * The helper: runs each line it reads (each starts one program in the background and reports
 * on stdout "s <id> <pid>" when it started and "e <id> <status>" when it ended); at the end of
 * its input, kills its whole process group, itself included.
 */
const HELPER = 'while IFS= read -r line; do eval "$line"; done; kill -KILL 0';

/** The shell's exit statuses for a program that could not be run (not found, not executable). */
const NOT_RUN = new Set([126, 127]);

/** One shell word, whatever the text (single quotes, each ' spelled '\''). */
const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

/** A line of the helper's input cannot carry these inside a word. */
const unquotable = (text: string): boolean => /[\n\r\0]/.test(text);

interface Run {
  /** Set once the helper said the program started. */
  pid: number | null;
  aborted: boolean;
  /** Called with the shell's status once the program ended, or with null when the helper is gone. */
  ended: (status: number | null) => void;
}

/** One helper process and the runs sent to it. */
class Connection {
  readonly #child: ChildProcess;
  readonly #options: SpawnerOptions;
  readonly #runs = new Map<number, Run>();
  readonly #idle: () => void;
  readonly #lost: (connection: Connection) => void;
  #next = 1;
  #partial = '';
  #closing = false;
  #gone = false;

  /** `idle` is told when no run is left; `lost` when the helper died without being closed. */
  constructor(options: SpawnerOptions, idle: () => void, lost: (connection: Connection) => void) {
    this.#options = options;
    this.#idle = idle;
    this.#lost = lost;
    // Its own process group (detached): a group the helper can kill whole, out of reach of the
    // terminal's Ctrl-C, which is this process's to act on.
    this.#child = spawn(options.shell, ['-c', HELPER], { stdio: ['pipe', 'pipe', 'ignore'], env: options.env, detached: true });
    this.#child.stdout?.setEncoding('utf8');
    this.#child.stdout?.on('data', (text: string) => this.#receive(text));
    this.#child.stdin?.on('error', () => undefined);
    this.#child.on('error', () => this.#end());
    // Not 'close': the programs it started hold its stdout open after it is gone.
    this.#child.on('exit', () => this.#end());
  }

  get usable(): boolean {
    return !this.#closing && !this.#gone;
  }

  /** Starts the program; resolves with its shell status, or null if the helper went away first. */
  start(command: string[], files: { input: string; stdout: string; stderr: string }, signal: AbortSignal | undefined): Promise<{ status: number | null; aborted: boolean }> {
    const id = this.#next++;
    return new Promise((resolve) => {
      const run: Run = { pid: null, aborted: false, ended: () => undefined };
      const abort = (): void => {
        run.aborted = true;
        if (run.pid !== null) this.#options.kill(run.pid, 'SIGTERM');
      };
      // Removed once the run ends: a build's signal outlives thousands of runs.
      signal?.addEventListener('abort', abort, { once: true });
      run.ended = (status) => {
        signal?.removeEventListener('abort', abort);
        resolve({ status, aborted: run.aborted });
      };
      this.#runs.set(id, run);
      hold(this.#child, true);
      const redirects = `<${quote(files.input)} >${quote(files.stdout)} 2>${quote(files.stderr)}`;
      this.#child.stdin?.write(`( ${command.map(quote).join(' ')} ${redirects} & echo "s ${id} $!"; wait $!; echo "e ${id} $?" ) &\n`);
    });
  }

  /** No run left: this process may end without waiting for the helper. */
  release(): void {
    if (this.#runs.size === 0) hold(this.#child, false);
  }

  close(): void {
    this.#closing = true;
    // At the end of its input the helper kills what it still runs, and itself.
    this.#child.stdin?.end();
  }

  #receive(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      const [what, id, value] = line.split(' ');
      const run = this.#runs.get(Number(id));
      if (run === undefined || value === undefined) continue;
      if (what === 's') {
        run.pid = Number(value);
        if (run.aborted) this.#options.kill(run.pid, 'SIGTERM');
      } else if (what === 'e') {
        this.#runs.delete(Number(id));
        run.ended(Number(value));
        if (this.#runs.size === 0) this.#idle();
      }
    }
  }

  #end(): void {
    if (this.#gone) return;
    this.#gone = true;
    const runs = [...this.#runs.values()];
    this.#runs.clear();
    if (this.#closing) {
      // Closed on purpose: the helper killed what it ran, and those runs fail as aborted.
      for (const run of runs) {
        run.aborted = true;
        run.ended(null);
      }
      return;
    }
    this.#lost(this);
    // Whatever the dead helper started is killed before it is run again from here: the two must
    // not write the same files.
    const pid = this.#child.pid;
    if (pid !== undefined && runs.length > 0) this.#options.kill(-pid, 'SIGKILL');
    for (const run of runs) run.ended(null);
  }
}

/** Holds this process open (`ref`) or lets it end (`unref`): child processes and their pipes both can. */
function hold(child: ChildProcess, keep: boolean): void {
  for (const handle of [child, child.stdin, child.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>) {
    if (keep) handle?.ref?.();
    else handle?.unref?.();
  }
}

/** The spawner: one helper at a time, started on demand, given up for good if one dies. */
class ShellSpawner implements Spawner {
  readonly #options: SpawnerOptions;
  #current: Connection | undefined;
  #idle: NodeJS.Timeout | undefined;
  /** Set when a helper died: every later run goes to the fallback. */
  #broken = false;

  constructor(options: SpawnerOptions) {
    this.#options = options;
  }

  readonly run: RunProgram = async (file, args, options) => {
    const command = [file, ...args];
    if (this.#broken || command.some(unquotable)) return this.#options.fallback(file, args, options);
    if (options.signal?.aborted === true) return err(ABORTED);
    let dir: string;
    try {
      await mkdir(this.#options.scratch, { recursive: true });
      dir = await mkdtemp(join(this.#options.scratch, 'run-'));
    } catch {
      return this.#options.fallback(file, args, options);
    }
    try {
      const files = { input: options.input === undefined ? '/dev/null' : join(dir, 'stdin'), stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr') };
      if (options.input !== undefined) await writeFile(files.input, options.input);
      const connection = this.#connection();
      if (connection === undefined) return await this.#options.fallback(file, args, options);
      clearTimeout(this.#idle);
      const { status, aborted } = await connection.start(command, files, options.signal);
      if (aborted) return err(ABORTED);
      // The helper died: its programs are killed; run this one from here.
      if (status === null) return await this.#options.fallback(file, args, options);
      // The shell could not run it: from here, Node says why in its own words.
      if (NOT_RUN.has(status)) return await this.#options.fallback(file, args, options);
      const [stdout, stderr] = await Promise.all([readFile(files.stdout), readFile(files.stderr)]);
      return ok({ code: status > 128 ? null : status, stdout: new Uint8Array(stdout), stderr: new Uint8Array(stderr) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  close(): void {
    clearTimeout(this.#idle);
    this.#current?.close();
    this.#current = undefined;
  }

  #connection(): Connection | undefined {
    if (this.#current?.usable === true) return this.#current;
    try {
      const connection: Connection = new Connection(
        this.#options,
        () => this.#settle(connection),
        (lost) => this.#lose(lost),
      );
      this.#current = connection;
      return connection;
    } catch {
      this.#broken = true;
      return undefined;
    }
  }

  #settle(connection: Connection): void {
    connection.release();
    if (connection !== this.#current) return;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.close(), this.#options.idleMs ?? 2000);
    this.#idle.unref();
  }

  #lose(connection: Connection): void {
    if (connection === this.#current) this.#current = undefined;
    this.#broken = true;
  }
}

/** A spawner whose helper starts on first use. */
export function createSpawner(options: SpawnerOptions): Spawner {
  return new ShellSpawner(options);
}
