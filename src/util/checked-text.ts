import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from './atomic-fs.ts';

/**
 * A cache file as a checksum line, then its text: read back only when whole. The checksum is
 * made to catch damage (a torn or garbled file), and loads no crypto: some of these files are
 * read on every no-op build.
 */
const checksum = (text: string): string => `crc32:${crc32(text).toString(16).padStart(8, '0')}`;

/** The text of a file written by writeCheckedText; undefined when it is missing or damaged in any way. */
export function readCheckedText(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  const body = text.slice(newline + 1);
  return newline >= 0 && text.slice(0, newline) === checksum(body) ? body : undefined;
}

/** Writes `body` atomically after its checksum line. */
export function writeCheckedText(file: string, body: string): Promise<void> {
  return writeFileAtomic(file, `${checksum(body)}\n${body}`);
}
