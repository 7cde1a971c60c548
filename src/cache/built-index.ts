import { AppendedFile } from '../util/appended-file.ts';
import { noFaults, type Faults } from '../util/faults.ts';
import type { NodeKey } from '../util/hash.ts';

/** What a node was last built (or reused) as: its key and, for takes, which take and file. */
export interface BuiltEntry {
  key: NodeKey;
  takeId: string | null;
  output: string | null;
}

const nullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';
const isEntry = (value: unknown): value is BuiltEntry => {
  const entry = value as Partial<Record<keyof BuiltEntry, unknown>> | null;
  return entry !== null && typeof entry === 'object' && typeof entry.key === 'string' && nullableString(entry.takeId) && nullableString(entry.output);
};

/** An appended line, `[id, key, takeId, output]`; undefined for one cut short or damaged. */
function parseLine(line: Buffer): [string, BuiltEntry] | undefined {
  try {
    const value = JSON.parse(line.toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 4 || typeof value[0] !== 'string') return undefined;
    const entry = { key: value[1] as NodeKey, takeId: value[2] as unknown, output: value[3] as unknown };
    return isEntry(entry) ? [value[0], entry] : undefined;
  } catch {
    return undefined;
  }
}

/** Past this many lookups a command plans much of the project: the whole line is parsed once instead of searched. */
const searchesBeforeParse = 64;

/**
 * The key each node was last built (or reused) with, so `explain` and `--dry-run`
 * can say which input changed since, and a no-op build finds each take's file
 * without reading its execution record. It never decides whether to pay.
 *
 * One file, read once per command: the whole index on its first line (an object by node id),
 * then a line per entry a build changed since (AppendedFile). A build of one sequence of
 * 10,000 looks up a few nodes: it finds them in the bytes of the whole line instead of
 * parsing 3 MB, and appends what it changed.
 */
export class BuiltIndex {
  readonly #file: string;
  readonly #faults: Faults;
  #read: ReadIndex | undefined;
  /** The whole line parsed, once a command looked up many nodes. */
  #parsed: Map<string, BuiltEntry> | undefined;
  #searches = 0;
  /** What each search found (a build asks for the same node several times; each search scans megabytes). */
  readonly #found = new Map<string, BuiltEntry | undefined>();
  /** Entries set since the file was read or written. */
  #changed = new Map<string, BuiltEntry>();

  constructor(file: string, faults: Faults = noFaults) {
    this.#file = file;
    this.#faults = faults;
  }

  #open(): ReadIndex {
    if (this.#read === undefined) {
      const { appended, base, lines } = AppendedFile.read(this.#file);
      // The whole line as this index writes it: an object (a file cut short is not appended to).
      const whole = base !== undefined && base[0] === 0x7b && base[base.length - 1] === 0x7d;
      if (!whole) appended.unusable();
      const later = new Map<string, BuiltEntry>();
      for (const line of lines) {
        const entry = parseLine(line);
        if (entry !== undefined) later.set(entry[0], entry[1]);
      }
      this.#read = { appended, base: whole ? base : Buffer.alloc(0), later };
    }
    return this.#read;
  }

  /** The whole line's entries, parsed (nothing, when it is not JSON: the index is rebuilt as nodes are built). */
  #all(read: ReadIndex): Map<string, BuiltEntry> {
    if (this.#parsed === undefined) {
      this.#parsed = new Map();
      try {
        const data = JSON.parse(read.base.length === 0 ? '{}' : read.base.toString('utf8')) as unknown;
        if (data !== null && typeof data === 'object') for (const [id, entry] of Object.entries(data)) if (isEntry(entry)) this.#parsed.set(id, entry);
      } catch {
        read.appended.unusable();
      }
    }
    return this.#parsed;
  }

  /** A node's entry in the whole line: a member `"id":{…}` right after `{` or `,` (inside a string a quote is escaped). */
  #search(read: ReadIndex, nodeId: string): BuiltEntry | undefined {
    const needle = Buffer.from(`${JSON.stringify(nodeId)}:{`);
    for (let at = read.base.indexOf(needle); at > 0; at = read.base.indexOf(needle, at + 1)) {
      const before = read.base[at - 1];
      if (before !== 0x2c && before !== 0x7b) continue;
      const start = at + needle.length - 1;
      const end = read.base.indexOf(0x7d, start);
      try {
        const entry = JSON.parse(read.base.toString('utf8', start, end + 1)) as unknown;
        if (isEntry(entry)) return entry;
      } catch {
        // not an entry as this index writes one (a "}" inside it): the whole line is parsed
      }
      return this.#all(read).get(nodeId);
    }
    return undefined;
  }

  get(nodeId: string): Promise<BuiltEntry | undefined> {
    const read = this.#open();
    const found = this.#changed.get(nodeId) ?? read.later.get(nodeId);
    if (found !== undefined) return Promise.resolve(found);
    if (this.#found.has(nodeId)) return Promise.resolve(this.#found.get(nodeId));
    if (this.#parsed === undefined && ++this.#searches <= searchesBeforeParse) {
      const entry = this.#search(read, nodeId);
      this.#found.set(nodeId, entry);
      return Promise.resolve(entry);
    }
    return Promise.resolve(this.#all(read).get(nodeId));
  }

  async set(nodeId: string, entry: BuiltEntry): Promise<void> {
    const known = await this.get(nodeId);
    if (known?.key === entry.key && known.takeId === entry.takeId && known.output === entry.output) return;
    this.#changed.set(nodeId, entry);
  }

  async save(): Promise<void> {
    if (this.#changed.size === 0) return;
    const read = this.#open();
    const changed = this.#changed;
    this.#changed = new Map();
    const lines = [...changed].map(([id, entry]) => JSON.stringify([id, entry.key, entry.takeId, entry.output]));
    const whole = (): string => JSON.stringify(Object.fromEntries([...this.#all(read), ...read.later, ...changed]));
    await read.appended.save(lines, whole, () => this.#faults('write:built'));
    for (const [id, entry] of changed) read.later.set(id, entry);
  }
}

interface ReadIndex {
  appended: AppendedFile;
  /** The whole line (empty when the file had none this index could use). */
  base: Buffer;
  /** The entries appended after it, and those this command saved. */
  later: Map<string, BuiltEntry>;
}
