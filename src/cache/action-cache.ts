import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendText, isNotFound, readJsonIfExists, readSmallFile, writeCacheAtomic, writeFileAtomic } from '../util/atomic-fs.ts';
import { eachLine, findByte, holds } from '../util/bytes.ts';
import { FileWindow, newWindow } from '../util/file-window.ts';
import { noFaults, type Faults } from '../util/faults.ts';
import type { BlobHash, NodeKey } from '../util/hash.ts';

export interface OutputRef {
  hash: BlobHash;
  size: number;
  mimeType: string;
  extension: string;
}

/** What a finished node produced, stored under its key: a later build with the same key reuses it for free. */
export interface ActionResult {
  key: NodeKey;
  nodeId: string;
  kind: string;
  output: OutputRef;
  provider: string;
  /** Endpoint or model that produced it. */
  model: string;
  costUsd: number;
  estimateUsd: number;
  requestId: string | null;
  createdAt: string;
  durationMs: number;
}

/** Which keys have a result. */
export interface KeySet {
  has(key: NodeKey): boolean;
}

export interface ActionCache {
  /** Every key with a result. */
  keys(): Promise<ReadonlySet<NodeKey>>;
  /** Which keys have a result, for a command that asks about some (it may not read every key). */
  present(): Promise<KeySet>;
  get(key: NodeKey): Promise<ActionResult | undefined>;
  /** The key material a result was made from, kept so `cg explain` can say which input changed. */
  material(key: NodeKey): Promise<unknown>;
  put(result: ActionResult, material: unknown): Promise<void>;
  delete(key: NodeKey): Promise<void>;
}

type IndexLine = ActionResult | { key: NodeKey; deleted: true };

