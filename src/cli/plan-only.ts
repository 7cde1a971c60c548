import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LandingStore } from '../cache/landing.ts';
import { noFaults } from '../util/faults.ts';
import { runBuild, type BuildReport } from '../graph/execute.ts';
import type { NodeId } from '../graph/nodes.ts';
import { RecordJournal } from '../state/record-journal.ts';
import type { Io } from './io.ts';
import { planningContext, type Workspace } from './workspace.ts';

/** Plans without running or writing anything: what `status`, `explain` and `pick` look at. */
export async function planOnly(io: Io, ws: Workspace, targets: readonly NodeId[]): Promise<BuildReport> {
  return runBuild({
    graph: ws.graph,
    targets,
    planning: await planningContext(ws, new Set()),
    dryRun: true,
    blobs: ws.blobs,
    actions: ws.actions,
    built: ws.built,
    journal: new RecordJournal(ws.paths.shots, () => io.clock.now(), () => Promise.reject(new Error('a plan never writes a record'))),
    landing: new LandingStore(join(ws.paths.cache, 'landing')),
    faults: noFaults,
    files: ws.files,
    refetch: undefined,
    providers: () => Promise.reject(new Error('a plan never calls a provider')),
    readFile: (path: string) => readFile(path),
    clock: io.clock,
    signal: io.signal,
    concurrency: ws.projectConfig.concurrency,
    jobs: 1,
    emit: () => {},
    onVariant: async () => {},
    onPaid: async () => {},
    maxCostUsd: undefined,
    resubmit: false,
    retryRefused: false,
  });
}
