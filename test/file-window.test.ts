import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FileWindow } from '../src/util/file-window.ts';

/** A file in a temp folder, removed when the test ends. */
async function tempFile(bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-window-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'file');
  await writeFile(file, bytes);
  return file;
}

const pattern = Buffer.from('\n  {"id": "');

/** What a search of the whole bytes finds: each match and the bytes after it up to a quote. */
function expected(bytes: Buffer): Array<{ at: number; after: string }> {
  const found: Array<{ at: number; after: string }> = [];
  for (let at = bytes.indexOf(pattern); at >= 0; at = bytes.indexOf(pattern, at + 1)) {
    const end = bytes.indexOf(0x22, at + pattern.length);
    found.push({ at, after: bytes.toString('latin1', at + pattern.length, end) });
  }
  return found;
}

/** Filler, then a match at each offset (ids of different lengths), then filler. */
function withMatchesAt(size: number, offsets: readonly number[]): Buffer {
  const bytes = Buffer.alloc(size, 'x');
  for (const [i, at] of offsets.entries()) Buffer.from(`${pattern.toString()}SEQ${String(i).padStart(3 + (i % 3), '0')}"`).copy(bytes, at);
  return bytes;
}

describe('a file read in windows', () => {
  // The window is 256 KiB: matches across its edge, and ids that end past it, are found once each.
  const edge = 256 * 1024;
  it.each([
    ['far from the edges', [10, 5000, 300_000, 600_000]],
    ['the pattern cut by the edge', [edge - 5, edge * 2 - 1]],
    ['the id cut by the edge', [edge - pattern.length - 2, edge * 2 - pattern.length]],
    ['right at the edge', [edge, edge * 2, 0]],
  ] as const)('finds every match with what follows it: %s', async (_how, offsets) => {
    const bytes = withMatchesAt(700_000, [...offsets].sort((a, b) => a - b));
    const window = FileWindow.open(await tempFile(bytes));
    if (window === undefined) throw new Error('not opened');
    try {
      const matches = window.matches(pattern, 0x22, 64, true);
      const found = matches?.at.map((at, i) => ({ at, after: matches.after[i] }));
      expect(found).toEqual(expected(bytes));
      expect(found).toHaveLength(offsets.length);
    } finally {
      window.close();
    }
  });

  it('gives up on a match without its stop byte soon enough after it', async () => {
    const bytes = Buffer.concat([Buffer.from('head'), pattern, Buffer.alloc(100, 'y'), Buffer.from('"')]);
    const window = FileWindow.open(await tempFile(bytes));
    expect(window?.matches(pattern, 0x22, 64, true)).toBeUndefined();
    expect(window?.matches(pattern, 0x22, 128, true)).toEqual({ at: [4], end: [4 + pattern.length + 100], after: ['y'.repeat(100)] });
    window?.close();
  });

  it('takes a match at the end of the file without its stop byte to the end (a last line without its newline)', async () => {
    const bytes = Buffer.concat([pattern, Buffer.from('first"'), Buffer.alloc(300_000, 'x'), pattern, Buffer.from('last')]);
    const window = FileWindow.open(await tempFile(bytes));
    expect(window?.matches(pattern, 0x22, 64, true)).toEqual({ at: [0, bytes.length - pattern.length - 4], end: [pattern.length + 5, bytes.length], after: ['first', 'last'] });
    window?.close();
  });

  it('writes a copy with parts replaced, calling midWrite once halfway', async () => {
    const bytes = withMatchesAt(700_000, [edge - 3]);
    const file = await tempFile(bytes);
    const window = FileWindow.open(file);
    if (window === undefined) throw new Error('not opened');
    let calls = 0;
    const put = Buffer.from('REPLACED');
    try {
      window.writeSpliced(file, [{ from: 0, to: 100 }, put, { from: 200, to: window.size }], () => calls++);
    } finally {
      window.close();
    }
    // Compared as buffers: vitest's deep equality walks 700,000 elements slowly.
    expect((await readFile(file)).equals(Buffer.concat([bytes.subarray(0, 100), put, bytes.subarray(200)]))).toBe(true);
    expect(calls).toBe(1);
  });

  it('reads only the part of a file it was opened on, and finds a byte past a window', async () => {
    const bytes = withMatchesAt(700_000, [10, edge + 7, 600_000]);
    bytes[edge * 2 + 3] = 0x21;
    const file = await tempFile(bytes);
    const part = FileWindow.open(file, undefined, 600_000);
    const whole = FileWindow.open(file);
    try {
      // A match past the limit is not there; one cut by the limit runs to it, as at a file's end.
      expect(part?.matches(pattern, 0x22, 64, true)?.after).toEqual(expected(bytes).slice(0, 2).map((match) => match.after));
      expect(part?.size).toBe(600_000);
      expect(part?.indexOf(0x21)).toBe(edge * 2 + 3);
      expect(part?.indexOf(0x21, edge * 2 + 4)).toBe(-1);
      expect(whole?.matches(pattern, 0x22, 64, true)?.at).toHaveLength(3);
    } finally {
      part?.close();
      whole?.close();
    }
  });

  it('is not opened when the file does not exist', () => {
    expect(FileWindow.open(join(tmpdir(), 'cg-no-such-file'))).toBeUndefined();
  });

  it('says whether a file ends in a newline (an append a crash cut short does not)', async () => {
    expect(FileWindow.endsInNewline(await tempFile(Buffer.from('{"a":1}\n')))).toBe(true);
    expect(FileWindow.endsInNewline(await tempFile(Buffer.from('{"a":1}\n{"b"')))).toBe(false);
    expect(FileWindow.endsInNewline(await tempFile(Buffer.alloc(0)))).toBeUndefined();
    expect(FileWindow.endsInNewline(join(tmpdir(), 'cg-no-such-file'))).toBeUndefined();
  });
});
