import { join } from 'node:path';
import type { CgError, InputIssue } from '../util/errors.ts';
import type { BlobHash } from '../util/hash.ts';
import { err, ok, type Result } from '../util/result.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import type { LoadedProject } from '../plan/load-project.ts';
import { imageDimensions, klingEndpoint } from '../plan/models.ts';
import { mentionPattern } from '../plan/rules.ts';
import type { BibleElement, Sequence } from '../plan/schema.ts';
import type { ElementImage, ElementSet, ResolvedElement } from '../steps/elements.ts';
import type { CapWarning, ElementsNode, FrameNode, Graph, GraphNode, GridNode, Lane, NodeId, VideoNode } from './nodes.ts';
import { applyOverrides, type CompileOverrides } from './overrides.ts';
import { cutNodes, cutSequence, timingWarnings, type PictureSources, type SongFile } from './compile-cut.ts';
import { clockSeconds } from '../plan/song-time.ts';

export interface CompileInput {
  project: LoadedProject;
  config: ProjectConfig;
  /** Content hash of every reference image, by path relative to the project folder. */
  refHashes: ReadonlyMap<string, BlobHash>;
  /** Config file name, for price errors. */
  configFile: string;
  /** What `cg build --mode/--shot-override` changes in this build's takes; plan.json stays as it is. */
  overrides?: CompileOverrides;
  /** The plan's song file, when it names one: the cut's nodes are made from it. */
  song?: SongFile | undefined;
  /** cg cut --overlay: burn sequence ids, takes and states into the cut. */
  overlay?: boolean;
}

/** Kling elements take one frontal view and 1–3 more. */
const maxElementReferences = 3;

export function nodeId(sequence: string, part: string): NodeId {
  return `${sequence}:${part}`;
}

export function shotPart(shot: number): string {
  return `shot${String(shot).padStart(2, '0')}`;
}

function describeElement(element: { name: string; description: string }): string {
  return `${element.name} (${element.description.replace(/\.$/, '')})`;
}

/** `@maya` → `@Element1` when the model receives maya as element 1, else her name. */
function rewriteMentions(prompt: string, kept: readonly string[], names: ReadonlyMap<string, string>, asElements: boolean): string {
  return prompt.replace(mentionPattern, (whole, id: string) => {
    const index = kept.indexOf(id);
    if (asElements && index >= 0) return `@Element${index + 1}`;
    return names.get(id) ?? whole;
  });
}

interface Priced {
  issues: InputIssue[];
  configFile: string;
}

/** USD per grid image at the configured model and size, and the date of that price. */
function imagePrice(config: ProjectConfig, priced: Priced): { usd: number; date: string } {
  const { model, size } = config.image;
  const entry = config.prices.image[model];
  const price = entry[size];
  if (price === undefined) {
    priced.issues.push({
      file: priced.configFile,
      path: `prices.image["${model}"]["${size}"]`,
      message: `no price for ${model} at ${size}: give prices.image["${model}"] a dated entry with "${size}" in it (an entry replaces the default one whole) so estimates are honest`,
    });
  }
  return { usd: price ?? 0, date: entry.date };
}

/** USD per second of video at this endpoint, and the date of that price. */
function videoRate(config: ProjectConfig, endpoint: string, audio: boolean, priced: Priced): { usd: number; date: string } {
  const price = config.prices.video[endpoint];
  if (price === undefined) {
    if (!priced.issues.some((issue) => issue.path.includes(endpoint))) {
      priced.issues.push({
        file: priced.configFile,
        path: `prices.video["${endpoint}"]`,
        message: `no price for ${endpoint}: add a dated entry { date, audioOff, audioOn } in USD per second under prices.video`,
      });
    }
    return { usd: 0, date: '' };
  }
  return { usd: audio ? price.audioOn : price.audioOff, date: price.date };
}

