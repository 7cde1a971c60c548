import { sha1, type BlobHash } from '../util/hash.ts';
import { sequenceHash, type PreparedPlan } from './load-project.ts';

/**
 * plan.json and decisions.json cut along their sequences: a hash of each sequence's entries in
 * both files, in plan order, and one of everything else. Two scopes with the same `rest` and the
 * same ids in the same order differ only inside the sequences whose hashes differ, so a build
 * of those sequences alone plans what a build of the whole plan would (the no-op memo serves
 * the others).
 */
export interface PlanScope {
  rest: string;
  sequences: Array<[id: string, hash: string]>;
}

const members = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** plan.json read once for the scope and for loading (see PreparedPlan); undefined when it is not JSON or starts with a byte-order mark. */
export function preparePlan(bytes: Buffer, hash: BlobHash): PreparedPlan | undefined {
  const text = bytes.toString('utf8');
  if (text.startsWith('\uFEFF')) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const sequences = members(data)?.['sequences'];
  return { text, hash, data, sequenceHashes: Array.isArray(sequences) ? (sequences as unknown[]).map(sequenceHash) : undefined };
}

/**
 * The scope of the files as written, or undefined when they cannot be cut apart: decisions.json
 * not JSON, sequences without unique string ids, or a plan whose sequences share nodes (a song
 * file: the cut is made of every sequence). A missing decisions.json is `undefined` text.
 */
export function planScope(plan: PreparedPlan, decisionsText: string | undefined): PlanScope | undefined {
  const data = members(plan.data);
  let decisions: Record<string, unknown> | undefined = {};
  try {
    if (decisionsText !== undefined) decisions = members(JSON.parse(decisionsText));
  } catch {
    return undefined;
  }
  const hashes = plan.sequenceHashes;
  if (data === undefined || decisions === undefined || hashes === undefined || !Array.isArray(data['sequences'])) return undefined;
  if (members(data['song'])?.['file'] !== undefined) return undefined;
  const decided = members(decisions['sequences'] ?? {});
  if (decided === undefined) return undefined;
  const sequences: Array<[string, string]> = [];
  const ids = new Set<string>();
  for (const [i, sequence] of (data['sequences'] as unknown[]).entries()) {
    const id = members(sequence)?.['id'];
    if (typeof id !== 'string' || ids.has(id)) return undefined;
    ids.add(id);
    sequences.push([id, sha1(`${hashes[i] ?? ''}${JSON.stringify(decided[id] ?? null)}`)]);
  }
  // Decisions for sequences the plan does not have are part of the rest (they are mistakes).
  const strays = Object.entries(decided).filter(([id]) => !ids.has(id));
  return { rest: sha1(JSON.stringify([{ ...data, sequences: null }, { ...decisions, sequences: strays }])), sequences };
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
