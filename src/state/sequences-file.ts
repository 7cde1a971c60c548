import { rm } from 'node:fs/promises';
import { appendText, type MidWrite, readSmallFile, readSmallText, writeFileAtomic } from '../util/atomic-fs.ts';
import { AppendedFile } from '../util/appended-file.ts';
import { deriveSequences, type DerivedSequence, type SequenceFacts, type SequencesDocument } from './derive-sequences.ts';
import type { ExecutionRecord } from './records.ts';
import { sha1 } from '../util/hash.ts';
import { FileWindow } from '../util/file-window.ts';

/**
 * What each sequence's entry in sequences.json was derived from: the hash of its facts, by
 * sequence id; and the records written since (`voided`: their sequences are derived again).
 * Kept in an appended file (AppendedFile): the facts whole on its first line, then a line per
 * record about to be written (`{"void": id}`) and per derivation (`{"facts": {…}, "derived": [ids]}`).
 * The first line starts with a hash of its sequence ids (`order`): a build of one sequence of
 * 10,000 sees that every other one is remembered, and looks up its own, without parsing it.
 */
interface Marker {
  /** The hash of a sequence's facts when its entry was derived; undefined when none is remembered. */
  fact(id: string): string | undefined;
  /** Whether its first line holds facts for exactly `ids` (by their hash; false when it cannot say). */
  covers(ids: readonly string[]): boolean;
  /** Every fact remembered, by sequence id. */
  facts(): Record<string, string>;
  /** Its first line starts with the hash of its ids (an earlier version's does not: it is written again whole, once). */
  ordered: boolean;
  voided: Set<string>;
  file: AppendedFile;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** What the first line's `order` holds: a hash of the ids it has facts for, in its order. */
const orderHash = (ids: readonly string[]): string => sha1(ids.join('\n'));
const orderHead = Buffer.from('{"order":"');
const factsHead = Buffer.from('","facts":{');
/** Past this many lookups (a derivation of many sequences) the first line is parsed instead of searched. */
const searchesBeforeParse = 64;

/** The marker, or undefined when it is missing or damaged (every sequence is then derived again). */
function readMarker(path: string): Marker | undefined {
  const { appended, base, lines } = AppendedFile.read(path);
  if (base === undefined) return undefined;
  const later: Record<string, string> = {};
  const voided = new Set<string>();
  for (const [i, line] of lines.entries()) {
    let entry: unknown;
    try {
      entry = JSON.parse(line.toString('utf8'));
    } catch {
      if (i === lines.length - 1) continue; // cut short by a crash: its write never finished
      return undefined;
    }
    if (isObject(entry) && typeof entry['void'] === 'string') voided.add(entry['void']);
    else if (isObject(entry) && isObject(entry['facts']) && Array.isArray(entry['derived'])) {
      Object.assign(later, entry['facts']);
      for (const id of entry['derived']) voided.delete(String(id));
    } else return undefined;
  }
  // A first line as writeMarker writes it, whole (it ends its object): searched, and parsed only when needed.
  const ordered = base.subarray(0, orderHead.length).equals(orderHead) && base.subarray(orderHead.length + 40, orderHead.length + 40 + factsHead.length).equals(factsHead) && base.subarray(-2).equals(Buffer.from('}}'));
  let parsed: Record<string, string> | undefined;
  const parse = (): Record<string, string> | undefined => {
    try {
      const data = JSON.parse(base.toString('utf8')) as unknown;
      if (!isObject(data) || !isObject(data['facts'])) return undefined;
      if (Array.isArray(data['voided'])) for (const id of data['voided']) voided.add(String(id));
      return (parsed = data['facts'] as Record<string, string>);
    } catch {
      return undefined;
    }
  };
  if (!ordered && parse() === undefined) return undefined;
  let searches = 0;
  const search = (id: string): string | undefined => {
    const needle = Buffer.from(`${JSON.stringify(id)}:"`);
    for (let at = base.indexOf(needle); at > 0; at = base.indexOf(needle, at + 1)) {
      if (base[at - 1] !== 0x2c && base[at - 1] !== 0x7b) continue; // inside another id (an escaped quote)
      const start = at + needle.length;
      return base.toString('utf8', start, base.indexOf(0x22, start));
    }
    return undefined;
  };
  const whole = (): Record<string, string> => parsed ?? parse() ?? {};
  const fact = (id: string): string | undefined => later[id] ?? (parsed === undefined && ++searches <= searchesBeforeParse ? search(id) : whole()[id]);
  return {
    fact,
    covers: (ids) => ordered && orderHash(ids) === base.toString('latin1', orderHead.length, orderHead.length + 40),
    facts: () => ({ ...whole(), ...later }),
    ordered,
    voided,
    file: appended,
  };
}

/**
 * Marks a record as about to be written: its sequence is derived again, even if this command
 * stops before it derives. A marker cut short is removed instead (the next command then derives
 * every sequence again); one of an earlier version is taken over.
 */
async function voidRecord(marker: string, recordId: string): Promise<void> {
  const ends = FileWindow.endsInNewline(marker);
  if (ends === true) return appendText(marker, `${JSON.stringify({ void: recordId })}\n`);
  // The one-document marker of earlier versions (derived.json) is taken over, with the void.
  const earlier = ends === undefined ? readMarker(marker) : undefined;
  if (earlier !== undefined) {
    await earlier.file.save([], () => JSON.stringify({ facts: earlier.facts(), voided: [...earlier.voided, recordId] }));
    return;
  }
  await rm(marker, { force: true });
  if (marker.endsWith('.jsonl')) await rm(marker.slice(0, -1), { force: true });
}

/**
 * The execution records this command writes. Each is voided in the marker before its first
 * write (a crash after it leaves the void, and the next command derives its sequence again),
 * so at this command's end only the sequences whose facts changed or whose records were
 * written are derived again.
 */
export class RecordWrites {
  readonly #ids = new Set<string>();
  #voiding: Promise<void> = Promise.resolve();

