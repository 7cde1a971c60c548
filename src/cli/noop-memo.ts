import { readdirSync, statSync, type Dirent } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LocalBlobStore, type BlobStore } from '../cache/blob-store.ts';
import { appendMemoDelta, mergeChecks, readMemo, writeMemo, type MemoChecks, type MemoCodec, type MemoScope, type NoopMemo } from '../cache/noop-memo.ts';
import type { StatCache } from '../cache/stat-cache.ts';
import { planBuild, planReports, type PlannedReport } from '../graph/plan.ts';
import { loggedFacts, ReadLog } from '../graph/read-log.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { PreparedPlan } from '../plan/load-project.ts';
import { changedSequences, mostlyKnown, PlanBytes, planScope, type PlanScope } from '../plan/plan-scope.ts';
import { scanPlanFile, type PlanScan } from '../plan/plan-layout.ts';
import type { BlobHash } from '../util/hash.ts';
import { recordPath } from '../state/records.ts';
import { isNotFound } from '../util/atomic-fs.ts';
import { readCheckedText } from '../util/checked-text.ts';
import type { Io } from './io.ts';
import { planFacts } from './plan-only.ts';
import { blobsDir, builtIndexFile, derivedMarkerFile, openStatCache, parsedCacheFile } from './project.ts';
import type { PlanSource, Workspace } from './workspace.ts';

/**
 * The no-op memo: after a build whose plan came out settled, what it read is remembered with
 * what it came to; a later `cg build` of the same targets whose inputs and reads are all as they
 * were prints the same without loading the project, compiling the graph or keying a node.
 *
 * The key holds what is known before any project file is read (cg's build, the project, its
 * resolved config with the prices, the targets); the checks hold every file the plan depended
 * on, by content hash through the stat cache: plan.json, bible.json, decisions.json, every file
 * and folder under refs/, the song, the execution records it read, the output files and blobs
 * it found intact. The user's inputs are hashed before the workspace reads them, so an edit
 * saved during the build makes the memo miss. cg's own caches and the derived state it left
 * (the action, built and parsed caches, derived.jsonl, sequences.json) are checked by their stat:
 * they are written only under the project lock this build holds, and reading megabytes of them
 * back to hash them would cost an edit build more than the memo saves it.
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

type Line = [id: string, kind: string, sequence: string | 0, action: string, reason: number, costUsd: number, estimateUsd: number, takeId: string | null, output: string | null, key: string | null, outputHash: string | null, changes: unknown[] | 0];

const actions = new Set(['run', 'reuse', 'blocked']);
const nullableString = (value: unknown): boolean => value === null || typeof value === 'string';
const sequenceOf = (id: string): string => id.slice(0, id.indexOf(':'));

function isLine(value: unknown, reasons: number): value is Line {
  if (!Array.isArray(value) || value.length !== 12) return false;
  const [id, kind, sequence, action, reason, costUsd, estimateUsd, takeId, output, key, outputHash, changes] = value as unknown[];
  return (
    typeof id === 'string' &&
    typeof kind === 'string' &&
    (sequence === 0 || typeof sequence === 'string') &&
    actions.has(action as string) &&
    typeof reason === 'number' &&
    Number.isInteger(reason) &&
    reason >= 0 &&
    reason < reasons &&
    typeof costUsd === 'number' &&
    typeof estimateUsd === 'number' &&
    nullableString(takeId) &&
    nullableString(output) &&
    nullableString(key) &&
    nullableString(outputHash) &&
    (changes === 0 || Array.isArray(changes))
  );
}

/**
 * A settled report as the memo keeps it: a line per node as an array, each distinct reason once
 * (a memo of 10,000 sequences is read on every no-op build: its size is its cost).
 */
