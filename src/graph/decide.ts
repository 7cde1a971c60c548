import type { ActionResult, KeySet, OutputRef } from '../cache/action-cache.ts';
import type { BlobHash, NodeKey } from '../util/hash.ts';
import { diffJson, friendlyPath, type FieldChange } from './diff.ts';
import { audioMaterial, cutMaterial, elementsMaterial, elementsOutput, frameMaterial, gridMaterial, keyOf, pickedFileMaterial, segmentMaterial, videoMaterial, withVariant, type KeyMaterial, type Picture } from './key-material.ts';
import { isPaid, type CutNode, type FrameNode, type GraphNode, type GridNode, type NodeId, type SegmentNode, type VideoNode } from './nodes.ts';
import type { Reason } from './reasons.ts';

/** How a node ended up, as its dependants see it. */
export type Outcome =
  | { state: 'done'; output: BlobHash }
  /** Will run (dry run) — its output is known in advance only for local pure steps. */
  | { state: 'pending'; output: BlobHash | undefined }
  | { state: 'blocked'; reason: Reason }
  | { state: 'failed'; reason: Reason };

export type Action = 'run' | 'reuse' | 'blocked';

export interface NodeDecision {
  action: Action;
  /** Why: changed fields, a pick to make, up to date… (words: src/reporters/reasons.ts). */
  reason: Reason;
  key: NodeKey | undefined;
  baseKey: NodeKey | undefined;
  variant: number;
  material: KeyMaterial | undefined;
  cached: ActionResult | undefined;
  /** `cached` came from the take's record: the action cache lost it, and reusing puts it back. */
  recovered: boolean;
  changes: FieldChange[];
}

/** What the planner may look at; the same for --dry-run, explain, status and build. */
export interface PlanningContext {
  cachedKeys: KeySet;
  action(key: NodeKey): Promise<ActionResult | undefined>;
  material(key: NodeKey): Promise<unknown>;
  /** Cheap check (no bytes read) that a cached output still exists with its size. */
  outputPresent(output: OutputRef): Promise<boolean>;
  lastBuilt(node: NodeId): Promise<NodeKey | undefined>;
  /** The outputs of every grid made from the grid node's current inputs (each retake of them). */
  gridChoices(grid: NodeId): Promise<ReadonlySet<BlobHash>>;
  /** Retake variant recorded for a base key (0 when none). */
  variantFor(baseKey: NodeKey): number;
  retakeRequested: ReadonlySet<NodeId>;
  finalSequences: ReadonlySet<string>;
  /** The sequence's approved take, when it is complete and its bytes known. */
  approvedTake(sequence: string): Promise<{ takeId: string; blob: BlobHash } | undefined>;
  /** The take id a paid node's last build made or reused (for --overlay labels). */
  builtTakeId(node: NodeId): Promise<string | null>;
  /**
   * A paid result its take's record holds though the action cache lost it (a damaged or
   * cut-short index), when a copy with the record's hash is left: never paid for again.
   */
  recorded(node: GridNode | VideoNode, key: NodeKey): Promise<ActionResult | undefined>;
}

function blocked(reason: Reason): NodeDecision {
  return { action: 'blocked', reason, key: undefined, baseKey: undefined, variant: 0, material: undefined, cached: undefined, recovered: false, changes: [] };
}

function knownOutput(outcome: Outcome | undefined): BlobHash | undefined {
  return outcome?.state === 'done' || outcome?.state === 'pending' ? outcome.output : undefined;
}

type MaterialOrStop = { material: KeyMaterial } | { stop: NodeDecision };

