import type { BlobHash } from '../util/hash.ts';
import type { ElementImage, ElementSet } from '../steps/elements.ts';
import type { GridParams } from '../steps/grid.ts';
import type { FrameParams } from '../steps/frame.ts';
import type { VideoParams } from '../steps/video.ts';
import type { ShotPrompt } from '../cache/take-journal.ts';

/** `SEQ08:grid`, `SEQ08:frame`, `SEQ08:elements`, `SEQ08:take`, `SEQ08:shot03`. */
export type NodeId = string;
export type NodeKind = 'elements' | 'grid' | 'frame' | 'take' | 'shot';
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

export type GraphNode = ElementsNode | GridNode | FrameNode | VideoNode;

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
}

export function isPaid(node: GraphNode): node is GridNode | VideoNode {
  return node.kind === 'grid' || node.kind === 'take' || node.kind === 'shot';
}

/** Runs on a provider that charges (not the free `sim` one, not a local step). */
export function isBilled(node: GraphNode): boolean {
  return isPaid(node) && node.lane !== 'sim' && node.lane !== 'local';
}
