import { extname } from 'node:path';
import type { ActionResult } from '../cache/action-cache.ts';
import type { BlobStore } from '../cache/blob-store.ts';
import type { OutputFiles } from '../cache/output-files.ts';
import type { TakeJournal } from '../cache/take-journal.ts';
import { sniffImageType } from '../steps/step-types.ts';
import type { NodeKey } from '../util/hash.ts';
import type { GridNode, VideoNode } from './nodes.ts';

export interface RecordSources {
  journal: Pick<TakeJournal, 'made'>;
  blobs: Pick<BlobStore, 'get'>;
  files: Pick<OutputFiles, 'matches' | 'read'>;
}

/**
 * The action result a complete take of this key stands for, rebuilt from its record, when a
 * copy with the record's hash is left (the stored one, else the take's file). Read only: what
 * lets a build whose action cache lost a paid result reuse it instead of paying again.
 */
export async function recordedResult(node: GridNode | VideoNode, key: NodeKey, sources: RecordSources): Promise<ActionResult | undefined> {
  const made = await sources.journal.made(node.recordId, key);
  if (made === undefined) return undefined;
  const stored = await sources.blobs.get(made.blob);
  const bytes = stored.ok ? stored.value : (await sources.files.matches(made.output, made.blob)) ? await sources.files.read(made.output) : undefined;
  if (bytes === undefined) return undefined;
  return {
    key,
    nodeId: node.id,
    kind: node.kind,
    output: { hash: made.blob, size: bytes.byteLength, mimeType: node.kind === 'grid' ? sniffImageType(bytes) : 'video/mp4', extension: extname(made.output).slice(1) },
    provider: made.provider,
    model: made.model,
    costUsd: made.costUsd,
    estimateUsd: node.estimateUsd,
    requestId: made.requestId,
    createdAt: made.createdAt,
    durationMs: 0,
  };
}
