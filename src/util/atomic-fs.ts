import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { appendFile, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Called halfway through a write (the crash harness kills the process there). */
export type MidWrite = () => void;

/** Writes the bytes, calling `midWrite` when half of them are on disk. */
async function writeInTwo(path: string, data: string | Uint8Array, flag: 'w' | 'a', midWrite: MidWrite): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const half = Math.floor(bytes.byteLength / 2);
  const handle = await open(path, flag);
  try {
    await handle.write(bytes, 0, half);
    midWrite();
    await handle.write(bytes, half, bytes.byteLength - half);
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that readers see either the old or the new content, never a
 * torn one: write a sibling temp file, then rename over the target.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, midWrite?: MidWrite): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    if (midWrite === undefined) await writeFile(temp, data);
    else await writeInTwo(temp, data, 'w', midWrite);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** State a person may read (records, decisions, sequences.json): indented. */
export async function writeJsonAtomic(path: string, value: unknown, midWrite?: MidWrite): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, midWrite);
}

/** A cache under .cg/, read on every command: compact, since indentation only costs time and bytes there. */
export async function writeCacheAtomic(path: string, value: unknown, midWrite?: MidWrite): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value), midWrite);
}

/** Appends text to a file (creating it), calling `midWrite` halfway: a crash there leaves a torn last line. */
export async function appendText(path: string, text: string, midWrite?: MidWrite): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (midWrite === undefined) await appendFile(path, text);
  else await writeInTwo(path, text, 'a', midWrite);
}

/*
 * Small files (state, caches, the project's JSON, a few bytes of an image) are read
 * synchronously, behind the promises fs/promises would give (a failure rejects them, with the
 * same error): a command reads them one after another while nothing else waits, and each read
 * through the thread pool costs four round trips (open, stat, read, close), several times the
 * read itself. Large files (media, blobs) are still read through fs/promises.
 */
const promised = <T>(read: () => T): Promise<T> => new Promise((resolve) => resolve(read()));

/** A small file's text. */
export function readSmallText(path: string): Promise<string> {
  return promised(() => readFileSync(path, 'utf8'));
}

/** A small file's bytes (for a caller that decodes only the parts it needs: decoding megabytes costs more than reading them). */
export function readSmallFile(path: string): Promise<Buffer> {
  return promised(() => readFileSync(path));
}

/** A folder's entry names. */
export function listFolder(path: string): Promise<string[]> {
  return promised(() => readdirSync(path));
}

/** Up to `length` bytes from the start of a file. */
export function readHead(path: string, length: number): Promise<Buffer> {
  return promised(() => {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(length);
      return head.subarray(0, readSync(fd, head, 0, length, 0));
    } finally {
      closeSync(fd);
    }
  });
}

/** Reads JSON, returning undefined when the file does not exist. */
export async function readJsonIfExists(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readSmallText(path)) as unknown;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
