import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from './atomic-fs.ts';

/*
 * A cache file as a checksum line, then its text: read back only when whole. The checksum is
 * made to catch damage (a torn or garbled file), and loads no crypto: some of these files are
 * read on every no-op build. It is taken over the bytes, not the string: a string of megabytes
 * would be encoded to UTF-8 once more just to be summed.
 */
const checksum = (bytes: Uint8Array): string => `crc32:${crc32(bytes).toString(16).padStart(8, '0')}`;

/** The text of a file written by writeCheckedText; undefined when it is missing or damaged in any way. */
export function readCheckedText(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return undefined;
  const body = bytes.subarray(newline + 1);
  return bytes.toString('latin1', 0, newline) === checksum(body) ? body.toString('utf8') : undefined;
}

/** Writes `body` atomically after its checksum line. */
export function writeCheckedText(file: string, body: string): Promise<void> {
  const bytes = Buffer.from(body);
  return writeFileAtomic(file, Buffer.concat([Buffer.from(`${checksum(bytes)}\n`), bytes]));
}
