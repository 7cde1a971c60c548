import { isBlobHash, type BlobHash } from '../util/hash.ts';
import { readCheckedText, writeCheckedText } from '../util/checked-text.ts';

/** What must still be as it was for a memo to hold; paths are from the project folder. */
export interface MemoChecks {
  /** Files and the content hash each held (null: it did not exist). */
  files: Array<[path: string, hash: BlobHash | null]>;
  /** Folders and their entries, sorted, folders ending in "/" (null: it did not exist). */
  folders: Array<[path: string, entries: string | null]>;
  /**
   * cg's own state files and what their stat said (StatCache.print; null: it did not exist): they
   * are written only under the project lock, so they are not read back and hashed after a build.
   */
  prints: Array<[path: string, print: string | null]>;
  /** Blobs and their size. */
  blobs: Array<[hash: BlobHash, size: number]>;
}

/** The plan's inputs cut along its sequences (src/plan/plan-scope.ts), when they could be. */
export interface MemoScope {
  rest: string;
  sequences: Array<[id: string, hash: string]>;
}

/** A settled build, remembered: what it came to (`report`), under `key`, while `checks` hold. */
export interface NoopMemo<R> {
  key: string;
  checks: MemoChecks;
  report: R;
  /** What lets a later build of a few changed sequences take the rest of `report` as it is. */
  scope: MemoScope | null;
}

/** How a memo's report is written: compactly (it is read on every no-op build), and read back only if whole. */
export interface MemoCodec<R> {
  encode: (report: R) => unknown;
  /** Undefined for anything that is not a report this codec wrote. */
  decode: (data: unknown) => R | undefined;
}

const version = 5;

const isPair = (entry: unknown, second: (value: unknown) => boolean): boolean => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && second(entry[1]);
const isPairs = (value: unknown, second: (value: unknown) => boolean): boolean => Array.isArray(value) && value.every((entry) => isPair(entry, second));

function isScope(value: unknown): value is MemoScope | null {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  const scope = value as Partial<Record<keyof MemoScope, unknown>>;
  return typeof scope.rest === 'string' && isPairs(scope.sequences, (hash) => typeof hash === 'string');
}

function isChecks(value: unknown): value is MemoChecks {
  if (value === null || typeof value !== 'object') return false;
  const checks = value as Partial<Record<keyof MemoChecks, unknown>>;
  return (
    isPairs(checks.files, (hash) => hash === null || (typeof hash === 'string' && isBlobHash(hash))) &&
    isPairs(checks.folders, (entries) => entries === null || typeof entries === 'string') &&
    isPairs(checks.prints, (print) => print === null || typeof print === 'string') &&
    isPairs(checks.blobs, (size) => typeof size === 'number') &&
    (checks.blobs as Array<[string, number]>).every(([hash]) => isBlobHash(hash))
  );
}

/**
 * The memo in `file`, or undefined when there is none or it is damaged in any way (a memo is
 * only ever a shortcut: what it says is never trusted unless its checksum and shape hold).
 * The file is a checksum line, then the memo as JSON (so it is not named .json). Read
 * synchronously: a no-op build is waiting on nothing else.
 */
export function readMemo<R>(file: string, codec: MemoCodec<R>): NoopMemo<R> | undefined {
  const body = readCheckedText(file);
  if (body === undefined) return undefined;
  try {
    const memo = JSON.parse(body) as Partial<Record<'version' | keyof NoopMemo<R>, unknown>>;
    if (memo.version !== version || typeof memo.key !== 'string' || !isChecks(memo.checks) || !isScope(memo.scope)) return undefined;
    const report = codec.decode(memo.report);
    return report === undefined ? undefined : { key: memo.key, checks: memo.checks, report, scope: memo.scope };
  } catch {
    return undefined;
  }
}

/** Writes the memo atomically (compact: it is read on every no-op build). */
export async function writeMemo<R>(file: string, memo: NoopMemo<R>, codec: MemoCodec<R>): Promise<void> {
  await writeCheckedText(file, JSON.stringify({ version, ...memo, report: codec.encode(memo.report) }));
}
