import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { usd } from '../../reporters/format.ts';
import { reasonText } from '../../reporters/reasons.ts';
import { updateDecisions, type StoredPick } from '../../state/decisions-file.ts';
import { isComplete } from '../../state/take-status.ts';
import { CgFailure, type ExitCode } from '../../util/errors.ts';
import type { BlobHash } from '../../util/hash.ts';
import { loadSharp } from '../../util/load-sharp.ts';
import type { Io } from '../io.ts';
import { withProjectLock } from '../lock.ts';
import { planOnly } from '../plan-only.ts';
import { openWorkspace, type Workspace } from '../workspace.ts';
import { refreshSequences, sequenceOf } from './decide.ts';

export interface PickArgs {
  project: string | undefined;
  sequence: string;
  cell: number | undefined;
  quadrant: string | undefined;
  /** An earlier grid of the same inputs: its take id (SEQ03_grid_take001) or a prefix of its hash. */
  grid: string | undefined;
  /** A start frame made elsewhere. */
  file: string | undefined;
  /** The start frame of this one shot (individual mode), not of the sequence. */
  shot: number | undefined;
}

const quadrants: Record<string, number> = { top_left: 1, top_right: 2, bottom_left: 3, bottom_right: 4 };

/** Kling takes start frames of at least 300 px a side and an aspect ratio of 0.40–2.50 (apis.md). */
const minSide = 300;
const aspectLimits = [0.4, 2.5] as const;

function cellOf(ws: Workspace, args: Pick<PickArgs, 'cell' | 'quadrant'>): number {
  const { rows, cols } = ws.projectConfig.grid;
  let cell = args.cell;
  if (args.quadrant !== undefined) {
    if (rows !== 2 || cols !== 2) throw new CgFailure({ kind: 'usage', message: `--quadrant names cells of a 2x2 grid; this grid is ${rows}x${cols}: use --cell 1-${rows * cols}` });
    cell = quadrants[args.quadrant];
  }
  if (cell === undefined || !Number.isInteger(cell) || cell < 1 || cell > rows * cols) {
    throw new CgFailure({ kind: 'usage', message: `say which cell: --cell 1-${rows * cols} (row by row from the top left)${rows === 2 && cols === 2 ? ' or --quadrant top_left|top_right|bottom_left|bottom_right' : ''}, or --file PATH` });
  }
  return cell;
}

/** The grids a cell may be picked from: the current one by default, or an earlier one of the same inputs. */
async function gridOf(io: Io, ws: Workspace, sequence: string, wanted: string | undefined): Promise<{ hash: BlobHash; name: string }> {
  const { nodes, facts } = await planOnly(io, ws, [`${sequence}:grid`]);
  const current = nodes.find((node) => node.id === `${sequence}:grid`);
  if (current?.action !== 'reuse' || current.outputHash === undefined) {
    throw new CgFailure({ kind: 'grid-not-built', sequence, why: current === undefined ? 'unknown' : reasonText(current.reason) });
  }
  const choices = await facts.gridChoices(`${sequence}:grid`);
  const takes = ((await ws.records()).get(`${sequence}_grid`)?.takes ?? []).filter((take) => isComplete(take.status) && take.blob !== null && choices.has(take.blob));
  const named = (hash: BlobHash): string => takes.findLast((take) => take.blob === hash)?.output ?? hash.slice(0, 19);
  if (wanted === undefined) return { hash: current.outputHash, name: named(current.outputHash) };
  const found = takes.filter((take) => take.takeId === wanted || (wanted.length >= 6 && (take.blob ?? '').replace('sha256:', '').startsWith(wanted.replace('sha256:', ''))));
  const hashes = [...new Set(found.map((take) => take.blob as BlobHash))];
  if (hashes.length !== 1 || hashes[0] === undefined) {
    const list = takes.map((take) => `${take.takeId} (${(take.blob ?? '').slice(7, 15)})`).join(', ');
    throw new CgFailure({ kind: 'usage', message: `${hashes.length === 0 ? 'no' : 'more than one'} grid of ${sequence} made from the current plan matches "${wanted}"; its grids are: ${list}` });
  }
  return { hash: hashes[0], name: named(hashes[0]) };
}