export const settledCodec: MemoCodec<SettledReport> = {
  encode: (report) => {
    const reasons = new Map<string, number>();
    const lines = report.nodes.map((node): Line => {
      const reason = JSON.stringify(node.reason);
      if (!reasons.has(reason)) reasons.set(reason, reasons.size);
      const sequence = node.sequence === sequenceOf(node.id) ? 0 : node.sequence;
      const changes = node.changes.length === 0 ? 0 : node.changes;
      return [node.id, node.kind, sequence, node.action, reasons.get(reason) as number, node.costUsd, node.estimateUsd, node.takeId, node.output, node.key ?? null, node.outputHash ?? null, changes];
    });
    return { estimateUsd: report.estimateUsd, reasons: [...reasons.keys()].map((text) => JSON.parse(text) as unknown), lines };
  },
  decode: (data) => {
    const report = data as { estimateUsd?: unknown; reasons?: unknown; lines?: unknown } | null;
    if (report === null || typeof report !== 'object' || typeof report.estimateUsd !== 'number' || !Array.isArray(report.reasons) || !Array.isArray(report.lines)) return undefined;
    const reasons = report.reasons as unknown[];
    if (!reasons.every((reason) => reason !== null && typeof reason === 'object' && typeof (reason as { kind?: unknown }).kind === 'string')) return undefined;
    const lines = report.lines as unknown[];
    if (!lines.every((line) => isLine(line, reasons.length))) return undefined;
    const nodes = (lines).map(([id, kind, sequence, action, reason, costUsd, estimateUsd, takeId, output, key, outputHash, changes]): PlannedReport => ({
      id,
      kind: kind as PlannedReport['kind'],
      sequence: sequence === 0 ? sequenceOf(id) : sequence,
      costUsd,
      estimateUsd,
      takeId,
      output,
      key: (key ?? undefined) as PlannedReport['key'],
      outputHash: (outputHash ?? undefined) as PlannedReport['outputHash'],
      changes: (changes === 0 ? [] : changes) as PlannedReport['changes'],
      action: action as PlannedReport['action'],
      reason: reasons[reason] as PlannedReport['reason'],
    }));
    return { nodes, estimateUsd: report.estimateUsd };
  },
  // One pass over the memo's lines (in the plan's order), not a regrouping of all of them: it is read on every no-op build.
  patch: (report, delta, changed) => {
    if (!delta.nodes.every((line) => changed.has(line.sequence))) return undefined;
    const fresh = bySequence(delta.nodes);
    const nodes: PlannedReport[] = [];
    const placed = new Set<string>();
    for (const line of report.nodes) {
      if (!changed.has(line.sequence)) nodes.push(line);
      else if (!placed.has(line.sequence)) {
        placed.add(line.sequence);
        nodes.push(...(fresh.get(line.sequence) ?? []));
      }
    }
    for (const [id, lines] of fresh) if (!placed.has(id)) nodes.push(...lines);
    return { nodes, estimateUsd: delta.estimateUsd };
  },
};

/** Report lines by sequence, each sequence's in their order. */
function bySequence<L extends { sequence: string }>(lines: readonly L[]): Map<string, L[]> {
  const grouped = new Map<string, L[]>();
  for (const line of lines) {
    const list = grouped.get(line.sequence);
    if (list === undefined) grouped.set(line.sequence, [line]);
    else list.push(line);
  }
  return grouped;
}

const noChecks = (): MemoChecks => ({ files: [], folders: [], prints: [], blobs: [] });

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

/** The user's inputs as a build found them before reading them: their checks, and the plan's scope. */
export interface Inputs {
  checks: MemoChecks;
  /** plan.json and decisions.json cut along their sequences, from the very bytes the checks hashed. */
  scope: PlanScope | null;
  /**
   * plan.json as read for the scope, handed to the workspace, which loads these bytes, not the
   * file again: some of its sequences (`only`), or the whole plan, handed once (the inputs keep
   * no copy of the parse through the build: at 10,000 sequences it is tens of megabytes).
   */
  takePlan: PlanSource;
}

/** plan.json as it is now, read through the stat cache (see readsPlan). */
export type PlanReader = () => { hash: BlobHash; scan: PlanScan | undefined } | undefined;

/** plan.json is hashed by scanning it (plan-layout.ts): the memo's check and the plan's scope read it once, in windows. */
export function readsPlan(stats: StatCache, paths: ProjectPaths): PlanReader {
  return stats.readBy(relative(paths.dir, paths.plan), (absolute) => scanPlanFile(absolute));
}

/**
 * The user's inputs, hashed before the workspace reads them: plan.json, bible.json,
 * decisions.json and everything under refs/. `known` is the scope of the memo a build may be
 * narrowed from: the sequences whose bytes it knows are not parsed. Undefined when one cannot
 * be read (the build then says why, and remembers nothing).
 */