function resolveElements(
  sequence: Sequence,
  input: CompileInput,
  cap: number,
): { set: ElementSet; images: ElementImage[]; warning: CapWarning | undefined } {
  const { project } = input;
  const bible = project.bible.elements;
  const keptIds = sequence.elements.slice(0, cap);
  const droppedIds = sequence.elements.slice(cap);
  const images: ElementImage[] = [];
  const elements: ResolvedElement[] = keptIds.map((id) => {
    const entry = bible[id] as BibleElement;
    const files = (project.refs.get(id) ?? []).slice(0, 1 + maxElementReferences);
    const hashes = files.map((file) => {
      const hash = input.refHashes.get(file) as BlobHash;
      images.push({ hash, path: join(project.paths.dir, file) });
      return hash;
    });
    const [frontal, ...references] = hashes;
    return { description: entry.description, frontal: frontal as BlobHash, id, name: entry.name, references };
  });
  const dropped = droppedIds.map((id) => {
    const entry = bible[id] as BibleElement;
    return { description: entry.description, id, name: entry.name };
  });
  const warning: CapWarning | undefined =
    dropped.length === 0 ? undefined : { kind: 'element-cap', sequence: sequence.id, listed: sequence.elements.length, cap, withStartFrame: sequence.grid !== undefined, dropped: droppedIds };
  return { set: { dropped, elements }, images, warning };
}

function gridPrompt(sequence: Sequence, set: ElementSet, rows: number, cols: number, aspect: string, names: ReadonlyMap<string, string>): string {
  const scene = rewriteMentions(sequence.grid?.prompt ?? '', [], names, false);
  const cast = set.elements.map((element, i) => `${i + 1}. ${describeElement(element)}`).join(' ');
  const castLine = cast === '' ? '' : `\n\nCharacters and props, reference images attached in this order: ${cast}`;
  const droppedLine = set.dropped.length === 0 ? '' : `\nAlso in the scene: ${set.dropped.map(describeElement).join('; ')}.`;
  return `${scene}${castLine}${droppedLine}\n\nLayout: one ${aspect} image divided into a ${rows}x${cols} grid of ${rows * cols} equal panels, edge to edge, each panel a different candidate start frame for this scene; no text or captions.`;
}

function lanes(config: ProjectConfig): { image: Lane; video: Lane } {
  return { image: config.providers.image, video: config.providers.video };
}

/** What every sequence's nodes share: the config's choices, prices and element names. */
interface Shared {
  input: CompileInput;
  config: ProjectConfig;
  priced: Priced;
  names: ReadonlyMap<string, string>;
  lane: { image: Lane; video: Lane };
  size: readonly [width: number, height: number];
  grid: { usd: number; date: string };
}

function elementsNode(sequence: Sequence, shared: Shared): { node: ElementsNode; warning: CapWarning | undefined } {
  const { elementCap } = shared.config;
  const cap = sequence.grid !== undefined ? elementCap.withStartFrame : elementCap.withoutStartFrame;
  const { set, images, warning } = resolveElements(sequence, shared.input, cap);
  return { node: { id: nodeId(sequence.id, 'elements'), kind: 'elements', sequence: sequence.id, deps: [], lane: 'local', estimateUsd: 0, set, images, cap }, warning };
}

