import { join } from 'node:path';
import type { ActionCache, ActionResult } from '../cache/action-cache.ts';
import type { BlobStore } from '../cache/blob-store.ts';
import type { BuiltIndex } from '../cache/built-index.ts';
import type { LandingStore } from '../cache/landing.ts';
import type { NewTake, PaidCall, TakeJournal } from '../cache/take-journal.ts';
import type { Faults } from '../util/faults.ts';
import type { BlobHash, NodeKey } from '../util/hash.ts';
import { Semaphore } from '../util/semaphore.ts';
import type { Clock, ImageProvider, VideoJournal, VideoProvider } from '../providers/types.ts';
import { runElementsStep } from '../steps/elements.ts';
import { runFrameStep } from '../steps/frame.ts';
import { runGridStep } from '../steps/grid.ts';
import type { StepFailure, StepResult } from '../steps/step-types.ts';
import { runVideoStep } from '../steps/video.ts';
import { decideNode, predictableOutput, type NodeDecision, type Outcome, type PlanningContext } from './decide.ts';
import type { BuildEvent, NodeReport } from './events.ts';
import type { OutputFiles } from '../cache/output-files.ts';
import { restoreBlob, restoreOutput, type Refetch } from './restore.ts';
import { isPaid, type FrameNode, type Graph, type GraphNode, type GridNode, type Lane, type NodeId, type VideoNode } from './nodes.ts';
import { selectNodes, walkGraph } from './walk.ts';

export interface Providers {
  image: ImageProvider;
  video: VideoProvider;
}

export interface BuildOptions {
  graph: Graph;
  targets: readonly NodeId[];
  planning: PlanningContext;
  dryRun: boolean;
  blobs: BlobStore;
  actions: ActionCache;
  built: BuiltIndex;
  journal: TakeJournal;
  /** Paid results as they arrive, so a crash before they are stored does not pay again. */
  landing: LandingStore;
  /** Crash points of the test harness (a no-op outside it). */
  faults: Faults;
  /** The readable copies of outputs (takes/…), checked by hash. */
  files: OutputFiles;
  /** Fetches a paid result again from the provider's URL when every local copy is damaged. */
  refetch: Refetch | undefined;
  /** Created on first use, so a no-op build loads no SDK and no image library. */
  providers: () => Promise<Providers>;
  readFile: (path: string) => Promise<Uint8Array>;
  clock: Clock;
  signal: AbortSignal;
  concurrency: Record<Lane, number>;
  jobs: number;
  emit: (event: BuildEvent) => void;
  /** Appends paid calls to the cost ledger, after the result is stored and before it is reported. */
  onPaid: (calls: PaidCall[]) => Promise<void>;
  /** Submit again a take whose earlier submit was interrupted with an unknown outcome. */
  resubmit: boolean;
  /** Try again inputs the provider refused last time (4xx, blocked prompt). */
  retryRefused: boolean;
  /** --max-cost: no paid node starts once what was spent plus what is running would pass it. */
  maxCostUsd: number | undefined;
  /** A dry run also checks that reused outputs are on disk as recorded (see BuildReport.settled). */
  checkFiles?: boolean;
  /** Decisions of an earlier plan of the same graph: reused where a node's inputs came out the same. */
  memo?: ReadonlyMap<NodeId, MemoEntry>;
  /** Remembers a retake's variant once its result is safely stored. */
  onVariant: (sequence: string, baseKey: NodeKey, variant: number) => Promise<void>;
}

export interface MemoEntry {
  inputs: string;
  decision: NodeDecision;
}

/** What a node's dependencies came to, as a string: equal strings, equal decision. */
function inputsSignature(node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>): string {
  return node.deps
    .map((id) => {
      const outcome = deps.get(id);
      if (outcome === undefined) return '?';
      return outcome.state === 'done' || outcome.state === 'pending' ? `${outcome.state}:${outcome.output ?? ''}` : outcome.state;
    })
    .join('|');
}

export interface BuildReport {
  /** With `checkFiles`: nothing would run and every reused take is on disk as recorded, so a build has nothing to do. */
  settled: boolean;
  /** Each node's decision, for a following run to reuse (`memo`). */
  memo: Map<NodeId, MemoEntry>;
  nodes: NodeReport[];
  totalCostUsd: number;
  estimateUsd: number;
  interrupted: boolean;
  failures: Array<{ nodeId: string; message: string }>;
}

function failureText(error: StepFailure): string {
  return error.message;
}

