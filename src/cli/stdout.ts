import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { OutputStream } from '../reporters/progress.ts';

/**
 * Where the CLI's output goes, without the cost of Node's stream for it where that stream
 * adds nothing. process.stdout loads the tty, net and stream modules, a few milliseconds of
 * every command that prints a line; for a pipe or a file it only writes each chunk at once
 * (Node writes both synchronously on Linux and macOS), which write(2) does as well.
 */

/** Whether `fd` is a terminal, as isatty says; a pipe or a file is told without loading the tty module (and net). */
export function isTerminal(fd: number): boolean {
  try {
    // Every terminal is a character device: anything else needs no closer look.
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return isatty(fd);
}

/** A stream as the CLI writes it: process.stdout or process.stderr, or a test's stand-in. */
export interface WriteStream {
  write(chunk: string | Uint8Array, callback?: () => void): unknown;
  on?(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * The reader went away (`cg build | head -1`, a parent that stopped listening). Output ends
 * there; the command goes on, so a build still stores what it is making. Node would instead
 * raise an unhandled 'error' and stop the build mid-take with a stack trace.
 */
const readerGone = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
};

/** `stream`, told that a reader going away is the end of its output, not an error (other errors are thrown as before). */
function quietWhenReaderGone<S extends WriteStream>(stream: S): S {
  stream.on?.('error', (error) => {
    if (!readerGone(error)) throw error;
  });
  return stream;
}

/** Where the CLI writes, and a wait for what a stream still holds (process.exit would drop it). */
export interface StandardOutput {
  out: OutputStream;
  drained: () => Promise<void>;
}

/**
 * stdout or stderr (`fd`): `stream()` (process.stdout, process.stderr) for a terminal (listr2
 * draws on it, it knows its columns) and anything but a pipe or a file; a pipe or a file is
 * written directly. Should a direct write fail (a pipe some other process made non-blocking,
 * full), the rest and all later output go to `stream()`, which queues it, in order. A reader
 * gone ends the output either way (readerGone).
 *
 * Both fds are written directly, not only stdout: Node's stream on a pipe makes it non-blocking,
 * and with `2>&1` that is stdout's pipe too, whose writes then queue where a process.exit drops them.
 */
export function standardOutput(stream: () => WriteStream, fd = 1): StandardOutput {
  let direct: boolean;
  try {
    const stats = fstatSync(fd);
    direct = process.platform !== 'win32' && (stats.isFIFO() || stats.isFile());
  } catch {
    direct = false;
  }
  let made: WriteStream | undefined;
  const viaStream = (): WriteStream => (made ??= quietWhenReaderGone(stream()));
  // An empty write's callback runs once every write before it is done.
  const drained = (): Promise<void> => new Promise((resolve) => (made === undefined ? resolve() : made.write('', () => resolve())));
  if (!direct) return { out: viaStream(), drained };
  let gone = false;
  const out = {
    write: (text: string): unknown => {
      if (gone) return false;
      if (!direct) return viaStream().write(text);
      const bytes = Buffer.from(text);
      let written = 0;
      try {
        while (written < bytes.length) written += writeSync(fd, bytes, written);
      } catch (error) {
        if (readerGone(error)) {
          gone = true;
          return false;
        }
        direct = false;
        return viaStream().write(bytes.subarray(written));
      }
      return true;
    },
  };
  return { out, drained };
}