export async function inputChecks(paths: ProjectPaths, stats: StatCache, readPlan: PlanReader, known?: PlanScope | null): Promise<Inputs | undefined> {
  const checks = noChecks();
  try {
    const fromProject = (file: string): string => relative(paths.dir, file);
    // plan.json and decisions.json are read here, once: the scope and the workspace use what was hashed.
    const planFile = readPlan();
    const decisions = stats.readHashed(fromProject(paths.decisions));
    checks.files.push(
      [fromProject(paths.plan), planFile?.hash ?? null],
      [fromProject(paths.bible), (await stats.hashIfPresent(fromProject(paths.bible))) ?? null],
      [fromProject(paths.decisions), decisions?.hash ?? null],
    );
    await addTree(checks, paths, stats, fromProject(paths.refs));
    const plan = planFile === undefined ? undefined : new PlanBytes(paths.plan, planFile, () => readPlan() === planFile);
    // An edit of a few sequences parses only those; otherwise the plan is parsed whole, once.
    let whole = plan === undefined || mostlyKnown(plan, known) ? undefined : plan.whole();
    const scope = plan === undefined ? undefined : planScope(plan, decisions?.bytes.toString('utf8'), { known, parsed: whole });
    let handed = false;
    const takePlan = (only?: ReadonlySet<string>): PreparedPlan | undefined => {
      if (only !== undefined) return scope === undefined ? undefined : plan?.part(positionsOf(scope, only), only);
      if (handed) return undefined;
      handed = true;
      const taken = whole ?? plan?.whole();
      whole = undefined;
      return taken;
    };
    return { checks, scope: scope ?? null, takePlan };
  } catch {
    return undefined;
  }
}

/** The positions in the plan of the sequences in `only`. */
function positionsOf(scope: PlanScope, only: ReadonlySet<string>): number[] {
  return scope.sequences.flatMap(([id], i) => (only.has(id) ? [i] : []));
}

/**
 * The checks of a settled build, taken at its end: the inputs hashed before it, the song the
 * graph was made from, what its plan read, and cg's own state as the build left it. Undefined
 * when the plan read something missing or changed (it is then not settled).
 */
async function settledChecks(ws: Workspace, inputs: MemoChecks, log: ReadLog): Promise<MemoChecks | undefined> {
  if (!log.complete) return undefined;
  const checks: MemoChecks = { files: [...inputs.files], folders: [...inputs.folders], prints: [], blobs: [...log.blobs] };
  const fromProject = (absolute: string): string => relative(ws.paths.dir, absolute);
  for (const node of ws.graph.nodes.values()) if (node.kind === 'audio') checks.files.push([node.file, node.song]);
  checks.files.push(...log.files);
  // cg's caches too: one that is damaged or gone sends the next build down the path that writes it again.
  const state = [ws.actions.indexFile, builtIndexFile(ws.paths), parsedCacheFile(ws.paths), derivedMarkerFile(ws.paths), ws.paths.sequencesJson];
  const records = ws.recordsRead() ? [] : [...log.records].map((id) => recordPath(ws.paths.shots, id));
  try {
    for (const file of state) checks.prints.push([fromProject(file), ws.statCache.print(fromProject(file))]);
    for (const file of records) checks.files.push([fromProject(file), (await ws.statCache.hashIfPresent(fromProject(file))) ?? null]);
    // Every record was read (for an approval, or the takes decisions name): any record may matter.
    if (ws.recordsRead()) await addTree(checks, ws.paths, ws.statCache, fromProject(ws.paths.shots), (name) => name.endsWith('.json'));
    return checks;
  } catch {
    return undefined;
  }
}

/**
 * The files whose checks no longer hold (paths from the project folder), or undefined when a
 * folder or a blob changed too (or a check could not be made).
 */
async function changedFiles(checks: MemoChecks, paths: ProjectPaths, stats: StatCache, blobs: BlobStore): Promise<Set<string> | undefined> {
  try {
    for (const [path, entries] of checks.folders) if (folderEntries(join(paths.dir, path)).text !== entries) return undefined;
    for (const [hash, size] of checks.blobs) if (!(await blobs.has(hash, size))) return undefined;
    const changed = new Set<string>();
    for (const [path, hash] of checks.files) if (((await stats.hashIfPresent(path)) ?? null) !== hash) changed.add(path);
    for (const [path, print] of checks.prints) if (stats.print(path) !== print) changed.add(path);
    return changed;
  } catch {
    return undefined;
  }
}

/** A build's view of its memo: the stat cache it checked with, and the report when the memo holds. */
export interface MemoSession {
  key: string;
  stats: StatCache;
  plan: PlanReader;
  report: SettledReport | undefined;
  /** The memo of this build, when only plan.json or decisions.json changed since (and the caches made from them): a narrowed build may use it. */
  stale: NoopMemo<SettledReport> | undefined;
}

