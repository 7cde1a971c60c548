import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { sha1, type BlobHash } from '../util/hash.ts';

/**
 * Where plan.json's sequences lie in its bytes, found without parsing it: an edit build of
 * one sequence of 10,000 hashes each sequence's bytes and parses only the ones that changed
 * (decoding and parsing 13 MB of plan costs a quarter of a second here).
 *
 * This is a tokenizer, not a validator: it finds the object at the top, its "sequences"
 * member (an array of objects) and each element's span. Bytes it does not expect make it
 * give up, and the caller then parses the whole file. Whether the file is JSON is known
 * another way: a layout whose bytes outside the changed spans are those of a plan that
 * loaded, with each changed span parsing on its own, is that plan with some values replaced.
 */
export interface PlanLayout {
  /** The offset of the `[` that opens "sequences" and of the `]` that closes it. */
  open: number;
  close: number;
  /** Each sequence's first and last-plus-one offset, in order: [start0, end0, start1, end1, …]. */
  spans: Int32Array;
}

const quote = 0x22;
const backslash = 0x5c;
const colon = 0x3a;
const comma = 0x2c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const sequencesKey = Buffer.from('"sequences"');

/** Bytes the layout looks at (the rest are skipped in a tight loop: most of an indented plan is spaces and words). */
const marks = new Uint8Array(256);
for (const byte of [quote, colon, comma, openBrace, closeBrace, openBracket, closeBracket]) marks[byte] = 1;

/** The offset of the quote that ends the string opening at `start`; -1 when it never ends. */
function stringEnd(bytes: Uint8Array, start: number): number {
  let at = start + 1;
  for (;;) {
    const end = bytes.indexOf(quote, at);
    if (end < 0) return -1;
    let slashes = 0;
    while (bytes[end - 1 - slashes] === backslash) slashes++;
    if (slashes % 2 === 0) return end;
    at = end + 1;
  }
}

/** Inside a sequence only strings and nesting matter. */
const nesting = new Uint8Array(256);
for (const byte of [quote, openBrace, closeBrace, openBracket, closeBracket]) nesting[byte] = 1;

/** The offset of the bracket that closes the object or array opening at `start`; -1 when it never closes. */
function valueEnd(bytes: Uint8Array, start: number): number {
  let depth = 0;
  const length = bytes.length;
  for (let i = start; i < length; i++) {
    while (i < length && nesting[bytes[i] as number] === 0) i++;
    const byte = bytes[i];
    if (byte === quote) {
      i = stringEnd(bytes, i);
      if (i < 0) return -1;
    } else if (byte === openBrace || byte === openBracket) depth++;
    else if ((byte === closeBrace || byte === closeBracket) && --depth === 0) return i;
  }
  return -1;
}

const isSequencesKey = (bytes: Uint8Array, start: number, end: number): boolean =>
  end - start + 1 === sequencesKey.length && Buffer.compare(sequencesKey, bytes.subarray(start, end + 1)) === 0;

/** What a scan found besides the layout: each sequence's hash and the bytes around the sequences. */
export interface PlanScan {
  layout: PlanLayout;
  /** Each sequence's hash, of its bytes (what the parsed cache and the plan's scope know a sequence by). */
  hashes: string[];
  /** A hash of every byte outside the sequences, each gap between them apart (so none moves into another). */
  rest: string;
  /** The bytes up to and with the `[` that opens "sequences", and from the `]` that closes it. */
  head: Buffer;
  tail: Buffer;
}

/**
 * The layout tokenizer, fed the file in windows (a window holds what the last one left
 * unfinished): strings and sequences are read whole within a window, so a scan that stops at
 * one resumes at its start with more bytes. Each sequence is hashed as soon as it is read; the
 * bytes between sequences are hashed as they pass, and the first and last gap kept.
 */
class LayoutScanner {
  #depth = 0;
  #open = -1;
  #close = -1;
  /** Inside "sequences", at its own depth: what came last (elements are objects with one comma between them). */
  #last: 'open' | 'element' | 'comma' | undefined;
  /** At the top: whether the last string read is "sequences", and whether a colon made it the key of the value that follows. */
  #lastIsSequences = false;
  #key: boolean | undefined;
  #ended = false;
  failed = false;
  readonly #spans: number[] = [];
  readonly #hashes: string[] = [];
  readonly #rest = createHash('sha1');
  /** The gap being passed: where it starts in the file, and its bytes read so far. */
  #gapStart = 0;
  #gap: Buffer[] = [];
  #firstGap: Buffer | undefined;

  #takeGap(bytes: Uint8Array, base: number, to: number): void {
    const from = Math.max(this.#gapStart, base) - base;
    if (to > from) this.#gap.push(Buffer.from(bytes.subarray(from, to)));
    this.#gapStart = Math.max(this.#gapStart, base + to);
  }

  #endGap(): Buffer {
    const gap = Buffer.concat(this.#gap);
    this.#rest.update(`${gap.length}:`).update(gap);
    this.#gap = [];
    return gap;
  }

