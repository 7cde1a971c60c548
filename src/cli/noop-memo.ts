import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { LocalBlobStore, type BlobStore } from '../cache/blob-store.ts';
import { readMemo, writeMemo, type MemoChecks } from '../cache/noop-memo.ts';
import type { StatCache } from '../cache/stat-cache.ts';
import type { PlannedReport } from '../graph/plan.ts';
import type { ReadLog } from '../graph/read-log.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import { recordPath } from '../state/records.ts';
import { isNotFound } from '../util/atomic-fs.ts';
import type { Io } from './io.ts';
import { blobsDir, openStatCache } from './project.ts';
import type { Workspace } from './workspace.ts';

/**
 * The no-op memo: after a build whose plan came out settled, what it read is remembered with
 * what it came to; a later `cg build` of the same targets whose inputs and reads are all as they
 * were prints the same without loading the project, compiling the graph or keying a node.
 *
 * The key holds what is known before any project file is read (cg's build, the project, its
 * resolved config with the prices, the targets); the checks hold every file the plan depended
 * on, by content hash through the stat cache: plan.json, bible.json, decisions.json, every file
 * and folder under refs/, the song, the action, built and parsed caches, the execution records
 * it read, the output files and blobs it found intact, and the derived state it left. The user's
 * inputs are hashed before the workspace reads them, so an edit saved during the build makes
 * the memo miss; the rest is cg's own state, written only under the project lock this build holds.
 */

/** What a settled build came to: its report lines and its estimate. */
export interface SettledReport {
  nodes: PlannedReport[];
  estimateUsd: number;
}

export const memoFile = (paths: ProjectPaths): string => join(paths.cache, 'noop.memo');

/** What the memo is for, as it is (not hashed: comparing it is cheaper than loading crypto to hash it). */
export function memoKey(cacheTag: string, paths: ProjectPaths, config: ProjectConfig, targets: readonly string[]): string {
  return JSON.stringify([cacheTag, paths.name, config, targets]);
}

const actions = ['run', 'reuse', 'blocked'];
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';
const isNullableString = (value: unknown): boolean => value === null || typeof value === 'string';

function isPlannedReport(value: unknown): value is PlannedReport {
  return (
    isObject(value) &&
    typeof value['id'] === 'string' &&
    typeof value['kind'] === 'string' &&
    typeof value['sequence'] === 'string' &&
    actions.includes(value['action'] as string) &&
    isObject(value['reason']) &&
    typeof value['reason']['kind'] === 'string' &&
    typeof value['costUsd'] === 'number' &&
    typeof value['estimateUsd'] === 'number' &&
    isNullableString(value['takeId']) &&
    isNullableString(value['output'])
  );
}

export function isSettledReport(value: unknown): value is SettledReport {
  return isObject(value) && typeof value['estimateUsd'] === 'number' && Array.isArray(value['nodes']) && value['nodes'].every(isPlannedReport);
}

const noChecks = (): MemoChecks => ({ files: [], folders: [], blobs: [] });

/** A folder's entries as one string (folders, symbolic links to them included, end in "/"); null when it does not exist. */
function folderEntries(dir: string): { text: string | null; files: string[]; folders: string[] } {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error)) return { text: null, files: [], folders: [] };
    throw error;
  }
  const isFolder = (entry: Dirent): boolean => entry.isDirectory() || (entry.isSymbolicLink() && statSync(join(dir, entry.name), { throwIfNoEntry: false })?.isDirectory() === true);
  const folders = entries.filter(isFolder).map((entry) => entry.name);
  const files = entries.filter((entry) => !isFolder(entry)).map((entry) => entry.name);
  return { text: [...folders.map((name) => `${name}/`), ...files].sort().join('\n'), files, folders };
}

/** Every folder and file under `folder` (from the project folder) into the checks. */
async function addTree(checks: MemoChecks, paths: ProjectPaths, stats: StatCache, folder: string, only: (name: string) => boolean = () => true): Promise<void> {
  const listed = folderEntries(join(paths.dir, folder));
  checks.folders.push([folder, listed.text]);
  for (const name of listed.files.filter(only)) checks.files.push([`${folder}/${name}`, (await stats.hashIfPresent(`${folder}/${name}`)) ?? null]);
  for (const name of listed.folders) await addTree(checks, paths, stats, `${folder}/${name}`, only);
}

