import { readFile, rm } from 'node:fs/promises';
import { type MidWrite, readJsonIfExists, writeCacheAtomic, writeJsonAtomic } from '../util/atomic-fs.ts';
import { hashJson } from '../util/hash.ts';
import { deriveSequences, type SequenceFacts, type SequencesDocument } from './derive-sequences.ts';
import type { ExecutionRecord } from './records.ts';

/** Where the derived document lives, and the marker that says what it was derived from. */
export interface SequencesFile {
  project: string;
  file: string;
  marker: string;
  records: () => Promise<ReadonlyMap<string, ExecutionRecord>>;
  midWrite?: MidWrite;
}

/** Voids the marker: called before a command changes any execution record. */
export async function invalidateSequences(target: Pick<SequencesFile, 'marker'>): Promise<void> {
  await rm(target.marker, { force: true });
}

/**
 * Re-derives state/client/sequences.json; written only when it changed. When neither
 * the facts nor any record changed since the last derivation (the marker remembers the
 * facts' hash; record writes delete it), the file on disk is already the answer and
 * no record is read.
 */
export async function writeSequences(target: SequencesFile, facts: readonly SequenceFacts[]): Promise<SequencesDocument> {
  const factsHash = hashJson(facts);
  const existing = await readFile(target.file, 'utf8').catch(() => undefined);
  const marker = (await readJsonIfExists(target.marker).catch(() => undefined)) as { facts?: string } | undefined;
  if (existing !== undefined && marker?.facts === factsHash) {
    try {
      return JSON.parse(existing) as SequencesDocument;
    } catch {
      // a damaged file is derived again below
    }
  }
  const document = deriveSequences(target.project, facts, await target.records());
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (existing !== text) await writeJsonAtomic(target.file, document, target.midWrite);
  await writeCacheAtomic(target.marker, { facts: factsHash });
  return document;
}
