import type { NodeId } from '../graph/nodes.ts';
import { planBuild, planReports, type BuildPlan, type PlanFacts, type PlannedReport } from '../graph/plan.ts';
import { loggedFacts, type ReadLog } from '../graph/read-log.ts';
import { RecordJournal } from '../state/record-journal.ts';
import type { Io } from './io.ts';
import { planningContext, type Workspace } from './workspace.ts';

/**
 * What the planner may read of a workspace. Its type holds no provider and nothing that
 * writes: a command that has only this cannot spend or change a file.
 */
export async function planFacts(io: Io, ws: Workspace, retake: ReadonlySet<NodeId>, journal?: Pick<RecordJournal, 'made' | 'find'>): Promise<PlanFacts> {
  // A build passes the journal it then writes with: a record is read once per command.
  const records = journal ?? new RecordJournal(ws.paths.shots, () => io.clock.now(), () => Promise.reject(new Error('a plan never writes a record')));
  return {
    ...(await planningContext(ws, retake, records)),
    built: ws.built,
    takes: { find: (recordId, key) => records.find(recordId, key) },
    files: ws.files,
  };
}

/** Plans without running or writing anything: what `status`, `explain`, `pick`, `cost` and `--dry-run` look at. */
export async function planOnly(io: Io, ws: Workspace, targets: readonly NodeId[], retake: ReadonlySet<NodeId> = new Set(), log?: ReadLog): Promise<{ plan: BuildPlan; nodes: PlannedReport[]; facts: PlanFacts }> {
  const read = await planFacts(io, ws, retake);
  const facts = log === undefined ? read : loggedFacts(read, log);
  const plan = await planBuild(ws.graph, targets, facts);
  return { plan, nodes: planReports(plan), facts };
}
