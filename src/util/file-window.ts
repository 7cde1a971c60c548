import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { MidWrite } from './atomic-fs.ts';

/*
 * A large file read through one small buffer, never held whole. Here memory a process touches
 * for the first time costs about 3 ms a megabyte (page faults), several times what reading the
 * bytes costs: a command that only looks for a few places in a file of megabytes, or copies it
 * with a few parts replaced, reads it in windows.
 */

const windowSize = 256 * 1024;

/** A buffer to read a file's windows into. */
export const newWindow = (): Buffer => Buffer.allocUnsafe(windowSize);

/** An open file, read at any offset through a reused buffer. */
export class FileWindow {
  readonly size: number;
  readonly #fd: number;
  readonly #buffer: Buffer;

  private constructor(fd: number, buffer: Buffer, limit: number) {
    this.#fd = fd;
    this.#buffer = buffer;
    this.size = Math.min(fstatSync(fd).size, limit);
  }

  /**
   * The file opened for reading (its first `limit` bytes, when given: a part of it read as if it
   * were the whole), or undefined when it does not exist or cannot be read. A caller that opens
   * files again and again passes its own window (`newWindow`), touched once.
   */
  static open(path: string, window: Buffer = newWindow(), limit = Infinity): FileWindow | undefined {
    try {
      return new FileWindow(openSync(path, 'r'), window, limit);
    } catch {
      return undefined;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** The bytes of a file from `start` to `end` (negative: from its end), opened and closed; undefined when it cannot be read. */
  static slice(path: string, start: number, end = Infinity): Buffer | undefined {
    const file = FileWindow.open(path, Buffer.alloc(0));
    if (file === undefined) return undefined;
    try {
      const from = (at: number): number => (at < 0 ? Math.max(0, file.size + at) : at);
      return file.read(from(start), from(end));
    } finally {
      file.close();
    }
  }

  /** Whether the file ends in a newline (an append a crash cut short does not); undefined when it is missing or empty. */
  static endsInNewline(path: string): boolean | undefined {
    const last = FileWindow.slice(path, -1);
    return last === undefined || last.length === 0 ? undefined : last[0] === 10;
  }

  /** The offset of the first `byte` at or after `from`, or -1 when there is none. */
  indexOf(byte: number, from = 0): number {
    for (let base = from; base < this.size; base += this.#buffer.length) {
      const filled = readSync(this.#fd, this.#buffer, 0, Math.min(this.#buffer.length, this.size - base), base);
      if (filled === 0) break;
      const found = this.#buffer.subarray(0, filled).indexOf(byte);
      if (found >= 0) return base + found;
    }
    return -1;
  }

  /** A copy of the bytes from `start` to `end` (a few: a header, an id, an entry). */
  read(start: number, end: number): Buffer {
    const bytes = Buffer.allocUnsafe(Math.max(0, Math.min(end, this.size) - start));
    let done = 0;
    while (done < bytes.length) {
      const count = readSync(this.#fd, bytes, done, bytes.length - done, start + done);
      if (count === 0) return bytes.subarray(0, done);
      done += count;
    }
    return bytes;
  }

  /**
   * Each offset where `pattern` starts, in order, with the offset of the next `stop` byte after
   * it (or of the file's end) and, with `text`, the bytes between as latin1 text. Undefined when
   * some match has more than `longest` bytes before its stop.
   */
  matches(pattern: Uint8Array, stop: number, longest: number, text = false): { at: number[]; end: number[]; after: string[] } | undefined {
    const at: number[] = [];
    const ends: number[] = [];
    // What follows each match, each ended by `stop` (which none holds), decoded at once at the end:
    // tens of thousands of small decodes cost a cold process more than the search.
    let after = Buffer.allocUnsafe(text ? 64 * 1024 : 0);
    let used = 0;
    const keep = pattern.length - 1;
    let base = 0;
    for (;;) {
      const filled = readSync(this.#fd, this.#buffer, 0, Math.min(this.#buffer.length, this.size - base), base);
      const bytes = this.#buffer.subarray(0, filled);
      const last = base + filled >= this.size;
      let from = 0;
      let next = -1;
      for (let match = bytes.indexOf(pattern, from); match >= 0; match = bytes.indexOf(pattern, from)) {
        const found = bytes.indexOf(stop, match + pattern.length);
        if (found < 0 && !last && match > 0) {
          next = match; // read again from this match: its end is in the next window
          break;
        }
        const end = found < 0 ? filled : found;
        if (end - match - pattern.length > longest) return undefined;
        if (text) {
          if (used + longest + 1 > after.length) after = Buffer.concat([after.subarray(0, used), Buffer.allocUnsafe(after.length)]);
          // Byte by byte: what follows a match is short, and Buffer.copy checks its arguments on each call.
          for (let k = match + pattern.length; k < end; k++) after[used++] = bytes[k] as number;
          after[used++] = stop;
        }
        at.push(base + match);
        ends.push(base + end);
        from = end + 1;
      }
      if (last) return { at, end: ends, after: used === 0 ? [] : after.toString('latin1', 0, used - 1).split(String.fromCharCode(stop)) };
      // A match may straddle the window's end: the next window starts early enough to hold it.
      base += next >= 0 ? next : Math.max(from, filled - keep, 1);
    }
  }

  /**
   * Writes a copy of this file, with some ranges replaced, to `path` (atomically: a temp file
   * renamed over it). `pieces` are, in order, ranges of this file to copy and bytes to put in.
   * `midWrite` is called when about half is written (the crash harness stops there).
   */
  writeSpliced(path: string, pieces: ReadonlyArray<{ from: number; to: number } | Uint8Array>, midWrite?: MidWrite): void {
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const total = pieces.reduce((sum, piece) => sum + ('from' in piece ? piece.to - piece.from : piece.length), 0);
    let written = 0;
    const out = openSync(temp, 'w');
    const write = (bytes: Uint8Array): void => {
      for (let done = 0; done < bytes.length; ) done += writeSync(out, bytes, done, bytes.length - done);
      const before = written;
      written += bytes.length;
      if (midWrite !== undefined && before < total / 2 && written >= total / 2) midWrite();
    };
    try {
      try {
        for (const piece of pieces) {
          if (!('from' in piece)) {
            write(piece);
            continue;
          }
          for (let at = piece.from; at < piece.to; ) {
            const count = readSync(this.#fd, this.#buffer, 0, Math.min(this.#buffer.length, piece.to - at), at);
            if (count === 0) throw new Error(`${path}: the file it is copied from is shorter than it was`);
            write(this.#buffer.subarray(0, count));
            at += count;
          }
        }
      } finally {
        closeSync(out);
      }
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }
}
