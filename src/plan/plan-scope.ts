import { readFileSync } from 'node:fs';
import { FileWindow } from '../util/file-window.ts';
import { sha1, type BlobHash } from '../util/hash.ts';
import type { PreparedPlan } from './load-project.ts';
import type { PlanScan } from './plan-layout.ts';

/**
 * plan.json and decisions.json cut along their sequences: a hash of each sequence's entries in
 * both files, in plan order, and one of everything else. Two scopes with the same `rest` and the
 * same ids in the same order differ only inside the sequences whose hashes differ, so a build
 * of those sequences alone plans what a build of the whole plan would (the no-op memo serves
 * the others).
 *
 * A sequence's hash is its bytes' in plan.json (then, after a colon, its decisions' when it
 * has some); `rest` covers every byte of plan.json outside the sequences, so a scope is taken
 * without parsing the plan (PlanLayout): a sequence whose bytes are as before keeps its id.
 */
export interface PlanScope {
  rest: string;
  sequences: Array<[id: string, hash: string]>;
}

const members = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/**
 * plan.json as scanned, once, for its hash, the scope and loading: each sequence's hash (of its
 * bytes) and the bytes around the sequences; the file is not held whole. A build of a few
 * sequences reads only theirs again (`part`), checked against their hashes; the whole plan is
 * read again (`whole`) only when it is parsed whole, if the file's stat is still the scanned one
 * (`unchanged`, as the stat cache trusts every file). A file changed since the scan gives
 * undefined, and the plan is then loaded from the file as it is.
 */
export class PlanBytes {
  readonly hash: BlobHash;
  readonly #file: string;
  readonly #scan: PlanScan | undefined;
  readonly #unchanged: () => boolean;

  constructor(file: string, read: { hash: BlobHash; scan: PlanScan | undefined }, unchanged: () => boolean) {
    this.#file = file;
    this.hash = read.hash;
    this.#scan = read.scan;
    this.#unchanged = unchanged;
  }

  /** Each sequence's hash, from its bytes. */
  sequenceHashes(): string[] | undefined {
    return this.#scan?.hashes;
  }

