import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { appendText, writeFileAtomic } from './atomic-fs.ts';

/*
 * A cache file as parts, each a checksum line, then its text: read back only when whole. The
 * checksum is made to catch damage (a torn or garbled file, an append a crash cut short), and
 * loads no crypto: some of these files are read on every no-op build. It is taken over the
 * bytes, not the string: a string of megabytes would be encoded to UTF-8 once more just to be
 * summed. A part's text holds no newline (compact JSON).
 */
const checksum = (bytes: Uint8Array): string => `crc32:${crc32(bytes).toString(16).padStart(8, '0')}`;

/** The parts of a file written by writeCheckedText and appendCheckedText, in order; undefined when it is missing or any part is damaged. */
export function readCheckedParts(file: string): string[] | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const parts: string[] = [];
  for (let at = 0; ; ) {
    const newline = bytes.indexOf(10, at);
    if (newline < 0) return undefined;
    const next = bytes.indexOf(10, newline + 1);
    const body = bytes.subarray(newline + 1, next < 0 ? bytes.length : next);
    if (bytes.toString('latin1', at, newline) !== checksum(body)) return undefined;
    parts.push(body.toString('utf8'));
    if (next < 0) return parts;
    at = next + 1;
  }
}

/** The text of a file written by writeCheckedText (and nothing appended); undefined when it is missing or damaged in any way. */
export function readCheckedText(file: string): string | undefined {
  const parts = readCheckedParts(file);
  return parts?.length === 1 ? parts[0] : undefined;
}

/** Writes `body` atomically after its checksum line: a file of one part. */
export function writeCheckedText(file: string, body: string): Promise<void> {
  const bytes = Buffer.from(body);
  return writeFileAtomic(file, Buffer.concat([Buffer.from(`${checksum(bytes)}\n`), bytes]));
}

/** Appends `body` as one more part (a crash partway leaves a file no reader takes). */
export function appendCheckedText(file: string, body: string): Promise<void> {
  return appendText(file, `\n${checksum(Buffer.from(body))}\n${body}`);
}