/** A start frame made elsewhere, checked before anything is written: an image the video model takes. */
async function checkedFile(io: Io, ws: Workspace, path: string): Promise<{ bytes: Uint8Array; name: string; warning: string | undefined }> {
  const absolute = resolve(io.cwd, path);
  const name = relative(ws.root, absolute);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    const why = error instanceof Error && 'code' in error && error.code === 'EISDIR' ? 'it is a folder' : 'it cannot be read (no such file?)';
    throw new CgFailure({ kind: 'bad-frame-file', file: path, why });
  }
  const sharp = await loadSharp();
  const meta = await sharp(bytes).metadata().catch(() => undefined);
  if (meta === undefined || !['png', 'jpeg', 'webp'].includes(meta.format ?? '') || meta.width === undefined || meta.height === undefined) {
    throw new CgFailure({ kind: 'bad-frame-file', file: path, why: 'it is not a PNG, JPEG or WebP image' });
  }
  const { width, height } = meta;
  if (Math.min(width, height) < minSide) throw new CgFailure({ kind: 'bad-frame-file', file: path, why: `it is ${width}×${height}; the video model needs at least ${minSide} px on each side` });
  const aspect = width / height;
  if (aspect < aspectLimits[0] || aspect > aspectLimits[1]) throw new CgFailure({ kind: 'bad-frame-file', file: path, why: `its aspect ratio ${aspect.toFixed(2)} is outside the video model's ${aspectLimits[0]}–${aspectLimits[1]}` });
  const [w, h] = ws.projectConfig.aspectRatio.split(':').map(Number);
  const expected = (w ?? 16) / (h ?? 9);
  const warning = Math.abs(aspect - expected) / expected > 0.05 ? `${name} is ${width}×${height} (${aspect.toFixed(2)}), not ${ws.projectConfig.aspectRatio}: the video will be framed from it as it is` : undefined;
  return { bytes, name, warning };
}

export interface PickDone {
  sequence: string;
  /** The shot whose own start frame this is; undefined for the sequence's. */
  shot: number | undefined;
  /** What was picked, in words: `picked cell 2 of takes/SEQ03/SEQ03_grid_take001.png`. */
  said: string;
  from: 'cell' | 'file';
  /** Said before the pick was written: the file's shape differs from the project's aspect ratio. */
  warning: string | undefined;
}

/** Records the sequence's start frame in decisions.json: a cell of one of its grids (named by hash), or a file made elsewhere. */
export async function recordPick(io: Io, ws: Workspace, args: Omit<PickArgs, 'project'>): Promise<PickDone> {
  const sequence = sequenceOf(ws, args.sequence);
  const planned = ws.project.plan.sequences.find((s) => s.id === sequence);
  const shots = planned?.shots.length ?? 0;
  if (args.shot !== undefined && (!Number.isInteger(args.shot) || args.shot < 1 || args.shot > shots)) {
    throw new CgFailure({ kind: 'usage', message: `${sequence} has shots 1–${shots}: --shot names one of them` });
  }
  // A shot's own start frame may come from a file even where the sequence has no grid.
  if (!ws.graph.nodes.has(`${sequence}:grid`) && (args.shot === undefined || args.file === undefined)) throw new CgFailure({ kind: 'no-grid', sequence });
  let pick: StoredPick;
  let said: string;
  let warning: string | undefined;
  if (args.file !== undefined) {
    if (args.cell !== undefined || args.quadrant !== undefined || args.grid !== undefined) throw new CgFailure({ kind: 'usage', message: '--file is a start frame of its own: give it without --cell, --quadrant or --grid' });
    const file = await checkedFile(io, ws, args.file);
    warning = file.warning;
    const hash = await ws.blobs.put(file.bytes);
    pick = { file: hash, name: file.name, at: io.clock.now().toISOString() };
    said = `${file.name} (${hash.slice(7, 15)}) is the start frame`;
  } else {
    const cell = cellOf(ws, args);
    const grid = await gridOf(io, ws, sequence, args.grid);
    pick = { grid: grid.hash, cell, at: io.clock.now().toISOString() };
    said = `picked cell ${cell} of ${grid.name}`;
  }
  const shot = args.shot;
  await withProjectLock(io, ws.paths, `cg pick ${sequence}`, { wait: true }, async () => {
    await updateDecisions(ws.paths.decisions, (decisions) => {
      const entry = decisions.sequences[sequence] ?? {};
      decisions.sequences[sequence] = shot === undefined ? { ...entry, pick } : { ...entry, shotPicks: { ...entry.shotPicks, [String(shot)]: pick } };
    }, () => ws.faults('write:decisions'));
    await refreshSequences(io, ws);
  });
  return { sequence, shot, said, from: 'file' in pick ? 'file' : 'cell', warning };
}

/** `cg pick`: records the start frame and says what the next build does with it. */
export async function pickCommand(io: Io, args: PickArgs): Promise<ExitCode> {
  const ws = await openWorkspace(io, args.project);
  const done = await recordPick(io, ws, args);
  const { sequence, said, shot } = done;
  if (done.warning !== undefined) io.stderr.write(`cg: warning: ${done.warning}\n`);
  if (shot !== undefined) {
    const mode = ws.project.plan.sequences.find((s) => s.id === sequence)?.mode;
    const how = mode === 'individual' ? `cg build ${sequence}` : `cg build ${sequence} --mode individual`;
    io.stdout.write(`${sequence} shot ${shot}: ${said}. ${how} makes that shot's clip from it.\n`);
    return 0;
  }
  const take = ws.graph.nodes.get(`${sequence}:take`);
  io.stdout.write(`${sequence}: ${said}. cg build ${sequence} ${done.from === 'file' ? 'uses it' : 'cuts it'} and makes the take${take === undefined ? '' : ` (${usd(take.estimateUsd)} at real prices)`}.\n`);
  return 0;
}
