import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal, standardOutput } from '../src/cli/stdout.ts';
import { distCli, makeProject } from './helpers/project.ts';

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
    const { out } = standardOutput(fake.stream, fd);
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
    const { out } = standardOutput(fake.stream, fd);
    out.write('first\n');
    out.write('second\n');
    closeSync(fd);
    expect(fake.got).toEqual(['first\n', 'second\n']);
  });

  it('uses the stream for what is neither a file nor a pipe', () => {
    const fd = openSync(tempFile(), 'w');
    closeSync(fd); // no longer open: fstat fails
    const fake = stream();
    standardOutput(fake.stream, fd).out.write('x\n');
    expect(fake.got).toEqual(['x\n']);
    expect(isTerminal(fd)).toBe(false);
  });

  it('waits for what the stream still holds (process.exit would drop it)', async () => {
    const file = tempFile();
    closeSync(openSync(file, 'w'));
    const fd = openSync(file, 'r'); // a direct write fails: the rest goes to the stream
    const pending: Array<() => void> = [];
    const got: string[] = [];
    const slow = { write: (chunk: string | Uint8Array, done?: () => void): boolean => (got.push(Buffer.from(chunk).toString()), done !== undefined && pending.push(done), true) };
    const stdout = standardOutput(() => slow, fd);
    stdout.out.write('all of it\n');
    let drained = false;
    const waiting = stdout.drained().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    for (const done of pending.splice(0)) done();
    await waiting;
    closeSync(fd);
    expect(got[0]).toBe('all of it\n');
  });
});

describe('output through one pipe for stdout and stderr (2>&1)', () => {
  it('reaches a slow reader whole: nothing is dropped at exit', { timeout: 120_000 }, async () => {
    const project = await makeProject();
    // 400 sequences, no song times: a dry run prints a line per node (~100 KB, more than a pipe
    // holds) and a warning on stderr, whose stream made the shared pipe non-blocking before.
    await project.editJson<{ song?: unknown; sequences: Array<{ id: string; time?: unknown }> }>('plan.json', (plan) => {
      delete plan.song;
      const [first] = plan.sequences;
      plan.sequences = Array.from({ length: 400 }, (_, i) => ({ ...first, id: `SEQ${String(i + 1).padStart(3, '0')}`, time: undefined }));
    });
    await project.write('decisions.json', '{"sequences": {}}\n');
    // The reader starts late (as a pager does), so the pipe fills while cg writes.
    const run = spawnSync('bash', ['-c', 'node "$0" build --dry-run 2>&1 | { sleep 1; cat; } > all.txt; echo "${PIPESTATUS[0]}"', distCli], { cwd: project.root, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('0');
    const lines = readFileSync(`${project.root}/all.txt`, 'utf8').split('\n');
    expect(lines.filter((line) => /^! /.test(line))).toHaveLength(4);
    expect(lines.filter((line) => /^ {2}run /.test(line)).length).toBeGreaterThanOrEqual(800);
    expect(lines.at(-2)).toMatch(/^Would run \d+ nodes/);
  });
});