/** The frame: a picked file as it is, or the picked cell of a grid made from the current inputs. */
async function frameMaterialFor(node: FrameNode, deps: ReadonlyMap<NodeId, Outcome>, ctx: PlanningContext): Promise<MaterialOrStop> {
  if (node.pick !== undefined && 'file' in node.pick) return { material: pickedFileMaterial(node.pick.file) };
  const cells = node.params.rows * node.params.cols;
  const grid = node.grid === undefined ? undefined : knownOutput(deps.get(node.grid));
  const { sequence } = node;
  if (grid === undefined) return { stop: blocked({ kind: 'grid-first', sequence, cells }) };
  if (node.pick === undefined) return { stop: blocked({ kind: 'waiting-for-pick', sequence, cells }) };
  // Any grid made from these same inputs (cg grid --again keeps the earlier ones) may be picked from.
  if (node.pick.grid !== grid && (node.grid === undefined || !(await ctx.gridChoices(node.grid)).has(node.pick.grid))) {
    return { stop: blocked({ kind: 'grid-changed', sequence, cells, from: node.pick.grid, to: grid }) };
  }
  return { material: frameMaterial(node, node.pick.grid, node.pick.cell) };
}

/** Runs once `dep` is made: its hash is not known yet. */
function after(dep: NodeId): MaterialOrStop {
  return { stop: { ...blocked({ kind: 'after', dep }), action: 'run' } };
}

/** The best picture a segment has now, or the node it must wait for. */
async function pictureOf(node: SegmentNode, deps: ReadonlyMap<NodeId, Outcome>, ctx: PlanningContext): Promise<Picture | { waitFor: NodeId }> {
  const label = (what: string): string => `${node.sequence} · ${what}`;
  if (node.videos.length > 0) {
    const approved = await ctx.approvedTake(node.sequence);
    if (approved !== undefined) return { kind: 'take', hashes: [approved.blob], label: label(`${approved.takeId} · approved`) };
    const pending = node.videos.find((id) => deps.get(id)?.state === 'pending');
    if (pending !== undefined) return { waitFor: pending };
    const outputs = node.videos.map((id) => knownOutput(deps.get(id)));
    if (outputs.every((output) => output !== undefined)) {
      const takes = await Promise.all(node.videos.map((id) => ctx.builtTakeId(id)));
      return { kind: 'take', hashes: outputs, label: label(`${takes.filter((take) => take !== null).join(', ')} · in review`) };
    }
  }
  for (const [id, kind] of [[node.frame, 'frame'], [node.grid, 'grid']] as const) {
    if (id === undefined) continue;
    const outcome = deps.get(id);
    if (outcome?.state === 'pending') return { waitFor: id };
    if (outcome?.state === 'done') return { kind, hashes: [outcome.output], label: label(kind === 'frame' ? 'start frame, no take yet' : 'grid, no pick yet') };
  }
  return { kind: 'card', hashes: [], label: label(node.videos.length === 0 ? 'gap' : 'no picture yet') };
}

function cutMaterialFor(node: CutNode, deps: ReadonlyMap<NodeId, Outcome>): MaterialOrStop {
  const segments: BlobHash[] = [];
  for (const id of node.segments) {
    const output = knownOutput(deps.get(id));
    if (output === undefined) return after(id);
    segments.push(output);
  }
  const audio = knownOutput(deps.get(node.audio));
  return audio === undefined ? after(node.audio) : { material: cutMaterial(node, segments, audio) };
}

async function materialFor(node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>, ctx: PlanningContext): Promise<MaterialOrStop> {
  switch (node.kind) {
    case 'elements':
      return { material: elementsMaterial(node) };
    case 'grid':
      return { material: gridMaterial(node) };
    case 'frame':
      return frameMaterialFor(node, deps, ctx);
    case 'take':
    case 'shot': {
      const elements = knownOutput(deps.get(node.elements));
      if (elements === undefined) return { stop: blocked({ kind: 'waiting-for', dep: node.elements }) };
      let frame: BlobHash | null = null;
      if (node.frame !== undefined) {
        const known = knownOutput(deps.get(node.frame));
        if (known === undefined) {
          return { stop: { ...blocked({ kind: 'after-frame', frame: node.frame }), action: 'run' } };
        }
        frame = known;
      }
      return { material: videoMaterial(node, frame, elements) };
    }
    case 'audio':
      return { material: audioMaterial(node) };
    case 'segment': {
      const picture = await pictureOf(node, deps, ctx);
      return 'waitFor' in picture ? after(picture.waitFor) : { material: segmentMaterial(node, picture) };
    }
    case 'cut':
      return cutMaterialFor(node, deps);
  }
}