  /**
   * Scans `bytes` (the file's from offset `base`) from `from`; `last` when they reach the end of
   * the file. Returns the offset in `bytes` to resume from with more bytes: their length when
   * all were read, else the start of a string or sequence that does not end within them.
   */
  scan(bytes: Uint8Array, base: number, from: number, last: boolean): number {
    const length = bytes.length;
    const fail = (): number => {
      this.failed = true;
      return length;
    };
    const unfinished = (at: number): number => {
      if (last) return fail();
      this.#takeGap(bytes, base, at);
      return at;
    };
    if (base === 0 && from === 0 && bytes[0] === 0xef) return fail(); // a byte-order mark: parsed whole
    for (let i = from; i < length; i++) {
      // Words and numbers are skipped too: inside "sequences" they are inside a sequence, and the
      // sequences that changed are parsed; elsewhere the file is compared byte for byte.
      while (i < length && marks[bytes[i] as number] === 0) i++;
      if (i === length) break;
      const byte = bytes[i] as number;
      if (this.#ended || (this.#depth === 0 && byte !== openBrace)) return fail(); // not one object
      const between = this.#last !== undefined && this.#depth === 2;
      if (between) {
        // Between the sequences: one comma between two of them, and nothing else.
        const last = this.#last;
        if (byte === comma ? last !== 'element' : byte === openBrace ? last === 'element' : byte !== closeBracket || last === 'comma') return fail();
        if (byte === comma) this.#last = 'comma';
      }
      if (byte === quote) {
        const end = stringEnd(bytes, i);
        if (end < 0) return unfinished(i);
        if (this.#depth === 1) this.#lastIsSequences = isSequencesKey(bytes, i, end);
        i = end;
      } else if (byte === colon) {
        if (this.#depth === 1) this.#key = this.#lastIsSequences;
      } else if (byte === comma) {
        if (this.#depth === 1) this.#key = undefined;
      } else if (byte === openBrace || byte === openBracket) {
        if (this.#depth === 1 && this.#key === true) {
          if (byte !== openBracket || this.#open >= 0) return fail(); // not an array, or written twice
          this.#open = base + i;
          this.#last = 'open';
        } else if (between) {
          // A sequence: read to its end at once.
          const end = valueEnd(bytes, i);
          if (end < 0) return unfinished(i);
          const start = this.#gapStart - base;
          if (this.#firstGap !== undefined && this.#gap.length === 0 && start >= 0) {
            // Between two sequences, within this window: hashed where it lies.
            this.#rest.update(`${i - start}:`).update(bytes.subarray(start, i));
          } else {
            this.#takeGap(bytes, base, i);
            const gap = this.#endGap();
            this.#firstGap ??= gap;
          }
          this.#spans.push(base + i, base + end + 1);
          this.#hashes.push(sha1(bytes.subarray(i, end + 1)));
          this.#gapStart = base + end + 1;
          this.#last = 'element';
          i = end;
          continue;
        }
        this.#depth++;
      } else if (byte === closeBrace || byte === closeBracket) {
        this.#depth--;
        if (this.#depth < 0) return fail();
        if (this.#last !== undefined && this.#depth === 1) {
          this.#close = base + i;
          this.#last = undefined;
        } else if (this.#depth === 0) this.#ended = true;
      }
    }
    this.#takeGap(bytes, base, length);
    return length;
  }

  /** What the scan found, once the whole file went through it; undefined when it is not laid out as a plan with sequences. */
  finish(): PlanScan | undefined {
    if (this.failed || !this.#ended || this.#open < 0 || this.#close < 0) return undefined;
    const lastGap = this.#endGap();
    const firstGap = this.#firstGap ?? lastGap;
    const lastGapStart = this.#spans.at(-1) ?? 0;
    return {
      layout: { open: this.#open, close: this.#close, spans: Int32Array.from(this.#spans) },
      hashes: this.#hashes,
      rest: this.#rest.digest('hex'),
      head: firstGap.subarray(0, this.#open + 1),
      tail: lastGap.subarray(this.#close - lastGapStart),
    };
  }
}

/** The scan of plan.json's bytes in memory, or undefined when they are not laid out as a plan with sequences. */
export function scanPlan(bytes: Uint8Array): PlanScan | undefined {
  const scanner = new LayoutScanner();
  scanner.scan(bytes, 0, 0, true);
  return scanner.finish();
}

/**
 * plan.json read through one window (`windowSize`; tests pass small ones): its content hash
 * and its scan, never holding the file whole (13 MB at 10,000 sequences, and memory touched
 * for the first time costs more here than reading). Throws what reading throws.
 */
export function scanPlanFile(path: string, windowSize = 256 * 1024): { hash: BlobHash; scan: PlanScan | undefined } {
  const fd = openSync(path, 'r');
  try {
    const digest = createHash('sha256');
    const scanner = new LayoutScanner();
    let window = Buffer.allocUnsafe(windowSize);
    /** The file's offset of the window's first byte, how many bytes the window holds, and where to scan them from. */
    let base = 0;
    let held = 0;
    let from = 0;
    for (;;) {
      if (held === window.length) window = Buffer.concat([window, Buffer.allocUnsafe(window.length)]); // a sequence longer than the window
      const count = readSync(fd, window, held, window.length - held, base + held);
      digest.update(window.subarray(held, held + count));
      held += count;
      const last = count === 0;
      if (scanner.failed) {
        if (last) break;
        base += held; // only the hash is still needed
        held = 0;
        continue;
      }
      const resume = scanner.scan(window.subarray(0, held), base, from, last);
      if (last) break;
      window.copy(window, 0, resume, held);
      base += resume;
      held -= resume;
      from = 0;
    }
    return { hash: `sha256:${digest.digest('hex')}` as BlobHash, scan: scanner.finish() };
  } finally {
    closeSync(fd);
  }
}
