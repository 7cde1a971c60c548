import { sha1 } from '../util/hash.ts';

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

/** The layout of plan.json's bytes, or undefined when they are not laid out as a plan with sequences. */
export function planLayout(bytes: Uint8Array): PlanLayout | undefined {
  const spans: number[] = [];
  let depth = 0;
  let open = -1;
  let close = -1;
  /** Inside "sequences", at its own depth: what came last (elements are objects with one comma between them). */
  let last: 'open' | 'element' | 'comma' | undefined;
  /** At the top: the last string read, and whether a colon made it the key of the value that follows. */
  let lastString: [number, number] = [-1, -1];
  let key: [number, number] | undefined;
  let ended = false;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    // Words and numbers are skipped too: inside "sequences" they are inside a sequence, and the
    // sequences that changed are parsed; elsewhere the file is compared byte for byte.
    while (i < length && marks[bytes[i] as number] === 0) i++;
    if (i === length) break;
    const byte = bytes[i] as number;
    if (ended || (depth === 0 && byte !== openBrace)) return undefined; // not one object
    if (last !== undefined && depth === 2) {
      // Between the sequences: one comma between two of them, and nothing else.
      if (byte === comma ? last !== 'element' : byte === openBrace ? last === 'element' : byte !== closeBracket || last === 'comma') return undefined;
      if (byte === comma) last = 'comma';
    }
    if (byte === quote) {
      const end = stringEnd(bytes, i);
      if (end < 0) return undefined;
      if (depth === 1) lastString = [i, end];
      i = end;
    } else if (byte === colon) {
      if (depth === 1) key = lastString;
    } else if (byte === comma) {
      if (depth === 1) key = undefined;
    } else if (byte === openBrace || byte === openBracket) {
      if (depth === 1 && key !== undefined && isSequencesKey(bytes, key[0], key[1])) {
        if (byte !== openBracket || open >= 0) return undefined; // not an array, or written twice
        open = i;
        last = 'open';
      } else if (last !== undefined && depth === 2) {
        // A sequence: read to its end at once.
        const end = valueEnd(bytes, i);
        if (end < 0) return undefined;
        spans.push(i, end + 1);
        last = 'element';
        i = end;
        continue;
      }
      depth++;
    } else if (byte === closeBrace || byte === closeBracket) {
      depth--;
      if (depth < 0) return undefined;
      if (last !== undefined && depth === 1) {
        close = i;
        last = undefined;
      } else if (depth === 0) ended = true;
    }
  }
  if (!ended || open < 0 || close < 0) return undefined;
  return { open, close, spans: Int32Array.from(spans) };
}

/** Each sequence's hash, of its bytes (what the parsed cache and the plan's scope know a sequence by). */
export function spanHashes(bytes: Uint8Array, layout: PlanLayout): string[] {
  const { spans } = layout;
  return Array.from({ length: spans.length / 2 }, (_, i) => sha1(bytes.subarray(spans[2 * i], spans[2 * i + 1])));
}
