import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { appendText, writeFileAtomic, type MidWrite } from './atomic-fs.ts';
import { eachLine } from './bytes.ts';
import { FileWindow } from './file-window.ts';

/**
 * A cache file written whole on its first line, then appended a line per change: a build of
 * one sequence of 10,000 changes a few entries, and appends them instead of writing megabytes
 * again. A line a crash cut short is passed over by the reader, and the next save writes the
 * file whole (so every line of it parses again), as it does once the lines pass a quarter of
 * the whole line's length.
 */
export class AppendedFile {
  readonly #file: string;
  /** The whole line's length and the bytes appended after it; undefined when the next save writes the file whole. */
  #sizes: { base: number; appended: number } | undefined;
  /** The file an earlier version of cg kept the whole cache in (read when this one is missing), removed once this one is written. */
  #legacy: string | undefined;

  private constructor(file: string, sizes: { base: number; appended: number } | undefined, legacy: string | undefined) {
    this.#file = file;
    this.#sizes = sizes;
    this.#legacy = legacy;
  }

  /**
   * The file's whole line and the lines appended after it (as bytes: a reader may decode only
   * what it looks up). A missing or empty file has neither; when `name.jsonl` is missing,
   * `name.json` (the whole cache as earlier versions of cg wrote it, one JSON document) is read
   * as its whole line.
   */
  static read(file: string): { appended: AppendedFile; base: Buffer | undefined; lines: Buffer[] } {
    const bytes = readIfPresent(file);
    const legacy = file.endsWith('.jsonl') ? file.slice(0, -1) : undefined;
    if (bytes === undefined && legacy !== undefined) {
      const old = readIfPresent(legacy);
      return { appended: new AppendedFile(file, undefined, old === undefined ? undefined : legacy), base: old, lines: [] };
    }
    if (bytes === undefined || bytes.length === 0) return { appended: new AppendedFile(file, undefined, undefined), base: undefined, lines: [] };
    const newline = bytes.indexOf(10);
    const base = bytes.subarray(0, newline < 0 ? bytes.length : newline);
    return { ...AppendedFile.#after(file, base.length, bytes.subarray(base.length)), base };
  }

  /** What follows a whole line of `length` bytes (`rest`, from its newline on): the lines, and the file to append to. */
  static #after(file: string, length: number, rest: Buffer): { appended: AppendedFile; lines: Buffer[] } {
    const lines: Buffer[] = [];
    eachLine(rest, 1, (start, end) => lines.push(rest.subarray(start, end)));
    // A file that does not end in a newline was cut short by a crash: written whole next.
    const torn = rest.length === 0 || rest[rest.length - 1] !== 10;
    return { appended: new AppendedFile(file, torn ? undefined : { base: length, appended: rest.length }, undefined), lines };
  }

  /**
   * The same, with the whole line left in its file (`base`: where it is, its length), for a
   * reader that looks up a few things in it through a window instead of reading megabytes.
   */
  static peek(file: string): { appended: AppendedFile; base: BaseLine | undefined; lines: Buffer[] } {
    const opened = FileWindow.open(file, Buffer.allocUnsafe(64 * 1024));
    const legacy = file.endsWith('.jsonl') ? file.slice(0, -1) : undefined;
    if (opened === undefined && legacy !== undefined) {
      const old = FileWindow.open(legacy, Buffer.alloc(0));
      old?.close();
      return { appended: new AppendedFile(file, undefined, old === undefined ? undefined : legacy), base: old === undefined || old.size === 0 ? undefined : { file: legacy, length: old.size }, lines: [] };
    }
    if (opened === undefined || opened.size === 0) {
      opened?.close();
      return { appended: new AppendedFile(file, undefined, undefined), base: undefined, lines: [] };
    }
    try {
      const newline = opened.indexOf(10);
      const length = newline < 0 ? opened.size : newline;
      return { ...AppendedFile.#after(file, length, opened.read(length, opened.size)), base: { file, length } };
    } finally {
      opened.close();
    }
  }

  /** The whole line was not one the reader could use: the next save writes the file whole. */
  unusable(): void {
    this.#sizes = undefined;
  }

  /**
   * Appends `lines` (texts without their newline), or writes `whole()` instead when the file
   * would grow by more than a quarter; true when it wrote the file whole.
   */
  async save(lines: readonly string[], whole: () => string, midWrite?: MidWrite): Promise<boolean> {
    const text = lines.map((line) => `${line}\n`).join('');
    const sizes = this.#sizes;
    if (sizes !== undefined && (sizes.appended + text.length) * 4 <= sizes.base) {
      await appendText(this.#file, text, midWrite);
      sizes.appended += text.length;
      return false;
    }
    const written = whole();
    await writeFileAtomic(this.#file, `${written}\n`, midWrite);
    this.#sizes = { base: written.length, appended: 1 };
    if (this.#legacy !== undefined) await rm(this.#legacy, { force: true });
    this.#legacy = undefined;
    return true;
  }
}

/** A file's whole line, left in the file: its first `length` bytes. */
export interface BaseLine {
  file: string;
  length: number;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined; // a missing or unreadable cache is rebuilt, not an error
  }
}
