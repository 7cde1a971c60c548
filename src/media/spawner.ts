/**
 * Runs programs (ffmpeg, once per take) from a small helper process instead of from the build.
 *
 * Why: spawning forks the caller, and a fork costs in proportion to the caller's memory while it
 * blocks the caller's only thread: ~15 ms for a bare Node, ~50 ms for a build of 1 GB, for every
 * take. The helper is a bare Node (spawner-program.ts): its forks stay cheap and happen beside the
 * build's thread instead of on it.
 *
 * The helper starts on the first run, and ends when it has been idle a moment or this process
 * ends (it holds nothing that keeps this process alive). If it dies, the programs it was running
 * are killed and run again from this process, as is everything after: it only ever makes spawning
 * cheaper, never a build fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { err, ok, type Result } from '../util/result.ts';
import type { ProgramExit, RunOptions, RunProgram } from './run-program.ts';
import { spawnerProgram } from './spawner-program.ts';

export interface SpawnerOptions {
  /** The Node binary that runs the helper. */
  execPath: string;
  /** The helper's environment, which the programs it starts inherit (NODE_OPTIONS is left out: the helper is a bare Node). */
  env: Readonly<Record<string, string | undefined>>;
  /** How programs run when the helper cannot: from this process. */
  fallback: RunProgram;
  /** Kills a program by pid (SIGKILL), when the helper that started it is gone. */
  kill: (pid: number) => void;
  /** The helper ends after this long without work (a watch session idles between builds). */
  idleMs?: number;
}

export interface Spawner {
  run: RunProgram;
  /** Ends the helper now (programs still running are killed, their runs fail as aborted); a later run starts another. */
  close(): void;
}

type Outcome = Result<ProgramExit, string>;

interface Request {
  file: string;
  args: readonly string[];
  options: RunOptions;
  resolve: (result: Outcome | Promise<Outcome>) => void;
  /** Set once the helper said it started the program. */
  pid: number | null;
  aborted: boolean;
}

type Reply = { id: number; pid: number | null } | { id: number; code: number | null; error: string | null; stdoutLength: number };

/** Node's words for an aborted spawn (what runDirect reports), so callers see one message either way. */
const ABORTED = 'The operation was aborted';

function frame(header: object, body: Uint8Array = new Uint8Array()): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(head.length, 0);
  prefix.writeUInt32LE(body.byteLength, 4);
  return Buffer.concat([prefix, head, body]);
}

/** Holds a process open (`ref`) or lets it end (`unref`); child processes and their pipes both can. */
function hold(child: ChildProcess, keep: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>) {
    if (keep) handle?.ref?.();
    else handle?.unref?.();
  }
}

/** One helper process and the runs sent to it. */
class Connection {
  readonly #child: ChildProcess;
  readonly #requests = new Map<number, Request>();
  readonly #said: Buffer[] = [];
  #next = 1;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Bytes the frame being received needs in all (8 until its lengths are known). */
  #needed = 8;
  #closing = false;
  #gone = false;
  readonly #idle: () => void;
  readonly #lost: (why: string, orphans: Request[]) => void;

  /** `idle` is told when no run is left; `lost` when the helper died (not closed) with what it still ran. */
  constructor(options: SpawnerOptions, idle: () => void, lost: (why: string, orphans: Request[]) => void) {
    this.#idle = idle;
    this.#lost = lost;
    const env = { ...options.env };
    delete env['NODE_OPTIONS'];
    this.#child = spawn(options.execPath, ['-e', spawnerProgram], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.#child.stdout?.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#child.stderr?.on('data', (chunk: Buffer) => this.#said.push(chunk));
    this.#child.stdin?.on('error', () => undefined);
    this.#child.on('error', (error) => this.#end(error.message));
    this.#child.on('close', (code, signal) => this.#end(`the helper exited (${signal ?? `code ${String(code)}`}) ${Buffer.concat(this.#said).toString('utf8').trim()}`.trim()));
  }

  get usable(): boolean {
    return !this.#closing && !this.#gone;
  }

