import type { NodeReport } from '../graph/events.ts';
import type { SequencesDocument } from '../state/derive-sequences.ts';
import { sequenceFacts, type FactsSequence } from '../state/sequence-facts.ts';
import type { RecordJournal } from '../state/record-journal.ts';
import { readRecords } from '../state/records.ts';
import { writeSequences, writeSomeSequences, type SequencesFile } from '../state/sequences-file.ts';
import { derivedMarkerFile } from './project.ts';
import type { Workspace } from './workspace.ts';

/** `journal`: the records as this command read and wrote them (else read from the files). */
function sequencesFile(ws: Workspace, journal?: Pick<RecordJournal, 'records'>): SequencesFile {
  return {
    project: ws.paths.name,
    file: ws.paths.sequencesJson,
    marker: derivedMarkerFile(ws.paths),
    records: (ids) => (journal === undefined ? readRecords(ws.paths.shots, ids) : journal.records(ids)),
    writes: ws.recordWrites,
    midWrite: () => ws.faults('write:sequences'),
  };
}

/** The plan's sequences as the state layer needs them. */
function factsSequences(ws: Workspace): FactsSequence[] {
  return ws.project.plan.sequences.map((sequence) => ({
    id: sequence.id,
    section: sequence.section,
    time: sequence.time,
    title: sequence.title,
    mode: sequence.mode,
    hasGrid: sequence.grid !== undefined,
    decision: ws.project.decisions.sequences[sequence.id],
    videoRecords: (ws.graph.bySequence.get(sequence.id) ?? []).flatMap((id) => {
      const node = ws.graph.nodes.get(id);
      return node !== undefined && (node.kind === 'take' || node.kind === 'shot') ? [{ nodeId: node.id, recordId: node.recordId }] : [];
    }),
  }));
}

/**
 * Re-derives state/client/sequences.json from what this command's nodes came to (a workspace of
 * the whole project); `journal`: the records as this command read and wrote them.
 */
export async function deriveState(ws: Workspace, nodes: readonly NodeReport[], ran: boolean, journal?: Pick<RecordJournal, 'records'>): Promise<SequencesDocument> {
  if (ws.narrowedFrom !== undefined) throw new Error('a narrowed workspace derives with deriveBuiltState');
  return writeSequences(sequencesFile(ws, journal), sequenceFacts(factsSequences(ws), nodes, ran));
}

/**
 * The same after a build. A workspace narrowed to some sequences derives only theirs; if the
 * others' entries are not where the last build left them, the whole project (`whole`) is
 * compiled to derive them too (`nodes` then holds every sequence's report lines).
 */
export async function deriveBuiltState(ws: Workspace, nodes: readonly NodeReport[], whole: () => Promise<Workspace>, journal: Pick<RecordJournal, 'records'>): Promise<void> {
  if (ws.narrowedFrom === undefined) {
    await deriveState(ws, nodes, true, journal);
    return;
  }
  const file = sequencesFile(ws, journal);
  const sequences = factsSequences(ws);
  // Only the narrowed sequences' facts are derived: their nodes, not the other 10,000 sequences'.
  const narrowed = new Set(sequences.map((sequence) => sequence.id));
  if (await writeSomeSequences(file, sequenceFacts(sequences, nodes.filter((node) => narrowed.has(node.sequence)), true), ws.narrowedFrom)) return;
  await writeSequences(file, sequenceFacts(factsSequences(await whole()), nodes, true));
}

/** Voids the derived state before a command changes an execution record. */
export function beforeRecordWrite(ws: Workspace, recordId: string): Promise<void> {
  return ws.recordWrites.before(derivedMarkerFile(ws.paths), recordId);
}
