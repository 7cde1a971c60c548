/**
 * Searches of bytes for code that runs them tens of thousands of times a command: Buffer's
 * indexOf and compare check their arguments on every call, several times the work on a short
 * line; the typed array's indexOf and a plain loop do not.
 */

/** The offset of `byte` in `bytes` from `from`, or -1. */
export const findByte: (bytes: Uint8Array, byte: number, from: number) => number = (bytes, byte, from) => Uint8Array.prototype.indexOf.call(bytes, byte, from);

/** Whether `bytes` holds `part` at `at`. */
export function holds(bytes: Uint8Array, part: Uint8Array, at: number): boolean {
  if (at < 0 || at + part.length > bytes.length) return false;
  for (let i = 0; i < part.length; i++) if (bytes[at + i] !== part[i]) return false;
  return true;
}

/** Calls `visit` with the start and end of each non-empty line of `bytes` from `from` (a last line without its newline included). */
export function eachLine(bytes: Uint8Array, from: number, visit: (start: number, end: number) => void): void {
  for (let start = from; start < bytes.length; ) {
    const newline = findByte(bytes, 10, start);
    const end = newline < 0 ? bytes.length : newline;
    if (end > start) visit(start, end);
    start = end + 1;
  }
}