/**
 * A memo file read and checked against the project as it is: `changed` holds the files whose
 * checks no longer hold, undefined when the memo is missing, damaged, for another key, or a
 * folder or blob changed.
 */
export async function checkMemo<R>(file: string, codec: MemoCodec<R>, key: string, paths: ProjectPaths, stats: StatCache): Promise<{ memo: NoopMemo<R> | undefined; changed: Set<string> | undefined }> {
  const memo = readMemo(file, codec);
  return { memo, changed: memo?.key === key ? await changedFiles(memo.checks, paths, stats, new LocalBlobStore(blobsDir(paths))) : undefined };
}

/** Reads the memo and checks it; a missing, damaged or stale memo leaves `report` undefined. */
export async function openMemo(io: Io, paths: ProjectPaths, config: ProjectConfig, targets: readonly string[]): Promise<MemoSession> {
  const stats = openStatCache(io, paths);
  // An edited plan.json is read to check the memo, then for the build (inputChecks): once.
  const plan = readsPlan(stats, paths);
  const key = memoKey(io.cacheTag, paths, config, targets);
  const { memo, changed } = await checkMemo(memoFile(paths), settledCodec, key, paths, stats);
  if (memo === undefined || changed === undefined) return { key, stats, plan, report: undefined, stale: undefined };
  if (changed.size === 0) return { key, stats, plan, report: memo.report, stale: undefined };
  const parsed = relative(paths.dir, parsedCacheFile(paths));
  // Only the parse cache changed: a command that loaded the whole plan (cg status after an edit
  // build) wrote it again. It holds parses that are checked by hash when read, so the memo holds;
  // it learns the cache's new stat. A damaged cache goes the other way, to be written again.
  if (changed.size === 1 && changed.has(parsed) && readCheckedText(parsedCacheFile(paths)) !== undefined) {
    await notePrint(memoFile(paths), memo, [parsed, stats.print(parsed)]);
    return { key, stats, plan, report: memo.report, stale: undefined };
  }
  // The user's two files, and cg's caches a command that reads them rewrites (cg pick does).
  const inputs = new Set([paths.plan, paths.decisions, parsedCacheFile(paths), derivedMarkerFile(paths), paths.sequencesJson].map((file) => relative(paths.dir, file)));
  return { key, stats, plan, report: undefined, stale: [...changed].every((path) => inputs.has(path)) ? memo : undefined };
}

/** The memo told a file's new stat: appended as a delta of no sequence, or written whole once it has taken enough. */
async function notePrint(file: string, memo: NoopMemo<SettledReport>, print: [path: string, print: string | null]): Promise<void> {
  const checks: MemoChecks = { ...noChecks(), prints: [print] };
  const delta = { checks, changed: [], scope: [], report: { nodes: [], estimateUsd: memo.report.estimateUsd } };
  try {
    // A memo without a scope takes no delta (it is read as no memo at all).
    if (memo.scope === null || !(await appendMemoDelta(file, memo, delta, settledCodec))) await writeMemo(file, { ...memo, checks: mergeChecks(memo.checks, checks) }, settledCodec);
  } catch {
    // Only a shortcut: the next build checks the cache again.
  }
}

/** A build of the sequences whose entries changed since the memo; the memo's report holds for the others. */
export interface Narrowing {
  changed: ReadonlySet<string>;
  /** The memo's report lines of every other sequence. */
  others: PlannedReport[];
  /** Every sequence of the plan, in its order. */
  order: readonly string[];
  memo: NoopMemo<SettledReport>;
}

/**
 * Whether this build may plan only the sequences that changed: its memo is stale only in plan.json
 * and decisions.json (and caches made from them), only inside some sequences (a few: past a quarter of the plan, planning it
 * all costs about the same), and no node joins sequences (the cut).
 */
export function narrowing(session: MemoSession, inputs: Inputs | undefined): Narrowing | undefined {
  const memo = session.stale;
  if (memo?.scope == null || inputs?.scope == null) return undefined;
  const changed = changedSequences(memo.scope, inputs.scope);
  if (changed === undefined || changed.size === 0 || changed.size * 4 > inputs.scope.sequences.length) return undefined;
  const order = inputs.scope.sequences.map(([id]) => id);
  const known = new Set(order);
  if (memo.report.nodes.some((node) => !known.has(node.sequence))) return undefined;
  const others = memo.report.nodes.filter((node) => !changed.has(node.sequence));
  return { changed, others, order, memo };
}

