import { join } from 'node:path';
import { isNotFound, listFolder, readSmallText, writeJsonAtomic, type MidWrite } from '../util/atomic-fs.ts';
import type { BlobHash, NodeKey } from '../util/hash.ts';
import type { Medium, ShotPrompt } from '../cache/take-journal.ts';
import { canTransition, type TakeStatus } from './take-status.ts';

export interface Take {
  takeId: string;
  key: NodeKey;
  status: TakeStatus;
  history: Array<{ status: TakeStatus; at: string }>;
  provider: string;
  /** Endpoint (video) or model (image). */
  model: string;
  variant: number;
  shot_prompts: ShotPrompt[];
  startFrame: BlobHash | null;
  elements: string[];
  /** Content hashes of everything that went into the key. */
  inputs: Record<string, unknown>;
  costUsd: number;
  estimateUsd: number;
  requestId: string | null;
  /** Set while a paid submit is under way; cleared when it is journaled or definitely failed. */
  submitStartedAt?: string | null;
  /** Where the provider keeps the result (fal's CDN), and since when: a lost file can be fetched again while it is valid. */
  resultUrl?: string | null;
  resultAt?: string | null;
  /** The provider's queue position, as it last said while the job waited (shown by cg serve). */
  queuePosition?: number | null;
  output: string | null;
  blob: BlobHash | null;
  error: string | null;
  /** The provider refused the inputs (4xx, blocked): trying the same again would fail again. */
  refused?: boolean;
  createdAt: string;
}

/** One execution record: state/shots/<shotId>.json (SEQ08, SEQ08_grid, SEQ08_shot03). */
export interface ExecutionRecord {
  shotId: string;
  sequence: string;
  node: string;
  medium: Medium;
  takes: Take[];
}

export class InvalidTransition extends Error {}

export function recordPath(shotsDir: string, shotId: string): string {
  return join(shotsDir, `${shotId}.json`);
}

export async function readRecord(shotsDir: string, shotId: string): Promise<ExecutionRecord | undefined> {
  try {
    return JSON.parse(await readSmallText(recordPath(shotsDir, shotId))) as ExecutionRecord;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** All records of a project, by shot id. */
export async function readAllRecords(shotsDir: string): Promise<Map<string, ExecutionRecord>> {
  let names: string[];
  try {
    names = await listFolder(shotsDir);
  } catch (error) {
    if (isNotFound(error)) return new Map();
    throw error;
  }
  const records = await Promise.all(
    names.filter((name) => name.endsWith('.json')).map(async (name) => JSON.parse(await readSmallText(join(shotsDir, name))) as ExecutionRecord),
  );
  return new Map(records.map((record) => [record.shotId, record]));
}

/** The records with these shot ids; those that do not exist are left out. */
export async function readRecords(shotsDir: string, shotIds: readonly string[]): Promise<Map<string, ExecutionRecord>> {
  const records = await Promise.all(shotIds.map((id) => readRecord(shotsDir, id)));
  return new Map(records.flatMap((record) => (record === undefined ? [] : [[record.shotId, record] as const])));
}

export async function writeRecord(shotsDir: string, record: ExecutionRecord, midWrite?: MidWrite): Promise<void> {
  await writeJsonAtomic(recordPath(shotsDir, record.shotId), record, midWrite);
}

export function takeIdFor(shotId: string, n: number): string {
  return `${shotId}_take${String(n).padStart(3, '0')}`;
}

/** Moves a take to a new status, refusing transitions the state machine does not allow. */
export function transition(take: Take, to: TakeStatus, at: string): Take {
  if (!canTransition(take.status, to)) {
    throw new InvalidTransition(`${take.takeId}: cannot go from ${take.status} to ${to}`);
  }
  return { ...take, status: to, history: [...take.history, { status: to, at }] };
}