/** The cut's nodes: local, free, and never held back by a sequence that waits (they show what exists). */
function isCutPart(node: GraphNode): boolean {
  return node.kind === 'audio' || node.kind === 'segment' || node.kind === 'cut';
}


/**
 * Decides what one node needs: reuse a cached result, run, or wait (blocked).
 * Pure but for the lookups in `ctx`; --dry-run, explain, status and build all use it.
 */
export async function decideNode(node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>, ctx: PlanningContext): Promise<NodeDecision> {
  for (const dep of node.kind === 'segment' ? [] : node.deps) {
    const outcome = deps.get(dep);
    if (outcome?.state === 'failed') return blocked({ kind: 'dep-failed', dep });
    if (outcome?.state === 'blocked') return blocked(outcome.reason);
  }
  const found = await materialFor(node, deps, ctx);
  if ('stop' in found) return found.stop;
  const baseKey = keyOf(found.material);
  let variant = ctx.variantFor(baseKey);
  let key = variant === 0 ? baseKey : keyOf(withVariant(found.material, variant));
  // Paid for before, though the action cache lost it or its stored copy: the record has it.
  const recorded = isPaid(node) && !ctx.cachedKeys.has(key) ? await ctx.recorded(node, key) : undefined;
  const retake = ctx.retakeRequested.has(node.id) && (ctx.cachedKeys.has(key) || recorded !== undefined);
  if (retake) {
    variant += 1;
    key = keyOf(withVariant(found.material, variant));
  }
  const material = withVariant(found.material, variant);
  const decision = { key, baseKey, variant, material, cached: undefined, recovered: false, changes: [] as FieldChange[] };
  const reuseReason = async (): Promise<Reason> => {
    const last = await ctx.lastBuilt(node.id);
    return last === undefined || last === key ? { kind: 'up-to-date' } : { kind: 'earlier-result' };
  };

  let corrupt = false;
  if (ctx.cachedKeys.has(key)) {
    const cached = await ctx.action(key);
    // Only what feeds another node is checked here (a stat, no bytes): takes and shots feed nothing and
    // their files are checked when reused; an element set is rebuilt if a step finds it gone.
    const checked = node.kind === 'grid' || node.kind === 'frame' || node.kind === 'segment' || node.kind === 'audio';
    if (cached !== undefined && (!checked || (await ctx.outputPresent(cached.output)))) {
      return { ...decision, action: 'reuse', reason: await reuseReason(), cached };
    }
    corrupt = true;
  }
  const lost = corrupt && isPaid(node) ? await ctx.recorded(node, key) : recorded;
  if (!retake && lost !== undefined) return { ...decision, action: 'reuse', reason: await reuseReason(), cached: lost, recovered: true };
  if (ctx.finalSequences.has(node.sequence) && !isCutPart(node)) {
    return { ...decision, action: 'blocked', reason: { kind: 'final', sequence: node.sequence } };
  }
  if (corrupt) return { ...decision, action: 'run', reason: { kind: 'missing-or-corrupt' } };
  if (retake) return { ...decision, action: 'run', reason: { kind: 'retake', variant } };
  const last = await ctx.lastBuilt(node.id);
  const before = last === undefined ? undefined : await ctx.material(last);
  if (before === undefined) return { ...decision, action: 'run', reason: last === undefined ? { kind: 'new' } : { kind: 'inputs-changed' } };
  const changes = diffJson(before, material);
  const reason: Reason = changes.length === 0 ? { kind: 'inputs-changed' } : { kind: 'changed', fields: changes.map((change) => friendlyPath(change.path)) };
  return { ...decision, action: 'run', reason, changes };
}

/** The output a node will have when it runs, if it can be known beforehand (pure local steps). */
export function predictableOutput(node: GraphNode): BlobHash | undefined {
  return node.kind === 'elements' ? elementsOutput(node) : undefined;
}
