import type { ActionResult, OutputRef } from '../cache/action-cache.ts';
import type { BlobHash, NodeKey } from '../util/hash.ts';
import { diffJson, friendlyPath, type FieldChange } from './diff.ts';
import { elementsMaterial, elementsOutput, frameMaterial, gridMaterial, keyOf, videoMaterial, withVariant, type KeyMaterial } from './key-material.ts';
import type { GraphNode, NodeId } from './nodes.ts';

/** How a node ended up, as its dependants see it. */
export type Outcome =
  | { state: 'done'; output: BlobHash }
  /** Will run (dry run) — its output is known in advance only for local pure steps. */
  | { state: 'pending'; output: BlobHash | undefined }
  | { state: 'blocked'; reason: string }
  | { state: 'failed'; message: string };

export type Action = 'run' | 'reuse' | 'blocked';

export interface NodeDecision {
  action: Action;
  /** Why, in words: "changed: shots[2].prompt", "waiting for a pick", "up to date". */
  reason: string;
  key: NodeKey | undefined;
  baseKey: NodeKey | undefined;
  variant: number;
  material: KeyMaterial | undefined;
  cached: ActionResult | undefined;
  changes: FieldChange[];
}

/** What the planner may look at; the same for --dry-run, explain, status and build. */
export interface PlanningContext {
  cachedKeys: ReadonlySet<NodeKey>;
  action(key: NodeKey): Promise<ActionResult | undefined>;
  material(key: NodeKey): Promise<unknown>;
  /** Cheap check (no bytes read) that a cached output still exists with its size. */
  outputPresent(output: OutputRef): Promise<boolean>;
  lastBuilt(node: NodeId): Promise<NodeKey | undefined>;
  /** Retake variant recorded for a base key (0 when none). */
  variantFor(baseKey: NodeKey): number;
  retakeRequested: ReadonlySet<NodeId>;
  finalSequences: ReadonlySet<string>;
}

function blocked(reason: string): NodeDecision {
  return { action: 'blocked', reason, key: undefined, baseKey: undefined, variant: 0, material: undefined, cached: undefined, changes: [] };
}

function knownOutput(outcome: Outcome | undefined): BlobHash | undefined {
  return outcome?.state === 'done' || outcome?.state === 'pending' ? outcome.output : undefined;
}

type MaterialOrStop = { material: KeyMaterial } | { stop: NodeDecision };

function pickCommand(sequence: string, cells: number): string {
  return `cg pick ${sequence} --cell 1-${cells}`;
}

function materialFor(node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>): MaterialOrStop {
  switch (node.kind) {
    case 'elements':
      return { material: elementsMaterial(node) };
    case 'grid':
      return { material: gridMaterial(node) };
    case 'frame': {
      const cells = node.params.rows * node.params.cols;
      const grid = knownOutput(deps.get(node.grid));
      if (grid === undefined) return { stop: blocked(`the grid will be generated first; then pick a cell: ${pickCommand(node.sequence, cells)}`) };
      if (node.pick === undefined) return { stop: blocked(`waiting for a pick: look at the grid, then ${pickCommand(node.sequence, cells)}`) };
      if (node.pick.grid !== grid) return { stop: blocked(`the grid changed since the pick (${node.pick.grid.slice(7, 19)} → ${grid.slice(7, 19)}); pick again: ${pickCommand(node.sequence, cells)}`) };
      return { material: frameMaterial(node, grid, node.pick.cell) };
    }
    case 'take':
    case 'shot': {
      const elements = knownOutput(deps.get(node.elements));
      if (elements === undefined) return { stop: blocked(`waiting for ${node.elements}`) };
      let frame: BlobHash | null = null;
      if (node.frame !== undefined) {
        const known = knownOutput(deps.get(node.frame));
        if (known === undefined) {
          return { stop: { ...blocked(`after ${node.frame} is cut`), action: 'run' } };
        }
        frame = known;
      }
      return { material: videoMaterial(node, frame, elements) };
    }
  }
}

function describeChanges(changes: readonly FieldChange[]): string {
  const shown = changes.slice(0, 3).map((change) => friendlyPath(change.path));
  return `changed: ${shown.join(', ')}${changes.length > 3 ? ` and ${changes.length - 3} more` : ''}`;
}

/**
 * Decides what one node needs: reuse a cached result, run, or wait (blocked).
 * Pure but for the lookups in `ctx`; --dry-run, explain, status and build all use it.
 */
export async function decideNode(node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>, ctx: PlanningContext): Promise<NodeDecision> {
  for (const dep of node.deps) {
    const outcome = deps.get(dep);
    if (outcome?.state === 'failed') return blocked(`${dep} failed`);
    if (outcome?.state === 'blocked') return blocked(outcome.reason);
  }
  const found = materialFor(node, deps);
  if ('stop' in found) return found.stop;
  const baseKey = keyOf(found.material);
  let variant = ctx.variantFor(baseKey);
  let key = variant === 0 ? baseKey : keyOf(withVariant(found.material, variant));
  const retake = ctx.retakeRequested.has(node.id) && ctx.cachedKeys.has(key);
  if (retake) {
    variant += 1;
    key = keyOf(withVariant(found.material, variant));
  }
  const material = withVariant(found.material, variant);
  const decision = { key, baseKey, variant, material, cached: undefined, changes: [] as FieldChange[] };

  let corrupt = false;
  if (ctx.cachedKeys.has(key)) {
    const cached = await ctx.action(key);
    // Only grids and frames are checked here (a stat, no bytes): takes and shots feed nothing and
    // their files are checked when reused; an element set is rebuilt if a step finds it gone.
    const checked = node.kind === 'grid' || node.kind === 'frame';
    if (cached !== undefined && (!checked || (await ctx.outputPresent(cached.output)))) {
      const last = await ctx.lastBuilt(node.id);
      const reason = last === undefined || last === key ? 'up to date' : 'an earlier result matches these inputs again: reused at no cost';
      return { ...decision, action: 'reuse', reason, cached };
    }
    corrupt = true;
  }
  if (ctx.finalSequences.has(node.sequence)) {
    return { ...decision, action: 'blocked', reason: `${node.sequence} is final: its inputs changed but a final sequence does not spend (cg final ${node.sequence} --reopen to change it)` };
  }
  if (corrupt) return { ...decision, action: 'run', reason: 'the cached result is missing or corrupt: rebuilding it' };
  if (retake) return { ...decision, action: 'run', reason: `retake requested: variant ${variant} of the same inputs` };
  const last = await ctx.lastBuilt(node.id);
  const before = last === undefined ? undefined : await ctx.material(last);
  if (before === undefined) return { ...decision, action: 'run', reason: last === undefined ? 'new: never built' : 'inputs changed' };
  const changes = diffJson(before, material);
  return { ...decision, action: 'run', reason: changes.length === 0 ? 'inputs changed' : describeChanges(changes), changes };
}

/** The output a node will have when it runs, if it can be known beforehand (pure local steps). */
export function predictableOutput(node: GraphNode): BlobHash | undefined {
  return node.kind === 'elements' ? elementsOutput(node) : undefined;
}
