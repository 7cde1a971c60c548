import type { BlobHash } from '../util/hash.ts';
import type { Sequence } from '../plan/schema.ts';
import { clockSeconds, clockText } from '../plan/song-time.ts';
import type { AudioNode, CardText, CutFormat, CutNode, GraphNode, NodeId, SegmentNode, TimingWarning } from './nodes.ts';

/** The song file the plan names, as the workspace found it. */
export interface SongFile {
  /** Relative to the project folder. */
  file: string;
  /** Absolute. */
  path: string;
  hash: BlobHash;
  durationSec: number;
  /** Its audio codec, as ffmpeg names it: an AAC song goes into the cut as it is. */
  codec: string;
}

/** The nodes of one sequence the cut may take its picture from. */
export interface PictureSources {
  videos: NodeId[];
  frame: NodeId | undefined;
  grid: NodeId | undefined;
}

export interface CutInput {
  title: string;
  sequences: readonly Sequence[];
  sources: ReadonlyMap<string, PictureSources>;
  song: SongFile | undefined;
  format: CutFormat;
  overlay: boolean;
}

/** The cut's own pseudo-sequence: `cg build CUT`, `CUT:cut`. */
export const cutSequence = 'CUT';

interface Slot {
  sequence: Sequence;
  start: number;
  end: number;
}

function slotsOf(sequences: readonly Sequence[]): Slot[] {
  return sequences
    .flatMap((sequence) => (sequence.time === undefined ? [] : [{ sequence, start: clockSeconds(sequence.time.start), end: clockSeconds(sequence.time.end) }]))
    .sort((a, b) => a.start - b.start || a.end - b.end);
}

/** About a frame: the song encoder's padding (3:24 measures 3:24.02) is no gap. */
const slack = 0.05;

/** Shots that do not fill their slot, overlaps, gaps, sequences past the song's end or without a time. */
export function timingWarnings(sequences: readonly Sequence[], songSec: number | undefined): TimingWarning[] {
  const warnings: TimingWarning[] = [];
  for (const sequence of sequences) if (sequence.time === undefined) warnings.push({ kind: 'no-time', sequence: sequence.id });
  const slots = slotsOf(sequences);
  let cursor = 0;
  let previous: string | undefined;
  for (const { sequence, start, end } of slots) {
    const shotsSec = sequence.shots.reduce((sum, shot) => sum + Number(shot.duration), 0);
    if (start > cursor + slack) warnings.push({ kind: 'gap', after: previous, before: sequence.id, start: cursor, end: start });
    else if (start < cursor - 1e-6 && previous !== undefined) warnings.push({ kind: 'overlap', sequence: sequence.id, other: previous, start, end: Math.min(cursor, end) });
    if (Math.abs(shotsSec - (end - start)) > 1e-6) warnings.push({ kind: 'slot-fill', sequence: sequence.id, shotsSec, slot: { start, end } });
    if (songSec !== undefined && end > songSec + slack) warnings.push({ kind: 'past-song', sequence: sequence.id, end, songSec });
    if (end > cursor) {
      cursor = end;
      previous = sequence.id;
    }
  }
  if (songSec !== undefined && songSec > cursor + slack) warnings.push({ kind: 'gap', after: previous, before: undefined, start: cursor, end: songSec });
  return warnings;
}

function card(sequence: Sequence, start: number, end: number): CardText {
  const place = `${sequence.section} · ${clockText(start)}–${clockText(end)}`;
  return { heading: sequence.id, lines: sequence.title === undefined ? [place] : [sequence.title, place] };
}

/**
 * The cut's nodes: the song's audio, a segment per timed sequence and per gap, in song order,
 * and the cut joining them. Each slot's frames are counted from the song's start (rounded
 * once per boundary), so the segments add up to the song's length without drift.
 */
export function cutNodes(input: CutInput): GraphNode[] {
  const { song, format } = input;
  if (song === undefined) return [];
  const frameAt = (seconds: number): number => Math.round(Math.min(seconds, song.durationSec) * format.fps);
  const audio: AudioNode = { id: `${cutSequence}:audio`, kind: 'audio', sequence: cutSequence, deps: [], lane: 'local', estimateUsd: 0, file: song.file, path: song.path, song: song.hash, durationSec: song.durationSec, copy: song.codec === 'aac' };
  const segments: SegmentNode[] = [];
  const base = { kind: 'segment' as const, lane: 'local' as const, estimateUsd: 0, format, overlay: input.overlay };
  let cursor = 0;
  const gap = (start: number, end: number): void => {
    const frames = frameAt(end) - frameAt(start);
    if (frames <= 0) return;
    const id = `${cutSequence}:gap${String(segments.filter((s) => s.sequence === cutSequence).length + 1).padStart(2, '0')}`;
    segments.push({ ...base, id, sequence: cutSequence, deps: [], firstFrame: frameAt(start), frames, videos: [], frame: undefined, grid: undefined, card: { heading: 'No sequence here', lines: [`${clockText(start)}–${clockText(end)}`] } });
  };
  for (const { sequence, start, end } of slotsOf(input.sequences)) {
    // An overlapping sequence starts where the one before it ends (the checks warn of it).
    const from = Math.max(start, cursor);
    if (from > cursor) gap(cursor, from);
    const frames = frameAt(end) - frameAt(from);
    if (frames <= 0) continue;
    const sources = input.sources.get(sequence.id) ?? { videos: [], frame: undefined, grid: undefined };
    const deps = [...sources.videos, ...(sources.frame === undefined ? [] : [sources.frame]), ...(sources.grid === undefined ? [] : [sources.grid])];
    segments.push({ ...base, id: `${sequence.id}:segment`, sequence: sequence.id, deps, firstFrame: frameAt(from), frames, ...sources, card: card(sequence, start, end) });
    cursor = Math.max(cursor, end);
  }
  if (song.durationSec > cursor) gap(cursor, song.durationSec);
  const cut: CutNode = {
    id: `${cutSequence}:cut`,
    kind: 'cut',
    sequence: cutSequence,
    deps: [...segments.map((segment) => segment.id), audio.id],
    lane: 'local',
    estimateUsd: 0,
    segments: segments.map((segment) => segment.id),
    audio: audio.id,
    title: input.title,
    durationSec: song.durationSec,
    format,
    overlay: input.overlay,
  };
  return [audio, ...segments, cut];
}