/** A line of the index, or undefined for one a crash cut short. */
function parseLine(line: string): IndexLine | undefined {
  try {
    const entry = JSON.parse(line) as unknown;
    return typeof entry === 'object' && entry !== null && 'key' in entry && typeof entry.key === 'string' ? (entry as IndexLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A key's result, or its lines not read yet (newest last, as parts of the index file's bytes): a
 * command decodes and parses only the lines of the keys it looks up, not the whole index (23,000
 * lines at 10,000 sequences, where decoding the file alone cost more than planning).
 */
type Entry = ActionResult | Buffer[];

const keyStart = Buffer.from('{"key":"');
const keyEnd = keyStart.length + 64;
const deletedEnd = Buffer.from('","deleted":true}');
const lastMember = Buffer.from(',"durationMs":');
const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/**
 * Whether the line from `start` to `end` is a result as this cache writes one: the key first,
 * durationMs last (so a line a crash cut short never passes). Checked on the bytes: it runs
 * once per line of the index.
 */
function looksWhole(bytes: Buffer, start: number, end: number): boolean {
  if (end - start < keyEnd + 2 || !holds(bytes, keyStart, start) || bytes[start + keyEnd] !== 34 || bytes[start + keyEnd + 1] !== 44 || bytes[end - 1] !== 0x7d) return false;
  let digits = end - 1;
  while (digits > start + keyEnd && isDigit(bytes[digits - 1])) digits--;
  return digits < end - 1 && holds(bytes, lastMember, digits - lastMember.length);
}

/**
 * The entries of an index file (a later line for a key supersedes earlier ones) and how many lines
 * it has, dead ones included. A whole line as this cache writes it is kept as bytes until its key
 * is looked up; any other line is parsed here (one a crash cut short is passed over).
 */
function readIndex(bytes: Buffer): { entries: Map<NodeKey, Entry>; lines: number; foreign: boolean } {
  const entries = new Map<NodeKey, Entry>();
  let lines = 0;
  let foreign = false;
  eachLine(bytes, 0, (from, end) => {
    lines += 1;
    if (end - from === keyEnd + deletedEnd.length && holds(bytes, keyStart, from) && holds(bytes, deletedEnd, keyEnd + from)) {
      entries.delete(bytes.toString('latin1', from + keyStart.length, from + keyEnd) as NodeKey);
      return;
    }
    const line = bytes.subarray(from, end);
    if (looksWhole(bytes, from, end)) {
      const key = bytes.toString('latin1', from + keyStart.length, from + keyEnd) as NodeKey;
      const known = entries.get(key);
      if (Array.isArray(known)) known.push(line);
      else entries.set(key, known === undefined ? [line] : [Buffer.from(JSON.stringify(known)), line]);
      return;
    }
    const entry = parseLine(line.toString('utf8'));
    if (entry === undefined) return;
    foreign ||= !holds(bytes, keyStart, from);
    if ('deleted' in entry) entries.delete(entry.key);
    else entries.set(entry.key, entry);
  });
  return { entries, lines, foreign };
}

/**
 * A key's result from its lines, newest first (`lines`: those that start with its key, as this
 * cache writes every line). The same as readIndex then newestResult: a deletion ends the search;
 * a whole line that does not parse keeps the key among the keys (its result is made again); a
 * line a crash cut short is passed over.
 */
function newestOf(key: NodeKey, lines: Iterable<Buffer>): Found {
  let present = false;
  for (const line of lines) {
    const whole = looksWhole(line, 0, line.length);
    present ||= whole;
    const entry = parseLine(line.toString('utf8'));
    if (entry === undefined || entry.key !== key) continue;
    return 'deleted' in entry ? { present, result: undefined } : { present: true, result: entry };
  }
  return { present, result: undefined };
}

const keyNeedle = (key: NodeKey): Buffer => Buffer.from(`{"key":"${key}"`);

/** The lines of the index's bytes that start with `key`, newest first. */
function* linesIn(bytes: Buffer, key: NodeKey): Generator<Buffer> {
  const needle = keyNeedle(key);
  for (let at = bytes.lastIndexOf(needle); at >= 0; at = at === 0 ? -1 : bytes.lastIndexOf(needle, at - 1)) {
    if (at > 0 && bytes[at - 1] !== 10) continue;
    const newline = findByte(bytes, 10, at);
    yield bytes.subarray(at, newline < 0 ? bytes.length : newline);
  }
}

/** Longer lines are not this cache's: an index with one is read whole. */
const longestLine = 64 * 1024;

/**
 * A key's result found in the index file without reading every line, nor holding the file
 * (newestOf over the lines that start with its key). Undefined when a line is too long to search.
 */
function searchFile(file: FileWindow, key: NodeKey): Found | undefined {
  const matches = file.matches(keyNeedle(key), 10, longestLine);
  if (matches === undefined) return undefined;
  // Read newest first, and only until one parses: a key many sequences share has thousands of lines.
  function* lines(found: { at: number[]; end: number[] }): Generator<Buffer> {
    for (let i = found.at.length - 1; i >= 0; i--) {
      const at = found.at[i] as number;
      if (at === 0 || file.read(at - 1, at)[0] === 10) yield file.read(at, found.end[i] as number);
    }
  }
  return newestOf(key, lines(matches));
}

/** The newest of a key's lines that parses as its result (a line a crash or damage cut short is passed over). */
function newestResult(key: NodeKey, lines: readonly Buffer[]): ActionResult | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const entry = parseLine(lines[i]?.toString('utf8') ?? '');
    if (entry !== undefined && entry.key === key && !('deleted' in entry)) return entry;
  }
  return undefined;
}

/** The live results of an index file, all parsed (for a rewrite), and how many lines it has, dead ones included. */
function parseIndex(bytes: Buffer): { entries: Map<NodeKey, ActionResult>; lines: number; foreign: boolean } {
  const { entries, lines, foreign } = readIndex(bytes);
  const results = new Map<NodeKey, ActionResult>();
  for (const [key, entry] of entries) {
    const result = Array.isArray(entry) ? newestResult(key, entry) : entry;
    if (result !== undefined) results.set(key, result);
  }
  return { entries: results, lines, foreign };
}

/** What a search of the index found for a key: whether it is among the keys, and its result. */
interface Found {
  present: boolean;
  result: ActionResult | undefined;
}