  /** Call before writing a record; every write waits until its record is voided. */
  async before(marker: string, recordId: string): Promise<void> {
    if (!this.#ids.has(recordId)) {
      this.#ids.add(recordId);
      this.#voiding = this.#voiding.then(() => voidRecord(marker, recordId));
    }
    await this.#voiding;
  }

  has(recordId: string): boolean {
    return this.#ids.has(recordId);
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

const recordIds = (facts: SequenceFacts): string[] => [...facts.videos.map((video) => video.recordId), ...(facts.grid === undefined ? [] : [facts.grid.recordId])];

/** sequenceFacts builds each fact with its members in one order, so plain JSON identifies it. */
const factsHash = (facts: SequenceFacts): string => sha1(JSON.stringify(facts));

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
 * are those the marker remembers, and none of whose records changed since (each record write is
 * voided in the marker first), keeps its entry, and its records are not read: after an edit of one sequence of
 * 10,000, one sequence's records are read.
 */
export async function writeSequences(target: SequencesFile, facts: readonly SequenceFacts[]): Promise<SequencesDocument> {
  return (await derive(target, facts, facts.map((fact) => fact.id), await readDerived(target))) as SequencesDocument;
}

/**
 * The same for a build of some sequences (`facts`) of the plan's (`order`, all of them): the
 * others keep their entries and what the marker remembers of them. False, with nothing
 * written, when the file or the marker lacks one of them: they must then be derived too.
 */
export async function writeSomeSequences(target: SequencesFile, facts: readonly SequenceFacts[], order: readonly string[]): Promise<boolean> {
  return (await splice(target, facts, order)) ?? (await derive(target, facts, order, await readDerived(target))) !== undefined;
}

/** The derived document's bytes as they are, and the marker. */
interface Derived {
  existing: Buffer | undefined;
  marker: Marker | undefined;
}

async function readDerived(target: SequencesFile): Promise<Derived> {
  return { existing: await readSmallFile(target.file).catch(() => undefined), marker: readMarker(target.marker) };
}

/** Whether the marker voids a record of a sequence not among `facts` (a command stopped before deriving it): then every sequence is derived. */
function voidsOthers(marker: Marker | undefined, facts: readonly SequenceFacts[]): boolean {
  const theirs = new Set(facts.flatMap(recordIds));
  return [...(marker?.voided ?? [])].some((id) => !theirs.has(id));
}

/** Whether a sequence is derived again: its facts changed, or one of its records was written since. */
const isStale = (target: SequencesFile, marker: Marker | undefined, fact: SequenceFacts, hash: string | undefined): boolean =>
  marker === undefined || marker.fact(fact.id) !== hash || recordIds(fact).some((id) => marker.voided.has(id) || target.writes.has(id));

/** The entries of the `stale` sequences, derived from their records. */
async function derivedEntries(target: SequencesFile, stale: readonly SequenceFacts[]): Promise<Map<string, DerivedSequence>> {
  const derived = deriveSequences(target.project, stale, await target.records(stale.flatMap(recordIds)));
  return new Map(derived.sequences.map((sequence) => [sequence.id, sequence]));
}

/**
 * Remembers what each of `ids` was derived from: `given` for those this command derived, the
 * marker's for the rest. Appended (the `stale` sequences' facts, their records no longer void)
 * to a marker that had no void of another sequence's record, else written whole.
 */
async function writeMarker(target: SequencesFile, ids: readonly string[], given: ReadonlyMap<string, string>, marker: Marker | undefined, stale: readonly SequenceFacts[]): Promise<void> {
  const whole = (): string => {
    const facts = ids.flatMap((id) => {
      const hash = given.get(id) ?? marker?.fact(id);
      return hash === undefined ? [] : [[id, hash] as const];
    });
    return JSON.stringify({ order: orderHash(facts.map(([id]) => id)), facts: Object.fromEntries(facts) });
  };
  const file = marker?.file ?? AppendedFile.read(target.marker).appended;
  if (marker === undefined || !marker.ordered || voidsOthers(marker, stale)) file.unusable();
  const line = JSON.stringify({ facts: Object.fromEntries(stale.map((fact) => [fact.id, given.get(fact.id)])), derived: stale.flatMap(recordIds) });
  await file.save([line], whole);
}

const documentHead = (project: string): Buffer => Buffer.from(`{\n  "project": ${JSON.stringify(project)},\n  "sequences": [\n`);
const documentTail = Buffer.from('\n  ]\n}\n');
const entryOpen = Buffer.from('    {\n      "id": "');
const entryClose = Buffer.from('\n    }');
const entrySeparator = Buffer.from(',\n');

/** An entry of the document as JSON.stringify(document, null, 2) writes it, four spaces in (JSON strings hold no raw newline). */
const entryText = (sequence: DerivedSequence): string => `    ${JSON.stringify(sequence, null, 2).replaceAll('\n', '\n    ')}`;

/** Between two entries: the first one's close, a comma, the next one's opening up to its id. */
const entryBoundary = Buffer.concat([entryClose, entrySeparator, entryOpen]);
/** Longer ids are not ours: such a file is derived whole. */
const longestId = 256;

/** Where each entry of a document written as derive writes it lies in the file, in order; undefined for any other layout. */
function entrySpans(file: FileWindow, project: string): Array<{ id: string; start: number; end: number }> | undefined {
  const head = documentHead(project);
  const first = head.length + entryOpen.length;
  const body = file.size - documentTail.length;
  if (body < first || !file.read(0, first).equals(Buffer.concat([head, entryOpen])) || !file.read(body - entryClose.length, file.size).equals(Buffer.concat([entryClose, documentTail]))) return undefined;
  const firstId = file.read(first, first + longestId + 1);
  const quote = firstId.indexOf(34);
  const bounds = file.matches(entryBoundary, 34, longestId, true);
  if (quote < 0 || bounds === undefined) return undefined;
  const ids = [firstId.toString('latin1', 0, quote), ...bounds.after];
  const starts = [head.length, ...bounds.at.map((at) => at + entryClose.length + entrySeparator.length)];
  const ends = [...bounds.at.map((at) => at + entryClose.length), body];
  return ids.map((id, i) => ({ id, start: starts[i] as number, end: ends[i] as number }));
}

/**
 * derive for some sequences, on the file as it is: the entries of the sequences derived again
 * are put in place of theirs, and the rest of the file is copied as it is, not decoded, parsed
 * and written out again, nor held whole (at 10,000 sequences it is megabytes). Undefined when
 * the file is not laid out as derive writes it, or not in the plan's order: derive then does it
 * on the parsed document.
 */
async function splice(target: SequencesFile, facts: readonly SequenceFacts[], order: readonly string[]): Promise<boolean | undefined> {
  const marker = readMarker(target.marker);
  const file = marker === undefined ? undefined : FileWindow.open(target.file);
  if (marker === undefined || file === undefined) return undefined;
  try {
    const spans = entrySpans(file, target.project);
    if (spans?.length !== order.length || spans.some((span, i) => span.id !== order[i])) return undefined;
    const given = new Map(facts.map((fact) => [fact.id, factsHash(fact)]));
    if (!marker.covers(order) && order.some((id) => !given.has(id) && marker.fact(id) === undefined)) return false;
    if (voidsOthers(marker, facts)) return false;
    const stale = facts.filter((fact) => isStale(target, marker, fact, given.get(fact.id)));
    if (stale.length === 0) return true;
    const fresh = await derivedEntries(target, stale);
    const pieces: Array<{ from: number; to: number } | Buffer> = [];
    let kept = 0;
    let changed = false;
    for (const span of spans) {
      const entry = fresh.get(span.id);
      if (entry === undefined) continue;
      const bytes = Buffer.from(entryText(entry));
      changed ||= !file.read(span.start, span.end).equals(bytes);
      pieces.push({ from: kept, to: span.start }, bytes);
      kept = span.end;
    }
    pieces.push({ from: kept, to: file.size });
    if (changed) file.writeSpliced(target.file, pieces, target.midWrite);
    await writeMarker(target, order, given, marker, stale);
    return true;
  } finally {
    file.close();
  }
}

/** state/client/sequences.json as it is; undefined when it is missing or damaged. */
export async function readSequencesDocument(file: string): Promise<SequencesDocument | undefined> {
  return parseDocument(await readSmallText(file).catch(() => undefined));
}

async function derive(target: SequencesFile, facts: readonly SequenceFacts[], ids: readonly string[], { existing: bytes, marker }: Derived): Promise<SequencesDocument | undefined> {
  const hashes = facts.map(factsHash);
  const existing = bytes?.toString('utf8');
  const before = marker === undefined ? undefined : parseDocument(existing);
  const kept = new Map<string, DerivedSequence>((before?.sequences ?? []).map((sequence) => [sequence.id, sequence]));
  const given = new Set(facts.map((fact) => fact.id));
  if (ids.some((id) => !given.has(id) && (!kept.has(id) || marker?.fact(id) === undefined))) return undefined;
  if (facts.length < ids.length && voidsOthers(marker, facts)) return undefined;
  const stale = facts.filter((fact, i) => isStale(target, marker, fact, hashes[i]) || !kept.has(fact.id));
  if (marker?.voided.size === 0 && before !== undefined && stale.length === 0 && before.sequences.length === ids.length && before.project === target.project) return before;
  const fresh = await derivedEntries(target, stale);
  const document: SequencesDocument = {
    project: target.project,
    sequences: ids.map((id) => fresh.get(id) ?? (kept.get(id) as DerivedSequence)),
  };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (existing !== text) await writeFileAtomic(target.file, text, target.midWrite);
  await writeMarker(target, ids, new Map(facts.map((fact, i) => [fact.id, hashes[i] as string])), marker, stale);
  return document;
}
