import { isNotFound, readSmallText, writeJsonAtomic, type MidWrite } from '../util/atomic-fs.ts';

/** decisions.json as stored: kept loose here, validated by the plan loader on every read. */
export interface DecisionsFile {
  $schema?: string;
  sequences: Record<string, StoredSequenceDecisions>;
}

export type StoredPick = { grid: string; cell: number; at?: string } | { file: string; name: string; at?: string };

export interface StoredSequenceDecisions {
  pick?: StoredPick;
  earlierPicks?: StoredPick[];
  shotPicks?: Record<string, StoredPick>;
  approved?: string;
  rejected?: string[];
  /** A person's note on a take, by take id (why it was rejected). */
  notes?: Record<string, string>;
  final?: boolean;
  retakes?: Record<string, number>;
}

/** Read-modify-write of decisions.json, atomically, keeping what the person wrote ($schema, order). */
export async function updateDecisions(path: string, change: (decisions: DecisionsFile) => void, midWrite?: MidWrite): Promise<void> {
  let decisions: DecisionsFile;
  try {
    decisions = JSON.parse(await readSmallText(path)) as DecisionsFile;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    decisions = { $schema: '../../schemas/decisions.schema.json', sequences: {} };
  }
  decisions.sequences ??= {};
  change(decisions);
  await writeJsonAtomic(path, decisions, midWrite);
}