/**
 * The user's inputs, hashed before the workspace reads them: plan.json, bible.json,
 * decisions.json and everything under refs/. Undefined when one cannot be read (the build
 * then says why, and remembers nothing).
 */
export async function inputChecks(paths: ProjectPaths, stats: StatCache): Promise<MemoChecks | undefined> {
  const checks = noChecks();
  try {
    for (const file of [paths.plan, paths.bible, paths.decisions]) {
      const path = relative(paths.dir, file);
      checks.files.push([path, (await stats.hashIfPresent(path)) ?? null]);
    }
    await addTree(checks, paths, stats, relative(paths.dir, paths.refs));
    return checks;
  } catch {
    return undefined;
  }
}

/**
 * The checks of a settled build, taken at its end: the inputs hashed before it, the song the
 * graph was made from, what its plan read, and cg's own state as the build left it. Undefined
 * when the plan read something missing or changed (it is then not settled).
 */
export async function settledChecks(ws: Workspace, inputs: MemoChecks, log: ReadLog): Promise<MemoChecks | undefined> {
  if (!log.complete) return undefined;
  const checks: MemoChecks = { files: [...inputs.files], folders: [...inputs.folders], blobs: [...log.blobs] };
  const fromProject = (absolute: string): string => relative(ws.paths.dir, absolute);
  for (const node of ws.graph.nodes.values()) if (node.kind === 'audio') checks.files.push([node.file, node.song]);
  checks.files.push(...log.files);
  // cg's caches too: one that is damaged or gone sends the next build down the path that writes it again.
  const state = [join(ws.paths.cache, 'actions', 'actions.jsonl'), join(ws.paths.cache, 'built.json'), join(ws.paths.cache, 'parsed.json'), join(ws.paths.cache, 'derived.json'), ws.paths.sequencesJson];
  const records = ws.recordsRead() ? [] : [...log.records].map((id) => recordPath(ws.paths.shots, id));
  try {
    for (const file of [...state, ...records]) checks.files.push([fromProject(file), (await ws.statCache.hashIfPresent(fromProject(file))) ?? null]);
    // Every record was read (for an approval, or the takes decisions name): any record may matter.
    if (ws.recordsRead()) await addTree(checks, ws.paths, ws.statCache, fromProject(ws.paths.shots), (name) => name.endsWith('.json'));
    return checks;
  } catch {
    return undefined;
  }
}

/** Whether every check still holds. */
export async function checksHold(checks: MemoChecks, paths: ProjectPaths, stats: StatCache, blobs: BlobStore): Promise<boolean> {
  try {
    for (const [path, entries] of checks.folders) if (folderEntries(join(paths.dir, path)).text !== entries) return false;
    for (const [path, hash] of checks.files) if (((await stats.hashIfPresent(path)) ?? null) !== hash) return false;
    for (const [hash, size] of checks.blobs) if (!(await blobs.has(hash, size))) return false;
    return true;
  } catch {
    return false;
  }
}

/** A build's view of its memo: the stat cache it checked with, and the report when the memo holds. */
export interface MemoSession {
  key: string;
  stats: StatCache;
  report: SettledReport | undefined;
}

/** Reads the memo and checks it; a missing, damaged or stale memo leaves `report` undefined. */
export async function openMemo(io: Io, paths: ProjectPaths, config: ProjectConfig, targets: readonly string[]): Promise<MemoSession> {
  const stats = openStatCache(io, paths);
  const key = memoKey(io.cacheTag, paths, config, targets);
  const memo = readMemo(memoFile(paths), isSettledReport);
  const holds = memo?.key === key && (await checksHold(memo.checks, paths, stats, new LocalBlobStore(blobsDir(paths))));
  return { key, stats, report: holds ? memo.report : undefined };
}

/** After a settled build: remembers it (when its plan read nothing missing), and saves the stat cache the checks used. */
export async function rememberSettled(ws: Workspace, session: MemoSession, inputs: MemoChecks, log: ReadLog, report: SettledReport): Promise<void> {
  const checks = await settledChecks(ws, inputs, log);
  // Only a shortcut: a memo that cannot be written leaves the next build to plan in full.
  if (checks !== undefined) await writeMemo(memoFile(ws.paths), { key: session.key, checks, report }).catch(() => undefined);
  await ws.statCache.save();
}
