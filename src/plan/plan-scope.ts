import { createHash } from 'node:crypto';

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

const sha1 = (value: unknown): string => createHash('sha1').update(JSON.stringify(value) ?? 'undefined').digest('hex');

const members = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function parse(text: string): unknown {
  try {
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch {
    return undefined;
  }
}

/**
 * The scope of the files as written, or undefined when they cannot be cut apart: not JSON,
 * sequences without unique string ids, or a plan whose sequences share nodes (a song file: the
 * cut is made of every sequence). A missing decisions.json is `undefined` text.
 */
export function planScope(planText: string, decisionsText: string | undefined): PlanScope | undefined {
  const plan = members(parse(planText));
  const decisions = decisionsText === undefined ? {} : members(parse(decisionsText));
  if (plan === undefined || decisions === undefined || !Array.isArray(plan['sequences'])) return undefined;
  if (members(plan['song'])?.['file'] !== undefined) return undefined;
  const decided = members(decisions['sequences'] ?? {});
  if (decided === undefined) return undefined;
  const sequences: Array<[string, string]> = [];
  const ids = new Set<string>();
  for (const sequence of plan['sequences'] as unknown[]) {
    const id = members(sequence)?.['id'];
    if (typeof id !== 'string' || ids.has(id)) return undefined;
    ids.add(id);
    sequences.push([id, sha1([sequence, decided[id] ?? null])]);
  }
  // Decisions for sequences the plan does not have are part of the rest (they are mistakes).
  const strays = Object.entries(decided).filter(([id]) => !ids.has(id));
  return { rest: sha1([{ ...plan, sequences: null }, { ...decisions, sequences: strays }]), sequences };
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
