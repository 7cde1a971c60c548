import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { type MidWrite, readJsonIfExists, readSmallText, writeCacheAtomic, writeFileAtomic } from '../util/atomic-fs.ts';
import { deriveSequences, type DerivedSequence, type SequenceFacts, type SequencesDocument } from './derive-sequences.ts';
import type { ExecutionRecord } from './records.ts';

/** What each sequence's entry in sequences.json was derived from: the hash of its facts, by sequence id. */
interface Marker {
  facts: Record<string, string>;
}

/**
 * The execution records this command writes. The first write voids the marker on disk (a
 * crash after it leaves no marker, and the next command derives everything again); this
 * command keeps what the marker said, so at its end only the sequences whose facts changed
 * or whose records it wrote are derived again.
 */
export class RecordWrites {
  readonly #ids = new Set<string>();
  #voided: Promise<Marker | undefined> | undefined;

  /** Call before writing a record; every write waits until the marker is voided. */
  async before(marker: string, recordId: string): Promise<void> {
    this.#ids.add(recordId);
    this.#voided ??= readMarker(marker).then(async (previous) => {
      await rm(marker, { force: true });
      return previous;
    });
    await this.#voided;
  }

  has(recordId: string): boolean {
    return this.#ids.has(recordId);
  }

  /** The marker as it was before this command's first write, if it made one. */
  previous(): Promise<Marker | undefined> {
    return this.#voided ?? Promise.resolve(undefined);
  }
}

/** Where the derived document lives, and the marker that says what it was derived from. */
export interface SequencesFile {
  project: string;
  file: string;
  marker: string;
  /** The records with these ids (those that do not exist are left out). */
  records: (ids: readonly string[]) => Promise<ReadonlyMap<string, ExecutionRecord>>;
  writes: RecordWrites;
  midWrite?: MidWrite;
}

async function readMarker(file: string): Promise<Marker | undefined> {
  const data = (await readJsonIfExists(file).catch(() => undefined)) as Partial<Marker> | undefined;
  return data?.facts !== undefined && typeof data.facts === 'object' && data.facts !== null ? { facts: data.facts } : undefined;
}

const recordIds = (facts: SequenceFacts): string[] => [...facts.videos.map((video) => video.recordId), ...(facts.grid === undefined ? [] : [facts.grid.recordId])];

/** sequenceFacts builds each fact with its members in one order, so plain JSON identifies it. */
const factsHash = (facts: SequenceFacts): string => createHash('sha1').update(JSON.stringify(facts)).digest('hex');

function parseDocument(text: string | undefined): SequencesDocument | undefined {
  if (text === undefined) return undefined;
  try {
    const document = JSON.parse(text) as Partial<SequencesDocument>;
    return Array.isArray(document.sequences) ? (document as SequencesDocument) : undefined;
  } catch {
    return undefined; // a damaged file is derived again
  }
}

/**
 * Re-derives state/client/sequences.json; written only when it changed. A sequence whose facts
 * are those the marker remembers, and none of whose records changed since (record writes void
 * the marker), keeps its entry, and its records are not read: after an edit of one sequence of
 * 10,000, one sequence's records are read.
 */
export async function writeSequences(target: SequencesFile, facts: readonly SequenceFacts[]): Promise<SequencesDocument> {
  return (await derive(target, facts, facts.map((fact) => fact.id))) as SequencesDocument;
}

/**
 * The same for a build of some sequences (`facts`) of the plan's (`order`, all of them): the
 * others keep their entries and what the marker remembers of them. Undefined, with nothing
 * written, when the file or the marker lacks one of them: they must then be derived too.
 */
export function writeSomeSequences(target: SequencesFile, facts: readonly SequenceFacts[], order: readonly string[]): Promise<SequencesDocument | undefined> {
  return derive(target, facts, order);
}

/** state/client/sequences.json as it is; undefined when it is missing or damaged. */
export async function readSequencesDocument(file: string): Promise<SequencesDocument | undefined> {
  return parseDocument(await readSmallText(file).catch(() => undefined));
}

async function derive(target: SequencesFile, facts: readonly SequenceFacts[], ids: readonly string[]): Promise<SequencesDocument | undefined> {
  const hashes = facts.map(factsHash);
  const [existing, onDisk] = await Promise.all([readSmallText(target.file).catch(() => undefined), readMarker(target.marker)]);
  const marker = onDisk ?? (await target.writes.previous());
  const before = marker === undefined ? undefined : parseDocument(existing);
  const kept = new Map<string, DerivedSequence>((before?.sequences ?? []).map((sequence) => [sequence.id, sequence]));
  const given = new Set(facts.map((fact) => fact.id));
  if (ids.some((id) => !given.has(id) && (!kept.has(id) || marker?.facts[id] === undefined))) return undefined;
  const stale = facts.filter((fact, i) => marker?.facts[fact.id] !== hashes[i] || !kept.has(fact.id) || recordIds(fact).some((id) => target.writes.has(id)));
  if (onDisk !== undefined && before !== undefined && stale.length === 0 && before.sequences.length === ids.length && before.project === target.project) return before;
  const fresh = new Map(deriveSequences(target.project, stale, await target.records(stale.flatMap(recordIds))).sequences.map((sequence) => [sequence.id, sequence]));
  const document: SequencesDocument = {
    project: target.project,
    sequences: ids.map((id) => fresh.get(id) ?? (kept.get(id) as DerivedSequence)),
  };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (existing !== text) await writeFileAtomic(target.file, text, target.midWrite);
  const remembered = new Map(facts.map((fact, i) => [fact.id, hashes[i] as string]));
  await writeCacheAtomic(target.marker, { facts: Object.fromEntries(ids.map((id) => [id, remembered.get(id) ?? marker?.facts[id]])) });
  return document;
}
