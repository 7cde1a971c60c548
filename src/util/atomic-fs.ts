import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, rename, rm, writeFile, readFile } from 'node:fs/promises';
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

/** Reads JSON, returning undefined when the file does not exist. */
export async function readJsonIfExists(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