/** A command searching the index: what it found, and what it wrote meanwhile (null: deleted). */
interface Searching {
  found: Map<NodeKey, Found>;
  written: Map<NodeKey, ActionResult | null>;
}

/** A result with its key first, as this cache writes every line (what a search finds). */
const keyFirst = ({ key, ...rest }: ActionResult): ActionResult => ({ key, ...rest });

/**
 * The action cache on local disk: one append-only index (`actions.jsonl`, read once per
 * command, so planning 10,000 sequences opens one file, not one per node) and the key
 * material of each result in its own file, read only to explain a change.
 * Writers hold the project lock; a line cut short by a crash is ignored. When dead lines
 * (deleted, superseded or torn) pass half of the index, the next write rewrites it with
 * only the live ones. Only writes compact: read-only commands, which hold no lock, never write.
 *
 * A build of a few sequences (`search`) looks up a few keys: it finds their lines in the
 * index file (searchFile) instead of reading every line. It is given only when the index
 * is as the last build left it (checked by its stat) and that build found every line in
 * this cache's own layout (`foreign`), so no line can hide from the search.
 */
export class LocalActionCache implements ActionCache {
  readonly #dir: string;
  readonly #faults: Faults;
  #bytes: Promise<Buffer> | undefined;
  #index: Promise<Map<NodeKey, Entry>> | undefined;
  /** Non-empty lines in the file, live or dead. */
  #lines = 0;
  /** The file ends in a fragment of a crashed append: the next line must start on a fresh one (undefined: not looked at yet). */
  #torn: boolean | undefined;
  /** Some line is not in this cache's own layout (read whole, the index knows). */
  #foreign = false;
  /** Searching the file rather than reading the index whole: what was found, and what this command wrote meanwhile (null: deleted). */
  #search: Searching | undefined;
  /** The window searches read the file through (touched once, then reused). */
  #window: Buffer | undefined;
  /** Writes run one at a time: an append racing a rewrite would land in the file being replaced. */
  #writes: Promise<void> = Promise.resolve();

  constructor(dir: string, faults: Faults = noFaults, options: { search?: boolean } = {}) {
    this.#dir = dir;
    this.#faults = faults;
    this.#search = options.search === true ? { found: new Map(), written: new Map() } : undefined;
  }

  /** The index file (a build's memo checks it by its stat). */
  get indexFile(): string {
    return join(this.#dir, 'actions.jsonl');
  }

  async #read(): Promise<Buffer> {
    try {
      return await readSmallFile(this.indexFile);
    } catch (error) {
      if (isNotFound(error)) return Buffer.alloc(0);
      throw error;
    }
  }

