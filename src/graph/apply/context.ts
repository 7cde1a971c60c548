import type { ActionCache } from '../../cache/action-cache.ts';
import type { BlobStore } from '../../cache/blob-store.ts';
import type { BuiltIndex } from '../../cache/built-index.ts';
import type { LandingStore } from '../../cache/landing.ts';
import type { OutputFiles } from '../../cache/output-files.ts';
import type { PaidCall, TakeJournal } from '../../cache/take-journal.ts';
import type { Clock, ImageProvider, VideoProvider } from '../../providers/types.ts';
import type { Faults } from '../../util/faults.ts';
import type { MediaTools } from '../../media/tools.ts';
import type { NodeKey } from '../../util/hash.ts';
import type { NodeDecision } from '../decide.ts';
import type { BuildEvent, NodeReport } from '../events.ts';
import { nodeReport, type PlanFacts } from '../plan.ts';
import type { Graph, GraphNode, Lane, NodeId } from '../nodes.ts';
import type { Reason } from '../reasons.ts';
import type { Refetch } from '../restore.ts';

/** Each provider made on first use. */
export interface Providers {
  image: () => Promise<ImageProvider>;
  video: () => Promise<VideoProvider>;
}

/** Where results go: the stores a build writes. */
export interface Stores {
  blobs: BlobStore;
  actions: ActionCache;
  built: BuiltIndex;
  journal: TakeJournal;
  /** Paid results as they arrive, so a crash before they are stored does not pay again. */
  landing: LandingStore;
  /** The readable copies of outputs (takes/…), checked by hash. */
  files: OutputFiles;
}

/** Everything applying a plan needs: the planner's facts (to decide again what changed), stores, providers, limits. */
export interface ApplyContext {
  graph: Graph;
  facts: PlanFacts;
  stores: Stores;
  /** Each created on first use, so a no-op build loads no SDK and no image library. */
  providers: Providers;
  /** Fetches a paid result again from the provider's URL when every local copy is damaged. */
  refetch: Refetch | undefined;
  readFile: (path: string) => Promise<Uint8Array>;
  /** ffmpeg and a scratch folder, for the cut's segments and join. */
  media: MediaTools;
  /** Crash points of the test harness (a no-op outside it). */
  faults: Faults;
  clock: Clock;
  signal: AbortSignal;
  concurrency: Record<Lane, number>;
  jobs: number;
  /** --max-cost: no paid node starts once what was spent plus what is running would pass it. */
  maxCostUsd: number | undefined;
  /** False when no billed node may start (cg watch waiting for consent); free nodes still run. */
  maySpend: boolean;
  /** Submit again a take whose earlier submit was interrupted with an unknown outcome. */
  resubmit: boolean;
  /** Try again inputs the provider refused last time (4xx, blocked prompt). */
  retryRefused: boolean;
  emit: (event: BuildEvent) => void;
  /** Appends paid calls to the cost ledger (idempotent per call). */
  onPaid: (calls: PaidCall[]) => Promise<void>;
  /** Remembers a retake's variant once money is committed to it. */
  onVariant: (sequence: string, baseKey: NodeKey, variant: number) => Promise<void>;
}

/** What one build did, node by node. */
export interface BuildReport {
  nodes: NodeReport[];
  totalCostUsd: number;
  estimateUsd: number;
  interrupted: boolean;
  failures: Array<{ nodeId: string; reason: Reason }>;
}

/** The state of one build in progress, shared by the scheduler and the runners. */
export class BuildRun {
  readonly ctx: ApplyContext;
  readonly reports = new Map<NodeId, NodeReport>();
  readonly decisions = new Map<NodeId, NodeDecision>();
  readonly failures: Array<{ nodeId: string; reason: Reason }> = [];
  /** Set once a provider refused the account: nothing paid starts after that. */
  accountStop: string | undefined;

  constructor(ctx: ApplyContext) {
    this.ctx = ctx;
  }

  report(node: GraphNode, fields: Partial<NodeReport> & Pick<NodeReport, 'action' | 'reason'>): void {
    this.reports.set(node.id, nodeReport(node, this.decisions.get(node.id), fields));
  }

  /** A node that failed: reported, counted, and its dependants blocked. */
  fail(node: GraphNode, reason: Reason, fields: Partial<NodeReport> = {}): { state: 'failed'; reason: Reason } {
    this.failures.push({ nodeId: node.id, reason });
    this.ctx.emit({ type: 'failed', nodeId: node.id, reason });
    this.report(node, { ...fields, action: 'failed', reason });
    return { state: 'failed', reason };
  }
}
