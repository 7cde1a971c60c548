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

/**
 * stdout (`fd`): `stream()` (process.stdout) for a terminal (listr2 draws on it, it knows its
 * columns) and anything but a pipe or a file; a pipe or a file is written directly. Should a
 * direct write fail (a full non-blocking pipe, a reader gone), the rest and all later output
 * go to `stream()`, which deals with it as it always has, in order.
 */
export function standardOutput(stream: () => Pick<NodeJS.WriteStream, 'write'>, fd = 1): OutputStream {
  let direct: boolean;
  try {
    const stats = fstatSync(fd);
    direct = process.platform !== 'win32' && (stats.isFIFO() || stats.isFile());
  } catch {
    direct = false;
  }
  if (!direct) return stream();
  return {
    write: (text: string): unknown => {
      if (!direct) return stream().write(text);
      const bytes = Buffer.from(text);
      let written = 0;
      try {
        while (written < bytes.length) written += writeSync(fd, bytes, written);
      } catch {
        direct = false;
        return stream().write(bytes.subarray(written));
      }
      return true;
    },
  };
}
