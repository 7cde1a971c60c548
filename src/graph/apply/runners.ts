import type { VideoJournal } from '../../providers/types.ts';
import { runElementsStep } from '../../steps/elements.ts';
import { runFrameStep, runPickedFileStep } from '../../steps/frame.ts';
import { runGridStep } from '../../steps/grid.ts';
import type { StepResult } from '../../steps/step-types.ts';
import { runVideoStep } from '../../steps/video.ts';
import type { BlobHash, NodeKey } from '../../util/hash.ts';
import type { Outcome } from '../decide.ts';
import type { Picture } from '../key-material.ts';
import type { AudioNode, CutNode, ElementsNode, FrameNode, GraphNode, GridNode, NodeId, SegmentNode, VideoNode } from '../nodes.ts';
import { runAudioStep, runCutStep } from '../../steps/cut.ts';
import { runSegmentStep } from '../../steps/segment.ts';
import { restoreBlob } from '../restore.ts';
import type { BuildRun, Providers } from './context.ts';

/** What a runner gets besides its node: the node's key, its inputs' outcomes, its journal. */
export interface RunInput {
  key: NodeKey;
  deps: ReadonlyMap<NodeId, Outcome>;
  journal: VideoJournal;
  providers: Providers;
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
  const provider = await input.providers.image();
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
    provider: await input.providers.video(),
    journal: input.journal,
    signal: run.ctx.signal,
  });
}

/** The bytes of a segment's pictures or the cut's segments, each verified by hash. */
async function inputBytes(run: BuildRun, hashes: readonly BlobHash[]): Promise<Uint8Array[] | StepResult> {
  const all: Uint8Array[] = [];
  for (const hash of hashes) {
    const bytes = await run.ctx.stores.blobs.get(hash);
    if (!bytes.ok) return { ok: false, error: { kind: 'input-missing', message: `input ${hash.slice(0, 19)}… is ${bytes.error.kind} in the blob store; it will be made again on the next build` } };
    all.push(bytes.value);
  }
  return all;
}

async function runSegment(run: BuildRun, node: SegmentNode): Promise<StepResult> {
  const material = run.decisions.get(node.id)?.material;
  const params = material?.params as { picture: Picture['kind']; label: string | null } | undefined;
  const pictures = await inputBytes(run, (material?.inputs['pictures'] ?? []) as BlobHash[]);
  if (!Array.isArray(pictures)) return pictures;
  const { media } = run.ctx;
  return runSegmentStep({ picture: params?.picture ?? 'card', pictures, card: node.card, label: params?.label ?? null, format: node.format, frames: node.frames, ffmpeg: await media.ffmpeg(), scratch: media.scratch });
}

async function runCut(run: BuildRun, node: CutNode, input: RunInput): Promise<StepResult> {
  const segments = await inputBytes(run, node.segments.map((id) => output(input, id) as BlobHash));
  if (!Array.isArray(segments)) return segments;
  const audio = await inputBytes(run, [output(input, node.audio) as BlobHash]);
  if (!Array.isArray(audio)) return audio;
  const { media } = run.ctx;
  return runCutStep({ segments, audio: audio[0] ?? new Uint8Array(), durationSec: node.durationSec, ffmpeg: await media.ffmpeg(), scratch: media.scratch });
}

async function runAudio(run: BuildRun, node: AudioNode): Promise<StepResult> {
  const { media } = run.ctx;
  return runAudioStep({ song: node.path, copy: node.copy, durationSec: node.durationSec, ffmpeg: await media.ffmpeg(), scratch: media.scratch });
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
    case 'audio':
      return runAudio(run, node);
    case 'segment':
      return runSegment(run, node);
    case 'cut':
      return runCut(run, node, input);
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
