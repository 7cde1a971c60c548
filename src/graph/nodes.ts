import type { BlobHash } from '../util/hash.ts';
import type { ElementImage, ElementSet } from '../steps/elements.ts';
import type { GridParams } from '../steps/grid.ts';
import type { FrameParams } from '../steps/frame.ts';
import type { VideoParams } from '../steps/video.ts';
import type { ShotPrompt } from '../cache/take-journal.ts';

/** `SEQ08:grid`, `SEQ08:frame`, `SEQ08:elements`, `SEQ08:take`, `SEQ08:shot03`, `SEQ08:segment`, `CUT:cut`. */
export type NodeId = string;
export type NodeKind = 'elements' | 'grid' | 'frame' | 'take' | 'shot' | 'audio' | 'segment' | 'cut';
/** Which concurrency limit a node runs under. */
export type Lane = 'sim' | 'gemini' | 'fal' | 'local';

interface NodeBase {
  id: NodeId;
  kind: NodeKind;
  sequence: string;
  deps: NodeId[];
  lane: Lane;
  /** At the real providers' prices, whatever provider is configured. */
  estimateUsd: number;
}

export interface ElementsNode extends NodeBase {
  kind: 'elements';
  set: ElementSet;
  images: ElementImage[];
  cap: number;
}

export interface GridNode extends NodeBase {
  kind: 'grid';
  recordId: string;
  params: GridParams;
  references: BlobHash[];
  unitPriceUsd: number;
  /** The day `unitPriceUsd` was read: the date of the price-table entry it came from. */
  priceDate: string;
  maxAttempts: number;
}

export interface FrameNode extends NodeBase {
  kind: 'frame';
  params: Omit<FrameParams, 'cell'>;
  /** The grid it may cut from; none for a shot's start frame picked from a file in a sequence without a grid. */
  grid: NodeId | undefined;
  /** The human's pick, if any: a cell of the grid whose hash it names, or a file of its own. */
  pick: { grid: BlobHash; cell: number } | { file: BlobHash } | undefined;
}

export interface VideoNode extends NodeBase {
  kind: 'take' | 'shot';
  recordId: string;
  /** 1-based shot number, for individual mode. */
  shot: number | undefined;
  params: VideoParams;
  ratePerSecond: number;
  /** The day `ratePerSecond` was read: the date of the price-table entry it came from. */
  priceDate: string;
  title: string;
  elements: NodeId;
  frame: NodeId | undefined;
  shotPrompts: ShotPrompt[];
  elementIds: string[];
}

/** The cut's frame size and rate, which its segments share (they are joined without re-encoding). */
export interface CutFormat {
  width: number;
  height: number;
  fps: number;
}

/** The song, encoded once as the cut's audio track. */
export interface AudioNode extends NodeBase {
  kind: 'audio';
  /** Relative to the project folder, as the plan names it. */
  file: string;
  /** Where ffmpeg reads it. */
  path: string;
  song: BlobHash;
  durationSec: number;
  /** The song is AAC already: copied into the cut, not encoded again. */
  copy: boolean;
}

/** What a title card says where a sequence has no picture yet (or for a gap in the song). */
export interface CardText {
  heading: string;
  lines: string[];
}

/**
 * One sequence's slot of the song at the cut's size and rate, from its best picture: the
 * approved take, the current take (individual mode: its shots in order), the start frame,
 * the grid, else a title card. A gap between sequences is a segment with only a card.
 */
export interface SegmentNode extends NodeBase {
  kind: 'segment';
  /** Frames of the cut it covers: [firstFrame, firstFrame + frames). */
  firstFrame: number;
  frames: number;
  /** The sequence's picture sources, best first; empty for a gap. */
  videos: NodeId[];
  frame: NodeId | undefined;
  grid: NodeId | undefined;
  card: CardText;
  format: CutFormat;
  /** Burn in sequence id, take and state (cg cut --overlay, for review copies). */
  overlay: boolean;
}

/** The whole video: the segments joined in song order with the song as its audio. */
export interface CutNode extends NodeBase {
  kind: 'cut';
  segments: NodeId[];
  audio: NodeId;
  /** The plan's title, as the cut's file is named: `cut/<Title>_cut003.mp4`. */
  title: string;
  durationSec: number;
  format: CutFormat;
  overlay: boolean;
}

export type GraphNode = ElementsNode | GridNode | FrameNode | VideoNode | AudioNode | SegmentNode | CutNode;

/** Sequences whose shots do not fill their slot, or slots that overlap or leave the song uncovered. */
export type TimingWarning =
  | { kind: 'slot-fill'; sequence: string; shotsSec: number; slot: { start: number; end: number } }
  | { kind: 'overlap'; sequence: string; other: string; start: number; end: number }
  | { kind: 'gap'; after: string | undefined; before: string | undefined; start: number; end: number }
  | { kind: 'no-time'; sequence: string }
  | { kind: 'past-song'; sequence: string; end: number; songSec: number };

/** A sequence lists more elements than the video model takes: the ones past the cap are dropped. */
export interface CapWarning {
  kind: 'element-cap';
  sequence: string;
  listed: number;
  cap: number;
  withStartFrame: boolean;
  dropped: string[];
}

export interface Graph {
  nodes: ReadonlyMap<NodeId, GraphNode>;
  /** Dependency order: every node after its dependencies. */
  order: readonly NodeId[];
  /** Node ids by sequence, in order. */
  bySequence: ReadonlyMap<string, readonly NodeId[]>;
  warnings: CapWarning[];
  /** Timing checks against the song (empty without times). */
  timing: TimingWarning[];
  /** The cut's node, when the plan has a song file. */
  cut: NodeId | undefined;
}

export function isPaid(node: GraphNode): node is GridNode | VideoNode {
  return node.kind === 'grid' || node.kind === 'take' || node.kind === 'shot';
}

/** Runs on a provider that charges (not the free `sim` one, not a local step). */
export function isBilled(node: GraphNode): boolean {
  return isPaid(node) && node.lane !== 'sim' && node.lane !== 'local';
}
