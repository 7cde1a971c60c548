import { readFile } from 'node:fs/promises';
import type { NodeReport } from '../graph/events.ts';
import { deriveSequences, type SequenceFacts, type SequencesDocument } from '../state/derive-sequences.ts';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomic-fs.ts';
import { hashJson } from '../util/hash.ts';
import type { Workspace } from './workspace.ts';

/**
 * What each sequence's nodes came to, as plain facts for the state layer.
 * `ran` says whether 'run' actions really ran (a build) or only would (a plan).
 */
export function sequenceFacts(ws: Workspace, reports: readonly NodeReport[], ran: boolean): SequenceFacts[] {
  const byId = new Map(reports.map((report) => [report.id, report]));
  const current = (id: string): NodeReport['key'] => {
    const report = byId.get(id);
    if (report === undefined) return undefined;
    return report.action === 'reuse' || (ran && report.action === 'run') ? report.key : undefined;
  };
  return ws.project.plan.sequences.map((sequence) => {
    const decision = ws.project.decisions.sequences[sequence.id];
    const ids = ws.graph.bySequence.get(sequence.id) ?? [];
    const videos = ids
      .map((id) => ws.graph.nodes.get(id))
      .flatMap((node) => (node !== undefined && (node.kind === 'take' || node.kind === 'shot') ? [{ recordId: node.recordId, currentKey: current(node.id) }] : []));
    const frame = byId.get(`${sequence.id}:frame`);
    return {
      id: sequence.id,
      section: sequence.section,
      time: sequence.time,
      title: sequence.title,
      mode: sequence.mode,
      grid:
        sequence.grid === undefined
          ? undefined
          : {
              recordId: `${sequence.id}_grid`,
              currentKey: current(`${sequence.id}:grid`),
              pickCell: decision?.pick?.cell,
              frameReady: frame !== undefined && frame.action !== 'blocked' && frame.action !== 'failed',
            },
      videos,
      approved: decision?.approved,
      final: decision?.final ?? false,
    };
  });
}

function markerFile(ws: Workspace): string {
  return join(ws.paths.cache, 'derived.json');
}

/** Voids the derived-state marker: called before a command changes any execution record. */
export async function invalidateSequences(ws: Workspace): Promise<void> {
  await rm(markerFile(ws), { force: true });
}

/**
 * Re-derives state/client/sequences.json; written only when it changed. When neither
 * the facts nor any record changed since the last derivation (a marker remembers the
 * facts' hash; record writes delete it), the file on disk is already the answer and
 * no record is read.
 */
export async function writeSequences(ws: Workspace, facts: readonly SequenceFacts[]): Promise<SequencesDocument> {
  const factsHash = hashJson(facts);
  const existing = await readFile(ws.paths.sequencesJson, 'utf8').catch(() => undefined);
  const marker = (await readJsonIfExists(markerFile(ws)).catch(() => undefined)) as { facts?: string } | undefined;
  if (existing !== undefined && marker?.facts === factsHash) {
    try {
      return JSON.parse(existing) as SequencesDocument;
    } catch {
      // a damaged file is derived again below
    }
  }
  const document = deriveSequences(ws.paths.name, facts, await ws.records());
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (existing !== text) await writeJsonAtomic(ws.paths.sequencesJson, document, () => ws.faults('write:sequences'));
  await writeJsonAtomic(markerFile(ws), { facts: factsHash });
  return document;
}
