import { computeKey, hashJson, type BlobHash, type NodeKey } from '../util/hash.ts';
import { elementsStepVersion } from '../steps/elements.ts';
import { frameStepVersion } from '../steps/frame.ts';
import { gridStepVersion } from '../steps/grid.ts';
import { videoStepVersion } from '../steps/video.ts';
import { audioStepVersion, cutStepVersion } from '../steps/cut.ts';
import { segmentStepVersion } from '../steps/segment.ts';
import type { AudioNode, CutNode, ElementsNode, FrameNode, GridNode, SegmentNode, VideoNode } from './nodes.ts';

/**
 * Which fields go into which node's key — the one place that says so.
 * A key is sha256 over the canonical JSON (sorted keys) of:
 *
 * | node     | step + version | params (what the provider receives)                                   | inputs (content hashes)            |
 * |----------|----------------|-----------------------------------------------------------------------|------------------------------------|
 * | elements | elements, 1    | kept elements (id, name, description, frontal + reference hashes), dropped ones | —                        |
 * | grid     | grid, 1        | provider, model, imageSize, aspectRatio, width, height, rows, cols, full prompt | references (frontal hashes) |
 * | frame    | frame, 1       | rows, cols, cell                                                      | grid (hash of the grid image)      |
 * | take     | take, 1        | provider, endpoint, shots [{prompt, duration}], duration, aspectRatio, audio, negativePrompt | startFrame, elements (set hash) |
 * | shot     | shot, 1        | same as take, for one shot                                            | startFrame, elements               |
 * | audio    | audio, 1       | codec (copy for an AAC song), bitrate, channels, sample rate, durationSec | song (the file's hash)          |
 * | segment  | segment, 1     | width, height, fps, frames, picture kind, card (a card only), label (--overlay only) | pictures (take, frame or grid hashes) |
 * | cut      | cut, 1         | width, height, fps, durationSec, overlay                              | segments (in song order), audio    |
 *
 * plus `variant` when a retake asked for another result of the same inputs.
 * Never: paths, mtimes, sequence titles or times, JSON key order.
 */
export interface KeyMaterial {
  step: string;
  version: number;
  params: unknown;
  inputs: Record<string, BlobHash | readonly BlobHash[] | null>;
  variant?: number;
}

export function elementsMaterial(node: ElementsNode): KeyMaterial {
  return { inputs: {}, params: node.set, step: 'elements', version: elementsStepVersion };
}

/** The element set's own content hash: the bytes the elements step stores. */
export function elementsOutput(node: ElementsNode): BlobHash {
  return hashJson(node.set);
}

export function gridMaterial(node: GridNode): KeyMaterial {
  return { inputs: { references: node.references }, params: node.params, step: 'grid', version: gridStepVersion };
}

export function frameMaterial(node: FrameNode, grid: BlobHash, cell: number): KeyMaterial {
  return { inputs: { grid }, params: { cell, cols: node.params.cols, rows: node.params.rows }, step: 'frame', version: frameStepVersion };
}

/** A start frame made elsewhere (cg pick --file): the file's bytes are the frame. */
export function pickedFileMaterial(file: BlobHash): KeyMaterial {
  return { inputs: { file }, params: {}, step: 'frame', version: frameStepVersion };
}

export function videoMaterial(node: VideoNode, startFrame: BlobHash | null, elements: BlobHash): KeyMaterial {
  return { inputs: { elements, startFrame }, params: node.params, step: node.kind, version: videoStepVersion };
}

export function audioMaterial(node: AudioNode): KeyMaterial {
  return { inputs: { song: node.song }, params: node.copy ? { codec: 'copy', durationSec: node.durationSec } : { bitrate: '128k', channels: 2, codec: 'aac', durationSec: node.durationSec, sampleRate: 48_000 }, step: 'audio', version: audioStepVersion };
}

/** What a segment shows: a take (or a sequence's shots), a start frame, a grid, or a title card. */
export interface Picture {
  kind: 'take' | 'frame' | 'grid' | 'card';
  hashes: BlobHash[];
  /** What --overlay burns in: sequence, take, state. */
  label: string;
}

export function segmentMaterial(node: SegmentNode, picture: Picture): KeyMaterial {
  const { width, height, fps } = node.format;
  const params = { card: picture.kind === 'card' ? node.card : null, fps, frames: node.frames, height, label: node.overlay ? picture.label : null, picture: picture.kind, width };
  return { inputs: { pictures: picture.hashes }, params, step: 'segment', version: segmentStepVersion };
}

export function cutMaterial(node: CutNode, segments: BlobHash[], audio: BlobHash): KeyMaterial {
  const { width, height, fps } = node.format;
  return { inputs: { audio, segments }, params: { durationSec: node.durationSec, fps, height, overlay: node.overlay, width }, step: 'cut', version: cutStepVersion };
}

/** The keys of a material's results: the first, then each retake up to `variants`. */
export function variantKeys(material: KeyMaterial, variants: number): NodeKey[] {
  return Array.from({ length: variants + 1 }, (_, variant) => keyOf(withVariant(material, variant)));
}

export function withVariant(material: KeyMaterial, variant: number): KeyMaterial {
  const { inputs, params, step, version } = material;
  return variant === 0 ? material : { inputs, params, step, variant, version };
}

/**
 * The node key. Every material is built with its members in sorted order (the
 * objects above and the params made in compile.ts), so plain JSON.stringify is
 * already the canonical JSON — twice as fast as sorting on every command; the
 * key-material test holds every node of the demo to it.
 */
export function keyOf(material: KeyMaterial): NodeKey {
  return computeKey(material);
}
