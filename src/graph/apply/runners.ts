import type { VideoJournal } from '../../providers/types.ts';
import { runElementsStep } from '../../steps/elements.ts';
import { runFrameStep, runPickedFileStep } from '../../steps/frame.ts';
import { runGridStep } from '../../steps/grid.ts';
import type { StepResult } from '../../steps/step-types.ts';
import { runVideoStep } from '../../steps/video.ts';
import type { BlobHash, NodeKey } from '../../util/hash.ts';
import type { Outcome } from '../decide.ts';
import type { ElementsNode, FrameNode, GraphNode, GridNode, NodeId, VideoNode } from '../nodes.ts';
import { restoreBlob } from '../restore.ts';
import type { BuildRun, Providers } from './context.ts';

/** What a runner gets besides its node: the node's key, its inputs' outcomes, its journal. */
export interface RunInput {
  key: NodeKey;
  deps: ReadonlyMap<NodeId, Outcome>;
  journal: VideoJournal;
  providers: Promise<Providers>;
}

function output(input: RunInput, id: NodeId | undefined): BlobHash | null {
  const outcome = id === undefined ? undefined : input.deps.get(id);
  return outcome?.state === 'done' ? outcome.output : null;
}

function runElements(run: BuildRun, node: ElementsNode): Promise<StepResult> {
  return runElementsStep(node.set, node.images, run.ctx.stores.blobs, run.ctx.readFile);
}

async function runGrid(run: BuildRun, node: GridNode, input: RunInput): Promise<StepResult> {
  const { params, references, maxAttempts, unitPriceUsd } = node;
  const provider = (await input.providers).image;
  return runGridStep({ params, references, maxAttempts, unitPriceUsd, nodeId: node.id, seed: input.key, blobs: run.ctx.stores.blobs, provider, signal: run.ctx.signal });
}

function runFrame(run: BuildRun, node: FrameNode, input: RunInput): Promise<StepResult> {
  const { blobs } = run.ctx.stores;
  if (node.pick !== undefined && 'file' in node.pick) return runPickedFileStep(node.pick.file, blobs);
  // The picked grid: the current one, or an earlier one made from the same inputs.
  return runFrameStep({ ...node.params, cell: node.pick?.cell ?? 1 }, node.pick?.grid ?? (output(input, node.grid) as BlobHash), blobs);
}

async function runVideo(run: BuildRun, node: VideoNode, input: RunInput): Promise<StepResult> {
  // The element set is a pure function of the plan: the graph holds it (its hash is in the key).
  const elements = run.ctx.graph.nodes.get(node.elements);
  if (elements?.kind !== 'elements') throw new Error(`${node.id}: ${node.elements} is not an elements node`);
  return runVideoStep({
    params: node.params,
    title: node.title,
    startFrame: output(input, node.frame),
    elements: elements.set,
    ratePerSecond: node.ratePerSecond,
    nodeId: node.id,
    seed: input.key,
    blobs: run.ctx.stores.blobs,
    provider: (await input.providers).video,
    journal: input.journal,
    signal: run.ctx.signal,
  });
}

/** One runner per node kind. */
export function runStep(run: BuildRun, node: GraphNode, input: RunInput): Promise<StepResult> {
  switch (node.kind) {
    case 'elements':
      return runElements(run, node);
    case 'grid':
      return runGrid(run, node, input);
    case 'frame':
      return runFrame(run, node, input);
    case 'take':
    case 'shot':
      return runVideo(run, node, input);
  }
}

/**
 * After a step found an input damaged in the blob store: each damaged input is put back from
 * its readable file when that is intact; a free one that cannot be is forgotten (the next build
 * remakes it), a paid one is kept (never paid for again unasked). True when all were put back.
 */
export async function repairInputs(run: BuildRun, node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>): Promise<boolean> {
  const { blobs, built, files, actions } = run.ctx.stores;
  let repaired = true;
  for (const dep of node.deps) {
    const outcome = deps.get(dep);
    if (outcome?.state !== 'done' || (await blobs.get(outcome.output)).ok) continue;
    const file = (await built.get(dep))?.output;
    if (file != null && (await restoreBlob(file, outcome.output, blobs, files))) continue;
    repaired = false;
    const decided = run.decisions.get(dep);
    if (decided?.key !== undefined && (decided.cached?.costUsd ?? run.reports.get(dep)?.costUsd ?? 0) <= 0) await actions.delete(decided.key);
  }
  return repaired;
}
