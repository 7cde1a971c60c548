import { AppendedFile, type BaseLine } from '../util/appended-file.ts';
import { FileWindow, newWindow } from '../util/file-window.ts';
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

/** Past this many searches a command plans much of the project: the whole line is parsed once instead. */
const searchesBeforeParse = 8;

/** A search looks for the ids before a node id's first colon (a sequence's nodes, at once). */
const groupOf = (nodeId: string): string => nodeId.slice(0, nodeId.indexOf(':') + 1 || nodeId.length);

/** Longer entries are not ours: the whole line is parsed. */
const longestEntry = 4096;

/**
 * The key each node was last built (or reused) with, so `explain` and `--dry-run`
 * can say which input changed since, and a no-op build finds each take's file
 * without reading its execution record. It never decides whether to pay.
 *
 * One file, read once per command: the whole index on its first line (an object by node id),
 * then a line per entry a build changed since (AppendedFile). A build of one sequence of
 * 10,000 looks up a few nodes: it finds them in the file's bytes, through a window, instead of
 * reading and parsing 3 MB, and appends what it changed.
 */
export class BuiltIndex {
  readonly #file: string;
  readonly #faults: Faults;
  #read: ReadIndex | undefined;
  /** The whole line parsed, once a command looked up many nodes. */
  #parsed: Map<string, BuiltEntry> | undefined;
  /** What the searches found, and which groups of ids they looked for (each search reads megabytes). */
  readonly #found = new Map<string, BuiltEntry>();
  readonly #searched = new Set<string>();
  #window: Buffer | undefined;
  /** Entries set since the file was read or written. */
  #changed = new Map<string, BuiltEntry>();

  constructor(file: string, faults: Faults = noFaults) {
    this.#file = file;
    this.#faults = faults;
  }

  #open(): ReadIndex {
    if (this.#read === undefined) {
      const { appended, base, lines } = AppendedFile.peek(this.#file);
      const later = new Map<string, BuiltEntry>();
      for (const line of lines) {
        const entry = parseLine(line);
        if (entry !== undefined) later.set(entry[0], entry[1]);
      }
      this.#read = { appended, base: base !== undefined && isWhole(base) ? base : undefined, later };
      // The whole line as this index writes it: an object (a file cut short is not appended to).
      if (this.#read.base === undefined) appended.unusable();
    }
    return this.#read;
  }

  /** The whole line's entries, parsed (nothing, when it is not JSON: the index is rebuilt as nodes are built). */
  #all(read: ReadIndex): Map<string, BuiltEntry> {
    if (this.#parsed === undefined) {
      this.#parsed = new Map();
      try {
        const data = JSON.parse(read.base === undefined ? '{}' : wholeLine(read.base)) as unknown;
        if (data !== null && typeof data === 'object') for (const [id, entry] of Object.entries(data)) if (isEntry(entry)) this.#parsed.set(id, entry);
      } catch {
        read.appended.unusable();
      }
    }
    return this.#parsed;
  }

  /**
   * The entries of the whole line whose ids start with `group`: members `"id":{…}` right after
   * `{` or `,` (inside a string a quote is escaped). False when one is not as this index writes
   * it (a "}" inside it): the whole line is then parsed.
   */
  #search(base: BaseLine, group: string): boolean {
    this.#window ??= newWindow();
    const file = FileWindow.open(base.file, this.#window, base.length);
    if (file === undefined) return false;
    try {
      const found = file.matches(Buffer.from(JSON.stringify(group).slice(0, -1)), 0x7d, longestEntry);
      if (found === undefined) return false;
      for (const [i, at] of found.at.entries()) {
        if (at === 0) continue;
        const member = file.read(at - 1, (found.end[i] ?? at) + 1);
        if (member[0] !== 0x2c && member[0] !== 0x7b) continue;
        const parsed = parseMember(member.subarray(1));
        if (parsed === undefined) return false;
        this.#found.set(parsed[0], parsed[1]);
      }
      return true;
    } finally {
      file.close();
    }
  }

  get(nodeId: string): Promise<BuiltEntry | undefined> {
    const read = this.#open();
    const found = this.#changed.get(nodeId) ?? read.later.get(nodeId);
    if (found !== undefined) return Promise.resolve(found);
    if (read.base === undefined) return Promise.resolve(undefined);
    const group = groupOf(nodeId);
    if (this.#parsed === undefined && !this.#searched.has(group) && this.#searched.size < searchesBeforeParse && this.#search(read.base, group)) this.#searched.add(group);
    return Promise.resolve(this.#searched.has(group) ? this.#found.get(nodeId) : this.#all(read).get(nodeId));
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
    if (await read.appended.save(lines, whole, () => this.#faults('write:built'))) {
      // Written whole: what was found in the earlier line is read from the new one.
      this.#read = undefined;
      this.#parsed = undefined;
      this.#found.clear();
      this.#searched.clear();
    } else for (const [id, entry] of changed) read.later.set(id, entry);
  }
}

/** The whole line as this index writes it: an object. */
const isWhole = (base: BaseLine): boolean => base.length >= 2 && FileWindow.slice(base.file, 0, 1)?.[0] === 0x7b && FileWindow.slice(base.file, base.length - 1, base.length)?.[0] === 0x7d;

const wholeLine = (base: BaseLine): string => FileWindow.slice(base.file, 0, base.length)?.toString('utf8') ?? '{}';

/** A member of the whole line, `"id":{…}`; undefined when it does not parse as one. */
function parseMember(member: Buffer): [string, BuiltEntry] | undefined {
  try {
    const data = JSON.parse(`{${member.toString('utf8')}}`) as Record<string, unknown>;
    const [id, entry] = Object.entries(data)[0] ?? [];
    return id !== undefined && isEntry(entry) ? [id, entry] : undefined;
  } catch {
    return undefined;
  }
}

interface ReadIndex {
  appended: AppendedFile;
  /** The whole line (none when the file had none this index could use). */
  base: BaseLine | undefined;
  /** The entries appended after it, and those this command saved. */
  later: Map<string, BuiltEntry>;
}
