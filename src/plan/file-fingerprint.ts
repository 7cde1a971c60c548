import { stat } from 'node:fs/promises';

/** size:mtimeNs:inode — changes whenever a file is rewritten, without reading it. */
export async function fingerprint(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ino}`;
  } catch {
    return undefined;
  }
}