  send(request: Request): void {
    const id = this.#next++;
    const { signal } = request.options;
    if (signal !== undefined) {
      // Removed once the run ends: a build's signal outlives thousands of runs.
      const abort = (): void => this.#abort(id);
      signal.addEventListener('abort', abort, { once: true });
      const resolve = request.resolve;
      request.resolve = (result) => {
        signal.removeEventListener('abort', abort);
        resolve(result);
      };
    }
    this.#requests.set(id, request);
    hold(this.#child, true);
    const { input } = request.options;
    this.#child.stdin?.write(frame({ op: 'run', id, file: request.file, args: request.args, input: input !== undefined }, input));
  }

  /** No run left: this process may end without waiting for the helper. */
  release(): void {
    if (this.#requests.size === 0) hold(this.#child, false);
  }

  close(): void {
    this.#closing = true;
    // The helper kills what it still runs when its stdin ends, and exits.
    this.#child.stdin?.end();
  }

  #abort(id: number): void {
    const request = this.#requests.get(id);
    if (request === undefined) return;
    request.aborted = true;
    this.#child.stdin?.write(frame({ op: 'kill', id }));
  }

  /** Replies arrive in reads of any size: kept apart until a whole frame is there (joining each read to the last copies a frame over and over). */
  #receive(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#needed) return;
    let pending = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks);
    this.#chunks = [];
    while (pending.length >= 8) {
      const headLength = pending.readUInt32LE(0);
      this.#needed = 8 + headLength + pending.readUInt32LE(4);
      if (pending.length < this.#needed) break;
      this.#reply(JSON.parse(pending.subarray(8, 8 + headLength).toString('utf8')) as Reply, pending.subarray(8 + headLength, this.#needed));
      pending = pending.subarray(this.#needed);
      this.#needed = 8;
    }
    if (pending.length > 0) this.#chunks.push(pending);
    this.#buffered = pending.length;
  }

  #reply(reply: Reply, body: Buffer): void {
    const request = this.#requests.get(reply.id);
    if (request === undefined) return;
    if ('pid' in reply) {
      request.pid = reply.pid;
      return;
    }
    this.#requests.delete(reply.id);
    if (request.aborted) request.resolve(err(ABORTED));
    else if (reply.error !== null) request.resolve(err(reply.error));
    // Copies: views would keep the whole received chunk alive.
    else request.resolve(ok({ code: reply.code, stdout: new Uint8Array(body.subarray(0, reply.stdoutLength)), stderr: new Uint8Array(body.subarray(reply.stdoutLength)) }));
    if (this.#requests.size === 0) this.#idle();
  }

  #end(why: string): void {
    if (this.#gone) return;
    this.#gone = true;
    const orphans = [...this.#requests.values()];
    this.#requests.clear();
    if (this.#closing) {
      for (const request of orphans) request.resolve(err(ABORTED));
      return;
    }
    this.#lost(why, orphans);
  }
}

/** The spawner: one helper at a time, started on demand, given up for good if one dies. */
class HelperSpawner implements Spawner {
  readonly #options: SpawnerOptions;
  #current: Connection | undefined;
  #idle: NodeJS.Timeout | undefined;
  /** Why the helper cannot be used; once set, every run goes to the fallback. */
  #broken: string | undefined;

  constructor(options: SpawnerOptions) {
    this.#options = options;
  }

  readonly run: RunProgram = (file, args, options) => {
    if (this.#broken !== undefined) return this.#options.fallback(file, args, options);
    if (options.signal?.aborted === true) return Promise.resolve(err(ABORTED));
    const connection = this.#connection();
    if (connection === undefined) return this.#options.fallback(file, args, options);
    clearTimeout(this.#idle);
    return new Promise((resolve) => connection.send({ file, args, options, resolve, pid: null, aborted: false }));
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
        (why, orphans) => this.#lost(connection, why, orphans),
      );
      this.#current = connection;
      return connection;
    } catch (error) {
      this.#broken = error instanceof Error ? error.message : String(error);
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

  #lost(connection: Connection, why: string, orphans: Request[]): void {
    if (connection === this.#current) this.#current = undefined;
    this.#broken ??= why;
    for (const request of orphans) {
      // Killed first: a program of the dead helper must not write the same file as its rerun.
      if (request.pid !== null) this.#options.kill(request.pid);
      if (request.aborted) request.resolve(err(ABORTED));
      else request.resolve(this.#options.fallback(request.file, request.args, request.options));
    }
  }
}

/** A spawner whose helper starts on first use. */
export function createSpawner(options: SpawnerOptions): Spawner {
  return new HelperSpawner(options);
}