function newTake(node: GridNode | VideoNode, decision: NodeDecision): NewTake {
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

/** The ledger lines of a finished paid node: one per image call, or the seconds of a video. */
function paidCalls(node: GridNode | VideoNode, key: NodeKey, takeId: string, result: Pick<ActionResult, 'costUsd' | 'model' | 'requestId'>): PaidCall[] {
  const { costUsd, model, requestId } = result;
  const base = { node: node.id, key, sequence: node.sequence, takeId, provider: node.params.provider, model, estimateUsd: node.estimateUsd, requestId };
  if (node.kind === 'grid') {
    // Every image call costs the unit price: the count follows from what was spent.
    const calls = Math.max(1, Math.round(costUsd / node.unitPriceUsd));
    return Array.from({ length: calls }, (_, call) => ({ ...base, call, units: 1, unit: 'image' as const, rateUsd: node.unitPriceUsd, usd: costUsd / calls }));
  }
  return [{ ...base, call: 0, units: Number(node.params.duration), unit: 'second', rateUsd: node.ratePerSecond, usd: costUsd }];
}

function frameFile(node: FrameNode, grid: BlobHash, cell: number): string {
  return join('takes', node.sequence, `${node.sequence}_frame_${grid.slice(7, 15)}_cell${cell}.png`);
}

/** Runs (or, for a dry run, only plans) the selected part of the graph. */
export async function runBuild(options: BuildOptions): Promise<BuildReport> {
  const { graph, blobs, actions, clock, emit } = options;
  const selected = selectNodes(graph, options.targets);
  const jobs = new Semaphore(Math.max(1, options.jobs));
  const lanes = new Map<Lane, Semaphore>(
    (Object.entries(options.concurrency) as Array<[Lane, number]>).map(([lane, size]) => [lane, new Semaphore(size)]),
  );
  const reports = new Map<NodeId, NodeReport>();
  const failures: Array<{ nodeId: string; message: string }> = [];
  let providers: Promise<Providers> | undefined;
  let accountStop: string | undefined;
  let committedUsd = 0;
  let unsettled = 0;

  const memo = new Map<NodeId, MemoEntry>();
  const report = (node: GraphNode, fields: Partial<NodeReport> & Pick<NodeReport, 'action' | 'reason'>): void => {
    const decision = memo.get(node.id)?.decision;
    reports.set(node.id, {
      id: node.id,
      kind: node.kind,
      sequence: node.sequence,
      costUsd: 0,
      estimateUsd: node.estimateUsd,
      takeId: null,
      output: null,
      key: decision?.key,
      outputHash: decision?.cached?.output.hash,
      changes: decision?.changes ?? [],
      ...fields,
    });
  };

  /** A paid result none of whose copies is left: reported, never silently paid for again. */
  const lost = (node: GraphNode, takeId: string | null, output: string, costUsd: number): Outcome => {
    const message = `its paid result (${takeId ?? node.id}, $${costUsd.toFixed(2)}) is lost: ${output} and the stored copy are damaged, and the provider no longer serves it. Put the file back from a backup and build again, or pay for a new take with cg build ${node.sequence} --retake`;
    failures.push({ nodeId: node.id, message });
    emit({ type: 'failed', nodeId: node.id, message });
    report(node, { action: 'failed', reason: message, takeId, output });
    return { state: 'failed', message };
  };

  const reuse = async (node: GraphNode, decision: NodeDecision, cached: ActionResult): Promise<Outcome | undefined> => {
    let takeId: string | null = null;
    let output: string | null = null;
    // Built with this very key last time: the take and its file are known without reading the record.
    const last = decision.key === undefined ? undefined : await options.built.get(node.id);
    const known = last !== undefined && last.key === decision.key && last.output !== null ? last : undefined;
    if (options.dryRun && isPaid(node) && decision.key !== undefined) {
      const found = known ?? (await options.journal.find(node.recordId, decision.key));
      takeId = found?.takeId ?? null;
      output = found?.output ?? null;
    }
    if (options.dryRun && options.checkFiles) {
      // Would a real build have anything to do here (a record to reconcile, a file to restore)?
      const needsFile = isPaid(node) || node.kind === 'frame';
      const intact = !needsFile || (known !== undefined && (await options.files.matches(known.output ?? '', cached.output.hash)));
      if (!intact) unsettled++;
    }
    if (!options.dryRun) {
      if (known !== undefined) {
        takeId = known.takeId;
        output = known.output;
      } else if (isPaid(node)) {
        const take = await options.journal.reconcile(newTake(node, decision), {
          blob: cached.output.hash,
          costUsd: cached.costUsd,
          requestId: cached.requestId,
          extension: cached.output.extension,
        });
        takeId = take.takeId;
        output = take.output;
        // Not known from the last build: one may have stopped before its ledger line or its cleanup.
        if (cached.costUsd > 0) await options.onPaid(paidCalls(node, cached.key, take.takeId, cached));
        await options.landing.delete(cached.key);
      } else if (node.kind === 'frame' && node.pick !== undefined) {
        const grid = (decision.material?.inputs['grid'] ?? null) as BlobHash | null;
        if (grid !== null) output = frameFile(node, grid, node.pick.cell);
      }
      if (output !== null) {
        const recordId = isPaid(node) ? node.recordId : undefined;
        const resultUrl = async (): Promise<string | null> => (recordId === undefined ? null : ((await options.journal.find(recordId, cached.key))?.resultUrl ?? null));
        const restored = await restoreOutput({ relative: output, output: cached.output, costUsd: cached.costUsd, resultUrl }, blobs, options.files, options.refetch);
        if (!restored.ok && restored.paid) return lost(node, takeId, output, cached.costUsd);
        if (!restored.ok) {
          await actions.delete(cached.key);
          return undefined; // a free result with no good copy: run the node again
        }
        if (restored.note !== undefined) emit({ type: 'warning', message: `${node.id}: ${restored.note}` });
      }
      if (decision.key !== undefined) await options.built.set(node.id, { key: decision.key, takeId, output });
    }
    report(node, { action: 'reuse', reason: decision.reason, takeId, output });
    return { state: 'done', output: cached.output.hash };
  };

  /**
   * After a step found an input damaged in the blob store: each damaged input is put back from
   * its readable file when that is intact; a free one that cannot be is forgotten (the next build
   * remakes it), a paid one is kept (never paid for again unasked). True when all were put back.
   */
  const repairInputs = async (node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>): Promise<boolean> => {
    let repaired = true;
    for (const dep of node.deps) {
      const outcome = deps.get(dep);
      if (outcome?.state !== 'done' || outcome.output === null || (await blobs.get(outcome.output)).ok) continue;
      const file = (await options.built.get(dep))?.output;
      if (file != null && (await restoreBlob(file, outcome.output, blobs, options.files))) continue;
      repaired = false;
      const decided = memo.get(dep)?.decision;
      if (decided?.key !== undefined && (decided.cached?.costUsd ?? reports.get(dep)?.costUsd ?? 0) <= 0) await actions.delete(decided.key);
    }
    return repaired;
  };

  const execute = async (node: GraphNode, decision: NodeDecision, deps: ReadonlyMap<NodeId, Outcome>): Promise<Outcome> => {
    const key = decision.key as NodeKey;
    const started = clock.now();
    emit({ type: 'started', nodeId: node.id, lane: node.lane });
    let takeId: string | null = null;
    const { faults } = options;
    // A retake's variant is a decision once money is committed to it (the submit, or a result
    // in hand): a build that stops after that point resumes the retake, not the earlier take.
    const rememberVariant = async (): Promise<void> => {
      if (decision.variant > 0 && decision.baseKey !== undefined) await options.onVariant(node.sequence, decision.baseKey, decision.variant);
    };
    let journal: VideoJournal = { resumeRequestId: null, submitting: async () => {}, notSubmitted: async () => {}, submitted: async () => {}, processing: async () => {}, resultReady: async () => {} };
    if (isPaid(node)) {
      const begun = await options.journal.begin(newTake(node, decision), options.retryRefused);
      faults('registered');
      const id = begun.takeId;
      takeId = id;
      if (begun.refused !== null) {
        const message = `the provider refused these same inputs last time (${begun.refused}); change the plan, or build with --retry-failed to try again (it may be charged)`;
        failures.push({ nodeId: node.id, message });
        emit({ type: 'failed', nodeId: node.id, message });
        report(node, { action: 'failed', reason: message, takeId });
        return { state: 'failed', message };
      }
      if (begun.submitStartedAt !== null && !options.resubmit) {
        const message = `an earlier build was interrupted while submitting this take (${begun.submitStartedAt}); the provider may have accepted and billed it. Check the provider's dashboard, then build it with --resubmit to submit again`;
        failures.push({ nodeId: node.id, message });
        emit({ type: 'failed', nodeId: node.id, message });
        report(node, { action: 'failed', reason: message, takeId });
        return { state: 'failed', message };
      }
      if (begun.resumeRequestId !== null) emit({ type: 'progress', nodeId: node.id, message: `resuming job ${begun.resumeRequestId} (no new submission)` });
      journal = {
        resumeRequestId: begun.resumeRequestId,
        submitting: async () => {
          await rememberVariant();
          await options.journal.submitting(node.recordId, id, true);
          faults('submitting');
        },
        notSubmitted: () => options.journal.submitting(node.recordId, id, false),
        submitted: async (requestId) => {
          faults('accepted');
          await options.journal.submitted(node.recordId, id, requestId);
          faults('journaled');
          emit({ type: 'progress', nodeId: node.id, message: `submitted as ${requestId}` });
        },
        processing: async () => {
          await options.journal.processing(node.recordId, id);
          emit({ type: 'progress', nodeId: node.id, message: 'generating' });
        },
        resultReady: async (url) => {
          await options.journal.resultReady(node.recordId, id, url);
          faults('result-url');
        },
      };
    }
    // A paid result that arrived before an interrupted build could store it: finish from it, unpaid.
    const landed = isPaid(node) ? await options.landing.get(key) : undefined;
    if (landed !== undefined) emit({ type: 'progress', nodeId: node.id, message: 'finishing from the result an interrupted build received (no new call)' });
    const loaded = (providers ??= options.providers());
    const input = (id: NodeId | undefined): BlobHash | null => {
      const outcome = id === undefined ? undefined : deps.get(id);
      return outcome?.state === 'done' ? outcome.output : null;
    };
    const runStep = async (): Promise<StepResult> => {
      switch (node.kind) {
        case 'elements':
          return runElementsStep(node.set, node.images, blobs, options.readFile);
        case 'grid':
          return runGridStep({
            params: node.params,
            references: node.references,
            maxAttempts: node.maxAttempts,
            unitPriceUsd: node.unitPriceUsd,
            nodeId: node.id,
            seed: key,
            blobs,
            provider: (await loaded).image,
            signal: options.signal,
          });
        case 'frame':
          return runFrameStep({ ...node.params, cell: node.pick?.cell ?? 1 }, input(node.grid) as BlobHash, blobs);
        case 'take':
        case 'shot': {
          // The element set is a pure function of the plan: the graph holds it (its hash is in the key).
          const elements = graph.nodes.get(node.elements);
          if (elements?.kind !== 'elements') throw new Error(`${node.id}: ${node.elements} is not an elements node`);
          return runVideoStep({
            params: node.params,
            title: node.title,
            startFrame: input(node.frame),
            elements: elements.set,
            ratePerSecond: node.ratePerSecond,
            nodeId: node.id,
            seed: key,
            blobs,
            provider: (await loaded).video,
            journal,
            signal: options.signal,
          });
        }
      }
    };
    let result = landed !== undefined ? ({ ok: true, value: landed } as const) : await runStep();
    // An input damaged in the blob store and put back from its readable file: try once more.
    if (!result.ok && result.error.kind === 'input-missing' && (await repairInputs(node, deps))) result = await runStep();
    if (!result.ok) {
      if (result.error.kind === 'aborted') {
        // Left as it is (registered or submitted): the next build resumes it.
        report(node, { action: 'blocked', reason: 'interrupted before it finished', takeId });
        return { state: 'blocked', reason: 'interrupted' };
      }
      if (result.error.kind === 'account') accountStop = result.error.message;
      const message = failureText(result.error);
      const final = result.error.kind === 'rejected' || result.error.kind === 'blocked';
      if (isPaid(node) && takeId !== null) await options.journal.failed(node.recordId, takeId, message, final);
      failures.push({ nodeId: node.id, message });
      emit({ type: 'failed', nodeId: node.id, message });
      report(node, { action: 'failed', reason: message, takeId });
      return { state: 'failed', message };
    }
    const step = result.value;
    if (isPaid(node) && landed === undefined) {
      await options.landing.put(key, step);
      faults('landed');
      await rememberVariant();
    }
    // The bytes reach the blob store before anything reports the take.
    const hash = await blobs.put(step.bytes);
    faults('blob-stored');
    let output: string | null = null;
    if (takeId !== null) output = join('takes', node.sequence, `${takeId}.${step.extension}`);
    else if (node.kind === 'frame') output = frameFile(node, input(node.grid) as BlobHash, node.pick?.cell ?? 1);
    if (output !== null) await options.files.write(output, step.bytes, hash);
    const finished = clock.now();
    const cached: ActionResult = {
      key,
      nodeId: node.id,
      kind: node.kind,
      output: { hash, size: step.bytes.byteLength, mimeType: step.mimeType, extension: step.extension },
      provider: node.kind === 'grid' || node.kind === 'take' || node.kind === 'shot' ? node.params.provider : 'local',
      model: step.model,
      costUsd: step.costUsd,
      estimateUsd: node.estimateUsd,
      requestId: step.requestId,
      createdAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
    };
    await actions.put(cached, decision.material);
    faults('action-stored');
    if (isPaid(node) && takeId !== null && output !== null) {
      await options.journal.complete(node.recordId, takeId, { output, blob: hash, costUsd: step.costUsd, requestId: step.requestId });
      faults('recorded');
      if (step.costUsd > 0) await options.onPaid(paidCalls(node, key, takeId, cached));
      await options.landing.delete(key);
    }
    await options.built.set(node.id, { key, takeId, output });
    for (const note of step.notes) emit({ type: 'warning', message: `${node.id}: ${note}` });
    emit({ type: 'finished', nodeId: node.id, takeId, output, costUsd: step.costUsd, calls: step.calls, durationMs: cached.durationMs, notes: step.notes });
    report(node, { action: 'run', reason: reports.get(node.id)?.reason ?? decision.reason, costUsd: step.costUsd, takeId, output, outputHash: hash });
    return { state: 'done', output: hash };
  };

  const visit = async (node: GraphNode, deps: ReadonlyMap<NodeId, Outcome>): Promise<Outcome> => {
    const inputs = inputsSignature(node, deps);
    const remembered = options.memo?.get(node.id);
    let decision = remembered?.inputs === inputs ? remembered.decision : await decideNode(node, deps, options.planning);
    memo.set(node.id, { inputs, decision });
    if (decision.action === 'reuse' && decision.cached !== undefined) {
      const reused = await reuse(node, decision, decision.cached);
      if (reused !== undefined) return reused;
      decision = { ...decision, action: 'run', reason: 'the cached result is missing or corrupt: rebuilding it', cached: undefined };
      memo.set(node.id, { inputs, decision });
    }
    if (decision.action === 'blocked') {
      report(node, { action: 'blocked', reason: decision.reason });
      return { state: 'blocked', reason: decision.reason };
    }
    report(node, { action: 'run', reason: decision.reason, costUsd: options.dryRun ? node.estimateUsd : 0 });
    if (options.dryRun || decision.key === undefined) {
      if (!options.dryRun) throw new Error(`${node.id}: asked to run without a key`);
      return { state: 'pending', output: predictableOutput(node) };
    }
    const lane = lanes.get(node.lane) ?? new Semaphore(1);
    return lane.run(() =>
      jobs.run(async () => {
        if (options.signal.aborted) {
          report(node, { action: 'blocked', reason: 'interrupted before it started' });
          return { state: 'blocked', reason: 'interrupted' } as const;
        }
        if (accountStop !== undefined && isPaid(node)) {
          report(node, { action: 'blocked', reason: `not submitted: ${accountStop}` });
          return { state: 'blocked', reason: accountStop } as const;
        }
        if (options.maxCostUsd !== undefined && isPaid(node) && committedUsd + node.estimateUsd > options.maxCostUsd + 1e-9) {
          const reason = `not submitted: --max-cost $${options.maxCostUsd.toFixed(2)} would be passed (spent or running: $${committedUsd.toFixed(2)}, this node: $${node.estimateUsd.toFixed(2)})`;
          report(node, { action: 'blocked', reason });
          return { state: 'blocked', reason } as const;
        }
        if (isPaid(node)) committedUsd += node.estimateUsd;
        const outcome = await execute(node, decision, deps);
        if (isPaid(node)) committedUsd += (reports.get(node.id)?.costUsd ?? 0) - node.estimateUsd;
        return outcome;
      }),
    );
  };

  await walkGraph(graph, selected, visit);
  const nodes = selected.map((id) => reports.get(id)).filter((r): r is NodeReport => r !== undefined);
  const totalCostUsd = nodes.reduce((sum, node) => sum + node.costUsd, 0);
  const estimateUsd = nodes.filter((node) => node.action === 'run' || node.action === 'failed').reduce((sum, node) => sum + node.estimateUsd, 0);
  const settled = unsettled === 0 && nodes.every((node) => node.action === 'reuse' || node.action === 'blocked');
  return { memo, nodes, totalCostUsd, estimateUsd, interrupted: options.signal.aborted, failures, settled };
}