  /** The texts of the sequences at `positions`, read again; undefined when one is no longer what was scanned. */
  sequenceTexts(positions: readonly number[]): string[] | undefined {
    const scan = this.#scan;
    const file = scan === undefined ? undefined : FileWindow.open(this.#file);
    if (scan === undefined || file === undefined) return undefined;
    try {
      const texts: string[] = [];
      for (const i of positions) {
        const bytes = file.read(scan.layout.spans[2 * i] ?? 0, scan.layout.spans[2 * i + 1] ?? 0);
        if (sha1(bytes) !== scan.hashes[i]) return undefined;
        texts.push(bytes.toString('utf8'));
      }
      return texts;
    } finally {
      file.close();
    }
  }

  /** A hash of every byte outside the sequences, each gap between them apart (so none moves into another). */
  restHash(): string | undefined {
    return this.#scan?.rest;
  }

  /** The plan's members but its sequences (parsed from the bytes around them); undefined when they are not JSON. */
  skeleton(): Record<string, unknown> | undefined {
    if (this.#scan === undefined) return undefined;
    try {
      return members(JSON.parse(`${this.#scan.head.toString('utf8')}${this.#scan.tail.toString('utf8')}`));
    } catch {
      return undefined;
    }
  }

  /** The whole plan, read and parsed; undefined when it is not JSON, starts with a byte-order mark, or changed since the scan. */
  whole(): PreparedPlan | undefined {
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch {
      return undefined;
    }
    if (!this.#unchanged()) return undefined;
    if (text.startsWith('\uFEFF')) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return undefined;
    }
    const sequences = members(data)?.['sequences'];
    const hashes = this.sequenceHashes();
    // The layout's spans are the parse's sequences (JSON.parse accepted what the layout cut).
    const fits = Array.isArray(sequences) && hashes?.length === sequences.length;
    return { text, hash: this.hash, data, sequenceHashes: fits ? hashes : undefined };
  }

  /**
   * The plan as if it held only the sequences at `positions` (in order): their bytes between the
   * plan's own, parsed. Undefined when that is not JSON (the whole plan is then loaded, for its messages).
   */
  part(positions: readonly number[], only: ReadonlySet<string>): PreparedPlan | undefined {
    const scan = this.#scan;
    const texts = this.sequenceTexts(positions);
    if (scan === undefined || texts === undefined) return undefined;
    const text = `${scan.head.toString('utf8')}${texts.join(',')}${scan.tail.toString('utf8')}`;
    try {
      return { text, hash: this.hash, data: JSON.parse(text), sequenceHashes: positions.map((i) => scan.hashes[i] as string), only };
    } catch {
      return undefined;
    }
  }
}

/**
 * Whether most of the plan's sequences are as `known` had them: their ids are then taken from
 * it and only the others' are parsed; otherwise the whole plan is parsed (a plan rewritten
 * throughout costs one parse, not one per sequence).
 */
export function mostlyKnown(plan: PlanBytes, known: PlanScope | null | undefined): boolean {
  const hashes = plan.sequenceHashes();
  if (known == null || hashes === undefined || hashes.length !== known.sequences.length) return false;
  let changed = 0;
  for (const [i, hash] of hashes.entries()) if (!(known.sequences[i]?.[1].startsWith(hash) ?? false)) changed++;
  return changed * 4 <= hashes.length;
}

/**
 * The scope of the files as written, or undefined when they cannot be cut apart: plan.json not
 * laid out as a plan (PlanLayout), decisions.json not JSON, sequences without unique string ids,
 * or a plan whose sequences share nodes (a song file: the cut is made of every sequence). A
 * missing decisions.json is `undefined` text. Each sequence's id is `known`'s (an earlier scope)
 * when its bytes are as they were there, else the whole plan's (`parsed`), else its text's.
 */
export function planScope(plan: PlanBytes, decisionsText: string | undefined, ids: { known?: PlanScope | null; parsed?: PreparedPlan }): PlanScope | undefined {
  const hashes = plan.sequenceHashes();
  const rest = plan.restHash();
  const skeleton = plan.skeleton();
  let decisions: Record<string, unknown> | undefined = {};
  try {
    if (decisionsText !== undefined) decisions = members(JSON.parse(decisionsText));
  } catch {
    return undefined;
  }
  if (hashes === undefined || rest === undefined || skeleton === undefined || decisions === undefined) return undefined;
  if (members(skeleton['song'])?.['file'] !== undefined) return undefined;
  const decided = members(decisions['sequences'] ?? {});
  if (decided === undefined) return undefined;
  const parsed = ids.parsed?.sequenceHashes === undefined ? undefined : (members(ids.parsed.data)?.['sequences'] as unknown[]);
  const sequences: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [i, hash] of hashes.entries()) {
    const before = ids.known?.sequences[i];
    const id = before !== undefined && before[1].startsWith(hash) ? before[0] : parsed !== undefined ? idOf(parsed[i]) : idOf(parseOrUndefined(plan.sequenceTexts([i])?.[0]));
    if (id === undefined || seen.has(id)) return undefined;
    seen.add(id);
    const decision = decided[id];
    sequences.push([id, decision === undefined ? hash : `${hash}:${sha1(JSON.stringify(decision))}`]);
  }
  // Decisions for sequences the plan does not have are part of the rest (they are mistakes).
  const strays = Object.entries(decided).filter(([id]) => !seen.has(id));
  return { rest: sha1(`${rest}${JSON.stringify({ ...decisions, sequences: strays })}`), sequences };
}

function parseOrUndefined(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A sequence's id; undefined when it has none. */
function idOf(sequence: unknown): string | undefined {
  const id = members(sequence)?.['id'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * The sequences whose entries changed between two scopes of the same plan, or undefined when the
 * plan changed elsewhere (its other fields, the decisions' other fields, or which sequences it
 * has and their order).
 */
export function changedSequences(before: PlanScope, after: PlanScope): Set<string> | undefined {
  if (before.rest !== after.rest || before.sequences.length !== after.sequences.length) return undefined;
  const changed = new Set<string>();
  for (let i = 0; i < after.sequences.length; i++) {
    const [id, hash] = after.sequences[i] as [string, string];
    const [idBefore, hashBefore] = before.sequences[i] as [string, string];
    if (id !== idBefore) return undefined;
    if (hash !== hashBefore) changed.add(id);
  }
  return changed;
}