  #file(): Promise<Buffer> {
    this.#bytes ??= this.#read().then((bytes) => {
      this.#torn = bytes.length > 0 && bytes[bytes.length - 1] !== 10;
      return bytes;
    });
    return this.#bytes;
  }

  #load(): Promise<Map<NodeKey, Entry>> {
    this.#index ??= this.#file().then((bytes) => {
      const { entries, lines, foreign } = readIndex(bytes);
      // Read once searches end: the file holds this command's own lines too.
      this.#lines = lines;
      this.#foreign = foreign;
      // What this command wrote while it searched (it supersedes what the file says).
      for (const [key, result] of this.#search?.written ?? []) {
        if (result === null) entries.delete(key);
        else entries.set(key, result);
      }
      this.#search = undefined;
      return entries;
    });
    return this.#index;
  }

  /** Whether some line of the index is not in this cache's own layout (it is then read whole, never searched). */
  async foreign(): Promise<boolean> {
    await this.#load();
    return this.#foreign;
  }

  /**
   * A key's result by search, while this command searches: to the end of the command, unless
   * it asks for every key (a build of a few sequences looks up a few dozen keys).
   */
  #searched(key: NodeKey): Found | undefined {
    const search = this.#search;
    if (search === undefined || this.#index !== undefined) return undefined;
    return this.#find(search, key);
  }

  #find(search: Searching, key: NodeKey): Found {
    const written = search.written.get(key);
    if (written !== undefined) return { present: written !== null, result: written ?? undefined };
    let found = search.found.get(key);
    if (found === undefined) search.found.set(key, (found = this.#searchFile(key)));
    return found;
  }

  /** A key's lines found in the file through the window; an index with lines too long for it is read whole. */
  #searchFile(key: NodeKey): Found {
    this.#window ??= newWindow();
    const file = FileWindow.open(this.indexFile, this.#window);
    if (file === undefined) return { present: false, result: undefined };
    try {
      return searchFile(file, key) ?? newestOf(key, linesIn(readFileSync(this.indexFile), key));
    } finally {
      file.close();
    }
  }

  /** Whether the file's last line lacks its newline: from the bytes read, else from its last byte. */
  #isTorn(): boolean {
    this.#torn ??= FileWindow.endsInNewline(this.indexFile) === false;
    return this.#torn;
  }

  async keys(): Promise<ReadonlySet<NodeKey>> {
    return new Set((await this.#load()).keys());
  }

  async present(): Promise<KeySet> {
    const search = this.#search;
    if (search === undefined || this.#index !== undefined) return this.keys();
    // A command asks about the keys of the nodes it plans: a few dozen in a build of a few sequences.
    return { has: (key) => this.#find(search, key).present };
  }

  async get(key: NodeKey): Promise<ActionResult | undefined> {
    const searched = this.#searched(key);
    if (searched !== undefined) return searched.result;
    const index = await this.#load();
    const entry = index.get(key);
    if (!Array.isArray(entry)) return entry;
    const result = newestResult(key, entry);
    // A key none of whose lines parses stays among the keys: its result is missing or corrupt, and is made again.
    if (result !== undefined) index.set(key, result);
    return result;
  }

  async material(key: NodeKey): Promise<unknown> {
    return readJsonIfExists(this.materialFile(key)).catch(() => undefined);
  }

  /** Where the key material of `key` is kept: written once, with the result, and never changed. */
  materialFile(key: NodeKey): string {
    return join(this.#dir, 'materials', `${key}.json`);
  }

  async put(result: ActionResult, material: unknown): Promise<void> {
    await writeCacheAtomic(this.materialFile(result.key), material, () => this.#faults('write:material'));
    await this.#write(result);
  }

  async delete(key: NodeKey): Promise<void> {
    await this.#write({ key, deleted: true });
  }

  #write(line: IndexLine): Promise<void> {
    const run = this.#writes.then(async () => {
      const search = this.#index === undefined ? this.#search : undefined;
      const index = search === undefined ? await this.#load() : undefined;
      // One short line per append; only the last line can be torn.
      const torn = this.#isTorn();
      await appendText(this.indexFile, `${torn ? '\n' : ''}${JSON.stringify(line)}\n`, () => this.#faults('write:actions'));
      this.#torn = false;
      this.#lines += 1;
      const result = 'deleted' in line ? null : line;
      if (index === undefined) search?.written.set(line.key, result);
      else if (result === null) index.delete(line.key);
      else index.set(line.key, result);
      // A fragment a crash left, or a line in another layout, is rewritten away at once, so every
      // line of the file parses again, as this cache writes it; dead lines are counted when the
      // index was read whole.
      if (torn || this.#foreign || (index !== undefined && 2 * (this.#lines - index.size) > this.#lines)) await this.#compact();
    });
    // A failed write fails its caller, not the writes queued after it.
    this.#writes = run.catch(() => undefined);
    return run;
  }

  /** Rewrites the index with only its live results, read again from disk rather than memory: nothing appended since this command loaded it is lost. */
  async #compact(): Promise<void> {
    const { entries } = parseIndex(await this.#read());
    await writeFileAtomic(this.indexFile, [...entries.values()].map((entry) => `${JSON.stringify(keyFirst(entry))}\n`).join(''), () => this.#faults('write:actions'));
    this.#index = Promise.resolve(entries);
    this.#search = undefined;
    this.#foreign = false;
    this.#lines = entries.size;
  }
}