/** A sequence with a grid: the grid node and the frame node that cuts the picked cell. */
function gridNodes(sequence: Sequence, elements: ElementsNode, shared: Shared): [GridNode, FrameNode] | [] {
  if (sequence.grid === undefined) return [];
  const { config } = shared;
  const { rows, cols } = config.grid;
  const [width, height] = shared.size;
  const grid: GridNode = {
    id: nodeId(sequence.id, 'grid'),
    kind: 'grid',
    sequence: sequence.id,
    deps: [elements.id],
    lane: shared.lane.image,
    estimateUsd: shared.grid.usd,
    recordId: `${sequence.id}_grid`,
    // Members in key order (see key-material.ts): the key is hashed from JSON.stringify.
    params: {
      aspectRatio: config.aspectRatio,
      cols,
      height,
      imageSize: config.image.size,
      model: config.image.model,
      prompt: gridPrompt(sequence, elements.set, rows, cols, config.aspectRatio, shared.names),
      provider: config.providers.image,
      rows,
      width,
    },
    references: elements.set.elements.map((element) => element.frontal),
    unitPriceUsd: shared.grid.usd,
    priceDate: shared.grid.date,
    maxAttempts: config.grid.maxAttempts,
  };
  const pick = shared.input.project.decisions.sequences[sequence.id]?.pick;
  const frame: FrameNode = {
    id: nodeId(sequence.id, 'frame'),
    kind: 'frame',
    sequence: sequence.id,
    deps: [grid.id],
    lane: 'local',
    estimateUsd: 0,
    params: { cols, rows },
    grid: grid.id,
    pick: pick === undefined ? undefined : 'file' in pick ? { file: pick.file as BlobHash } : { grid: pick.grid as BlobHash, cell: pick.cell },
  };
  return [grid, frame];
}

/** The sequence's video: one multi-shot take, or in individual mode one node per shot. */
/**
 * In individual mode, the shots that have a start frame of their own (cg pick SEQ --shot N):
 * a frame node each, cutting a cell of the sequence's grid or using a picked file.
 */
function shotFrameNodes(sequence: Sequence, grid: GridNode | undefined, shared: Shared): Map<number, FrameNode> {
  const frames = new Map<number, FrameNode>();
  if (sequence.mode !== 'individual') return frames;
  const { rows, cols } = shared.config.grid;
  for (const [shot, pick] of Object.entries(shared.input.project.decisions.sequences[sequence.id]?.shotPicks ?? {})) {
    const number = Number(shot);
    if (number > sequence.shots.length || (!('file' in pick) && grid === undefined)) continue; // the rules report these
    frames.set(number, {
      id: nodeId(sequence.id, `frame${String(number).padStart(2, '0')}`),
      kind: 'frame',
      sequence: sequence.id,
      deps: grid === undefined ? [] : [grid.id],
      lane: 'local',
      estimateUsd: 0,
      params: { cols, rows },
      grid: grid?.id,
      pick: 'file' in pick ? { file: pick.file as BlobHash } : { grid: pick.grid as BlobHash, cell: pick.cell },
    });
  }
  return frames;
}

function videoNodes(sequence: Sequence, overridden: ReadonlySet<number>, elements: ElementsNode, frames: { sequence: FrameNode | undefined; shots: ReadonlyMap<number, FrameNode> }, shared: Shared): VideoNode[] {
  const { config, names } = shared;
  const kept = elements.set.elements.map((element) => element.id);
  const audio = sequence.audio ?? config.video.audio;
  // Mentions become @ElementN wherever elements are sent, with or without a start frame.
  const asElements = klingEndpoint(config.video.tier, sequence.grid !== undefined, kept.length).endsWith('reference-to-video');
  const shots = sequence.shots.map((shot, i) => ({ shot: i + 1, prompt: rewriteMentions(shot.prompt, kept, names, asElements), duration: shot.duration }));
  const video = (part: string, recordId: string, shotNumber: number | undefined, picked: typeof shots): VideoNode => {
    const frame = (shotNumber === undefined ? undefined : frames.shots.get(shotNumber)) ?? frames.sequence;
    const endpoint = klingEndpoint(config.video.tier, frame !== undefined, kept.length);
    const { usd: rate, date: rateDate } = videoRate(config, endpoint, audio, shared.priced);
    const seconds = picked.reduce((sum, shot) => sum + Number(shot.duration), 0);
    return {
      id: nodeId(sequence.id, part),
      kind: shotNumber === undefined ? 'take' : 'shot',
      sequence: sequence.id,
      deps: frame === undefined ? [elements.id] : [elements.id, frame.id],
      lane: shared.lane.video,
      estimateUsd: seconds * rate,
      recordId,
      shot: shotNumber,
      params: {
        aspectRatio: config.aspectRatio,
        audio,
        duration: String(seconds),
        endpoint,
        negativePrompt: sequence.negativePrompt ?? null,
        provider: config.providers.video,
        shots: picked.map(({ prompt, duration }) => ({ duration, prompt })),
      },
      ratePerSecond: rate,
      priceDate: rateDate,
      title: [sequence.id, sequence.section, sequence.title].filter((part) => part !== undefined).join(' · '),
      elements: elements.id,
      frame: frame?.id,
      shotPrompts: sequence.shots.map((shot, i) => ({ shot: i + 1, prompt: shot.prompt, duration: shot.duration, overridden: overridden.has(i + 1) })).filter((shot) => picked.some((p) => p.shot === shot.shot)),
      elementIds: kept,
    };
  };
  if (sequence.mode === 'individual') return shots.map((shot) => video(shotPart(shot.shot), `${sequence.id}_${shotPart(shot.shot)}`, shot.shot, [shot]));
  return [video('take', sequence.id, undefined, shots)];
}

