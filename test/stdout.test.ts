import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal, standardOutput } from '../src/cli/stdout.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cg-stdout-'));
  dirs.push(dir);
  return join(dir, 'out.txt');
}

/** process.stdout's stand-in: what reached it. */
function stream(): { stream: () => { write: (chunk: string | Uint8Array) => boolean }; got: string[]; created: () => number } {
  const got: string[] = [];
  let created = 0;
  const fake = { write: (chunk: string | Uint8Array): boolean => got.push(Buffer.from(chunk).toString()) > 0 };
  return { stream: () => ((created += 1), fake), got, created: () => created };
}

/** The CLI's stdout: a file or a pipe is written directly, anything else through process.stdout. */
describe('standard output', () => {
  it('writes a file directly, without creating the stream', () => {
    const file = tempFile();
    const fd = openSync(file, 'w');
    const fake = stream();
    const out = standardOutput(fake.stream, fd);
    out.write('Nothing to build: 41 nodes up to date.\n');
    out.write('ça marche — ok\n');
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('Nothing to build: 41 nodes up to date.\nça marche — ok\n');
    expect(fake.created()).toBe(0);
    expect(isTerminal(fd)).toBe(false);
  });

  it('hands the rest to the stream when a direct write fails, and keeps to it', () => {
    const file = tempFile();
    closeSync(openSync(file, 'w'));
    const fd = openSync(file, 'r'); // a file that cannot be written: write(2) fails
    const fake = stream();
    const out = standardOutput(fake.stream, fd);
    out.write('first\n');
    out.write('second\n');
    closeSync(fd);
    expect(fake.got).toEqual(['first\n', 'second\n']);
  });

  it('uses the stream for what is neither a file nor a pipe', () => {
    const fd = openSync(tempFile(), 'w');
    closeSync(fd); // no longer open: fstat fails
    const fake = stream();
    standardOutput(fake.stream, fd).write('x\n');
    expect(fake.got).toEqual(['x\n']);
    expect(isTerminal(fd)).toBe(false);
  });
});