/** Report lines of the narrowed sequences put among the others, in the plan's order of sequences. */
export function mergeLines<O extends { sequence: string }, L extends { sequence: string }>(narrow: { others: readonly O[]; order: readonly string[] }, lines: readonly L[]): Array<L | O> {
  const narrowed = bySequence(lines);
  const { others, order } = narrow;
  const merged: Array<L | O> = [];
  // The memo's lines come a sequence at a time, in the plan's order (a graph compiles its
  // sequences in order): one pass, without grouping 26,000 lines by sequence.
  let next = 0;
  for (const id of order) {
    while (others[next]?.sequence === id) merged.push(others[next++] as O);
    for (const line of narrowed.get(id) ?? []) merged.push(line);
  }
  if (next === others.length) return merged;
  const grouped = bySequence(others);
  return order.flatMap((id) => [...(grouped.get(id) ?? []), ...(narrowed.get(id) ?? [])]);
}

/**
 * Writes a memo of what a command with nothing to do came to (when its plan read nothing
 * missing), and saves the stat cache the checks used. Only a shortcut: a memo that cannot be
 * written leaves the next command to do it all.
 */
export async function remember<R>(ws: Workspace, file: string, codec: MemoCodec<R>, memo: { key: string; inputs: Inputs; log: ReadLog; report: R; scope: MemoScope | null }): Promise<void> {
  const checks = await settledChecks(ws, memo.inputs.checks, memo.log);
  if (checks !== undefined) await writeMemo(file, { key: memo.key, checks, report: memo.report, scope: memo.scope }, codec).catch(() => undefined);
  await ws.statCache.save();
}

/**
 * After a settled build: remembers it, with the plan's scope (so an edit of a few sequences can
 * be narrowed), unless the action index has lines a narrowed build's search could miss.
 */
export async function rememberSettled(ws: Workspace, session: MemoSession, inputs: Inputs, log: ReadLog, report: SettledReport): Promise<void> {
  const scope = (await ws.actions.foreign()) ? null : inputs.scope;
  return remember(ws, memoFile(ws.paths), settledCodec, { key: session.key, inputs, log, report, scope });
}

/**
 * After a narrowed build: the memo again, the changed sequences' report lines as a build would
 * now plan them (planned again when this build ran something: the workspace's action, built
 * and file indexes hold what it stored, and records are read afresh), the others' as the memo
 * had them.
 */
export async function rememberNarrowed(io: Io, ws: Workspace, session: MemoSession, inputs: Inputs, narrow: Narrowing, settled: { lines: PlannedReport[]; log: ReadLog } | undefined): Promise<void> {
  let planned = settled;
  if (planned === undefined) {
    const log = new ReadLog();
    const plan = await planBuild(ws.graph, ws.graph.order, loggedFacts(await planFacts(io, ws, new Set()), log));
    planned = plan.settled ? { lines: planReports(plan), log } : undefined;
  }
  const checks = planned === undefined ? undefined : await settledChecks(ws, inputs.checks, planned.log);
  if (planned !== undefined && checks !== undefined) await rememberLines(ws, session, inputs, narrow, planned.lines, checks).catch(() => undefined);
  await ws.statCache.save();
}

/**
 * The memo after a narrowed build: its checks of the changed sequences' files and their report
 * lines take the place of the memo's. Appended to the memo as a delta while it is small beside
 * it (at 10,000 sequences the memo is megabytes, the delta of one sequence a few kilobytes);
 * written whole again after that.
 */
async function rememberLines(ws: Workspace, session: MemoSession, inputs: Inputs, narrow: Narrowing, lines: PlannedReport[], checks: MemoChecks): Promise<void> {
  const file = memoFile(ws.paths);
  const changed = [...narrow.changed];
  const scope = inputs.scope?.sequences.filter(([id]) => narrow.changed.has(id)) ?? [];
  if (await appendMemoDelta(file, narrow.memo, { checks, changed, scope, report: { nodes: lines, estimateUsd: 0 } }, settledCodec)) return;
  const report = { nodes: mergeLines(narrow, lines), estimateUsd: 0 };
  await writeMemo(file, { key: session.key, checks: mergeChecks(narrow.memo.checks, checks), report, scope: inputs.scope }, settledCodec);
}

/** Forgets the memo (a narrowed build that failed unexpectedly must not be tried again from it). */
export function forgetMemo(paths: ProjectPaths): Promise<void> {
  return rm(memoFile(paths), { force: true });
}
