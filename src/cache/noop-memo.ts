import { isBlobHash, type BlobHash } from '../util/hash.ts';
import { appendCheckedText, readCheckedParts, writeCheckedText } from '../util/checked-text.ts';

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
  /** As read: the length of the memo written whole, then of each delta appended to it since. */
  sizes?: number[];
}

/**
 * What a build of a few sequences (narrowing, src/cli/noop-memo.ts) adds to the memo it started
 * from, appended to its file instead of writing the whole memo again: the checks it made (they
 * take the place of the memo's for the same paths), the report lines of the sequences it built,
 * and their new hashes in the scope (the rest of the scope is as it was, or it would not have
 * been narrowed).
 */
export interface MemoDelta<R> {
  checks: MemoChecks;
  changed: string[];
  scope: Array<[id: string, hash: string]>;
  report: R;
}

/** How a memo's report is written: compactly (it is read on every no-op build), and read back only if whole. */
export interface MemoCodec<R> {
  encode: (report: R) => unknown;
  /** Undefined for anything that is not a report this codec wrote. */
  decode: (data: unknown) => R | undefined;
  /**
   * `report` with the lines of the `changed` sequences taken from `delta`, where the report had
   * them (after all its lines when it had none), for a memo that takes deltas; undefined when
   * `delta` has a line of another sequence.
   */
  patch?: (report: R, delta: R, changed: ReadonlySet<string>) => R | undefined;
}

/**
 * The checks of `memo` with `fresh` in place of its own for the paths (and blobs) both hold: a
 * path both hold is checked as `fresh` found it, the others as they were.
 */
export function mergeChecks(memo: MemoChecks, fresh: MemoChecks): MemoChecks {
  const files = new Set(fresh.files.map(([path]) => path));
  const folders = new Set(fresh.folders.map(([path]) => path));
  const prints = new Set(fresh.prints.map(([path]) => path));
  return {
    files: [...fresh.files, ...memo.files.filter(([path]) => !files.has(path))],
    folders: [...fresh.folders, ...memo.folders.filter(([path]) => !folders.has(path))],
    prints: [...fresh.prints, ...memo.prints.filter(([path]) => !prints.has(path))],
    blobs: [...new Map([...memo.blobs, ...fresh.blobs])],
  };
}

const version = 6;

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
 * only ever a shortcut: what it says is never trusted unless its checksums and shape hold).
 * The file is the memo as JSON behind a checksum line (so it is not named .json), then any
 * deltas appended since, each behind its own; the deltas are put together first, then into
 * the memo once. Read synchronously: a no-op build is waiting on nothing else.
 */
export function readMemo<R>(file: string, codec: MemoCodec<R>): NoopMemo<R> | undefined {
  const parts = readCheckedParts(file);
  if (parts === undefined || parts[0] === undefined) return undefined;
  try {
    const memo = JSON.parse(parts[0]) as Partial<Record<'version' | keyof NoopMemo<R>, unknown>>;
    if (memo.version !== version || typeof memo.key !== 'string' || !isChecks(memo.checks) || !isScope(memo.scope)) return undefined;
    const report = codec.decode(memo.report);
    if (report === undefined) return undefined;
    const whole: NoopMemo<R> = { key: memo.key, checks: memo.checks, report, scope: memo.scope, sizes: parts.map((part) => part.length) };
    return parts.length === 1 ? whole : withDeltas(whole, parts.slice(1), codec);
  } catch {
    return undefined;
  }
}

/** A delta as read, or undefined when it is not one. */
function readDelta<R>(text: string, codec: MemoCodec<R>): MemoDelta<R> | undefined {
  const delta = JSON.parse(text) as Partial<Record<'version' | keyof MemoDelta<R>, unknown>>;
  if (delta.version !== version || !isChecks(delta.checks) || !Array.isArray(delta.changed) || !delta.changed.every((id) => typeof id === 'string')) return undefined;
  if (!isPairs(delta.scope, (hash) => typeof hash === 'string')) return undefined;
  const report = codec.decode(delta.report);
  return report === undefined ? undefined : { checks: delta.checks, changed: delta.changed, scope: delta.scope as Array<[string, string]>, report };
}

/** The memo with its deltas put in, in the order they were appended; undefined when one is damaged or does not fit it. */
function withDeltas<R>(memo: NoopMemo<R>, texts: readonly string[], codec: MemoCodec<R>): NoopMemo<R> | undefined {
  const { patch } = codec;
  if (patch === undefined || memo.scope === null) return undefined;
  const known = new Set(memo.scope.sequences.map(([id]) => id));
  let checks: MemoChecks = { files: [], folders: [], prints: [], blobs: [] };
  let report: R | undefined;
  const changed = new Set<string>();
  const hashes = new Map<string, string>();
  for (const text of texts) {
    const delta = readDelta(text, codec);
    if (delta === undefined || !delta.changed.every((id) => known.has(id))) return undefined;
    const now = new Set(delta.changed);
    checks = mergeChecks(checks, delta.checks);
    report = report === undefined ? delta.report : patch(report, delta.report, now);
    if (report === undefined) return undefined;
    for (const id of now) changed.add(id);
    for (const [id, hash] of delta.scope) hashes.set(id, hash);
  }
  const patched = report === undefined ? undefined : patch(memo.report, report, changed);
  if (patched === undefined) return undefined;
  return {
    ...memo,
    checks: mergeChecks(memo.checks, checks),
    report: patched,
    scope: { rest: memo.scope.rest, sequences: memo.scope.sequences.map(([id, hash]) => [id, hashes.get(id) ?? hash]) },
  };
}

/** Writes the memo atomically (compact: it is read on every no-op build). */
export async function writeMemo<R>(file: string, memo: NoopMemo<R>, codec: MemoCodec<R>): Promise<void> {
  const { key, checks, report, scope } = memo;
  await writeCheckedText(file, JSON.stringify({ version, key, checks, report: codec.encode(report), scope }));
}

/** The most deltas a memo takes, and the share of its length they may add up to, before it is written whole again. */
const maxDeltas = 8;
const maxDeltaShare = 1 / 4;

/**
 * Adds a delta to the memo `memo` was read from (the file must still hold it: the caller holds
 * the project lock it was read under). False, with nothing written, when the memo has taken
 * enough deltas: the caller writes it whole instead.
 */
export async function appendMemoDelta<R>(file: string, memo: NoopMemo<R>, delta: MemoDelta<R>, codec: MemoCodec<R>): Promise<boolean> {
  const [whole, ...deltas] = memo.sizes ?? [];
  const text = JSON.stringify({ version, ...delta, report: codec.encode(delta.report) });
  const added = deltas.reduce((sum, size) => sum + size, text.length);
  if (whole === undefined || deltas.length >= maxDeltas || added > whole * maxDeltaShare) return false;
  await appendCheckedText(file, text);
  return true;
}
