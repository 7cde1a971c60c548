import { join } from 'node:path';
import type { ActionResult } from '../../cache/action-cache.ts';
import type { NewTake, PaidCall } from '../../cache/take-journal.ts';
import type { BlobHash, NodeKey } from '../../util/hash.ts';
import type { NodeDecision } from '../decide.ts';
import type { KeyMaterial } from '../key-material.ts';
import type { CutNode, FrameNode, GridNode, VideoNode } from '../nodes.ts';
import type { OutputFiles } from '../../cache/output-files.ts';

/** The journal entry of a paid node about to run (or reconciled from a cached result). */
export function newTake(node: GridNode | VideoNode, decision: NodeDecision): NewTake {
  const inputs = decision.material?.inputs ?? {};
  const video = node.kind === 'grid' ? undefined : node;
  return {
    recordId: node.recordId,
    sequence: node.sequence,
    nodeId: node.id,
    medium: video === undefined ? 'image' : 'video',
    key: decision.key as NodeKey,
    variant: decision.variant,
    provider: node.params.provider,
    model: video === undefined ? (node as GridNode).params.model : video.params.endpoint,
    shotPrompts: video?.shotPrompts ?? [],
    startFrame: video === undefined ? null : ((inputs['startFrame'] ?? null) as BlobHash | null),
    elements: video?.elementIds ?? [],
    inputs,
    estimateUsd: node.estimateUsd,
  };
}

/**
 * The ledger lines of a paid node: one per image call, or the seconds of a video. `attempt`
 * names a failed attempt's calls apart from the result's, so both reach the ledger once.
 */
export function paidCalls(node: GridNode | VideoNode, key: NodeKey, takeId: string, result: Pick<ActionResult, 'costUsd' | 'model' | 'requestId'>, attempt?: string): PaidCall[] {
  const { costUsd, model, requestId } = result;
  const base = { node: node.id, key, ...(attempt === undefined ? {} : { attempt }), sequence: node.sequence, takeId, provider: node.params.provider, model, estimateUsd: node.estimateUsd, requestId, priceDate: node.priceDate };
  if (node.kind === 'grid') {
    // Every image call costs the unit price: the count follows from what was spent.
    const calls = Math.max(1, Math.round(costUsd / node.unitPriceUsd));
    return Array.from({ length: calls }, (_, call) => ({ ...base, call, units: 1, unit: 'image' as const, rateUsd: node.unitPriceUsd, usd: costUsd / calls }));
  }
  return [{ ...base, call: 0, units: Number(node.params.duration), unit: 'second', rateUsd: node.ratePerSecond, usd: costUsd }];
}

/** Where a start frame is written: named by the grid and cell it was cut from, or by the picked file. */
export function frameFile(node: FrameNode, material: KeyMaterial | undefined): string | null {
  const inputs = material?.inputs ?? {};
  const name = node.id.replace(':', '_'); // SEQ03_frame, or SEQ03_frame03 for a shot's own
  const file = inputs['file'] as BlobHash | undefined;
  if (file !== undefined) return join('takes', node.sequence, `${name}_${file.slice(7, 15)}_file.png`);
  const grid = inputs['grid'] as BlobHash | undefined;
  const cell = (material?.params as { cell?: unknown } | undefined)?.cell;
  return grid === undefined || typeof cell !== 'number' ? null : join('takes', node.sequence, `${name}_${grid.slice(7, 15)}_cell${cell}.png`);
}

/** `Afterglow Avenue (official music video)` → `Afterglow_Avenue_official_music_video`. */
function fileTitle(title: string): string {
  return title.replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '') || 'cut';
}

/** A new cut's file: `cut/<Title>_cut003.mp4`, numbered after the cuts already there (`_overlay` for review copies). */
export async function nextCutFile(node: CutNode, files: Pick<OutputFiles, 'list'>): Promise<string> {
  const title = fileTitle(node.title);
  const pattern = new RegExp(`^${title}_cut(\\d+)(_overlay)?\\.mp4$`);
  const taken = (await files.list('cut')).map((name) => Number(pattern.exec(name)?.[1] ?? 0));
  const next = String(Math.max(0, ...taken) + 1).padStart(3, '0');
  return join('cut', `${title}_cut${next}${node.overlay ? '_overlay' : ''}.mp4`);
}
