import { join } from 'node:path';
import type { MemoCodec } from '../cache/noop-memo.ts';
import type { StatCache } from '../cache/stat-cache.ts';
import type { CutFacts } from '../graph/cut-facts.ts';
import type { PlannedReport } from '../graph/plan.ts';
import type { ReadLog } from '../graph/read-log.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { Io } from './io.ts';
import { checkMemo, memoKey, remember, settledCodec, type Inputs } from './noop-memo.ts';
import { openStatCache } from './project.ts';
import type { Workspace } from './workspace.ts';

/**
 * The status memo: `cg status` of a whole project with nothing to build remembers what it showed
 * beside the derived state, with the checks of the no-op memo (noop-memo.ts: the inputs hashed
 * before they were read, and every cache, record, output and blob its plan read). A later
 * `cg status` whose checks all hold shows the same from it and from state/client/sequences.json
 * (which the checks cover) without loading the project. It is written and read only under the
 * project lock, so no build can change what it read between the reading and the remembering.
 */

/** What `cg status` showed besides the derived sequences. */
export interface RememberedStatus {
  waiting: PlannedReport[];
  estimateUsd: number;
  cut: CutFacts | undefined;
  timing: readonly string[];
}

export const statusMemoFile = (paths: ProjectPaths): string => join(paths.cache, 'status.memo');

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function isCut(value: unknown): value is CutFacts {
  if (!isObject(value)) return false;
  const slots = (list: unknown): boolean => Array.isArray(list) && list.every((slot) => isObject(slot) && typeof slot['sequence'] === 'string');
  return (value['file'] === null || typeof value['file'] === 'string') && typeof value['upToDate'] === 'boolean' && slots(value['segments']) && slots(value['placeholders']);
}

export const statusCodec: MemoCodec<RememberedStatus> = {
  encode: (status) => ({ waiting: settledCodec.encode({ nodes: status.waiting, estimateUsd: status.estimateUsd }), cut: status.cut ?? null, timing: status.timing }),
  decode: (data) => {
    if (!isObject(data)) return undefined;
    const waiting = settledCodec.decode(data['waiting']);
    const { cut, timing } = data;
    if (waiting === undefined || !(cut === null || isCut(cut)) || !Array.isArray(timing) || !timing.every((line) => typeof line === 'string')) return undefined;
    return { waiting: waiting.nodes, estimateUsd: waiting.estimateUsd, cut: cut ?? undefined, timing };
  },
};

/** A status's view of its memo: the stat cache it checked with, and what it showed when the memo holds. */
export interface StatusSession {
  key: string;
  stats: StatCache;
  status: RememberedStatus | undefined;
}

export async function openStatusMemo(io: Io, paths: ProjectPaths, config: ProjectConfig): Promise<StatusSession> {
  const stats = openStatCache(io, paths);
  const key = memoKey(io.cacheTag, paths, config, ['cg status']);
  const { memo, changed } = await checkMemo(statusMemoFile(paths), statusCodec, key, paths, stats);
  return { key, stats, status: memo !== undefined && changed?.size === 0 ? memo.report : undefined };
}

/** After a `cg status` with nothing to build: remembers it (noop-memo.ts `remember`). */
export function rememberStatus(ws: Workspace, session: StatusSession, inputs: Inputs, log: ReadLog, status: RememberedStatus): Promise<void> {
  return remember(ws, statusMemoFile(ws.paths), statusCodec, { key: session.key, inputs, log, report: status, scope: null });
}
