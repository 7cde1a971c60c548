import { readFile } from 'node:fs/promises';
import type { NodeReport } from '../graph/events.ts';
import { deriveSequences, type SequenceFacts, type SequencesDocument } from '../state/derive-sequences.ts';
import { writeJsonAtomic } from '../util/atomic-fs.ts';
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

/** Re-derives state/client/sequences.json; written only when it changed. */
export async function writeSequences(ws: Workspace, facts: readonly SequenceFacts[]): Promise<SequencesDocument> {
  const document = deriveSequences(ws.paths.name, facts, ws.records);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const existing = await readFile(ws.paths.sequencesJson, 'utf8').catch(() => undefined);
  if (existing !== text) await writeJsonAtomic(ws.paths.sequencesJson, document);
  return document;
}
