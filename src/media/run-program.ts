import { spawn } from 'node:child_process';
import { err, ok, type Result } from '../util/result.ts';

/** How a program that started ended: its exit code (null when a signal stopped it) and all it printed. */
export interface ProgramExit {
  code: number | null;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

export interface RunOptions {
  /** Written to the program's stdin, which is then closed (no stdin at all without it). */
  input?: Uint8Array;
  /** Aborting stops the program (SIGTERM) and the run fails. */
  signal?: AbortSignal;
}

/** Runs a program to its end; fails, in Node's words, when it could not start or was aborted. */
export type RunProgram = (file: string, args: readonly string[], options: RunOptions) => Promise<Result<ProgramExit, string>>;

/** Spawns the program from this process. */
export const runDirect: RunProgram = (file, args, options) =>
  new Promise((resolve) => {
    const child = spawn(file, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], signal: options.signal });
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => errs.push(chunk));
    child.on('error', (error) => resolve(err(error.message)));
    child.on('close', (code) => resolve(ok({ code, stdout: new Uint8Array(Buffer.concat(out)), stderr: new Uint8Array(Buffer.concat(errs)) })));
    if (options.input !== undefined && child.stdin !== null) {
      // The program may stop reading early (it has all the input it wants): that is not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