/**
 * Compiles a loaded project into the graph: one chain per sequence,
 * elements → grid → frame → take (or one shot node per shot in individual mode).
 * Pure: everything it needs comes in as arguments.
 */
export function compileGraph(input: CompileInput): Result<Graph, CgError> {
  const { project, config } = input;
  const priced: Priced = { issues: [], configFile: input.configFile };
  const shared: Shared = {
    input,
    config,
    priced,
    names: new Map(Object.entries(project.bible.elements).map(([id, element]) => [id, element.name])),
    lane: lanes(config),
    size: imageDimensions(config.image.model, config.image.size, config.aspectRatio),
    grid: imagePrice(config, priced),
  };
  const nodes = new Map<NodeId, GraphNode>();
  const order: NodeId[] = [];
  const bySequence = new Map<string, NodeId[]>();
  const warnings: CapWarning[] = [];
  const variants = applyOverrides(project.plan.sequences, input.overrides ?? new Map(), config);
  if (!variants.ok) return variants;
  const sources = new Map<string, PictureSources>();
  for (const { sequence, overridden } of variants.value) {
    const elements = elementsNode(sequence, shared);
    if (elements.warning !== undefined) warnings.push(elements.warning);
    const [grid, frame] = gridNodes(sequence, elements.node, shared);
    const shotFrames = shotFrameNodes(sequence, grid, shared);
    const frames = { sequence: frame, shots: shotFrames };
    const videos = videoNodes(sequence, overridden, elements.node, frames, shared);
    sources.set(sequence.id, { videos: videos.map((node) => node.id), frame: frame?.id, grid: grid?.id });
    const chain: GraphNode[] = [elements.node, ...(grid === undefined ? [] : [grid]), ...(frame === undefined ? [] : [frame]), ...shotFrames.values(), ...videos];
    for (const node of chain) {
      nodes.set(node.id, node);
      order.push(node.id);
    }
    bySequence.set(sequence.id, chain.map((node) => node.id));
  }
  if (priced.issues.length > 0) return err({ kind: 'input-invalid', issues: priced.issues });
  const { plan } = project;
  const songLengthSec = plan.song?.length === undefined ? undefined : clockSeconds(plan.song.length);
  const cut = cutNodes({ title: plan.title, sequences: plan.sequences, sources, song: input.song, format: config.cut, overlay: input.overlay ?? false });
  for (const node of cut) {
    nodes.set(node.id, node);
    order.push(node.id);
  }
  if (cut.length > 0) bySequence.set(cutSequence, cut.map((node) => node.id));
  const timing = timingWarnings(plan.sequences, input.song?.durationSec ?? songLengthSec);
  return ok({ nodes, order, bySequence, warnings, timing, cut: cut.find((node) => node.kind === 'cut')?.id });
}
