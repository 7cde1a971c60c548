import type { BlobHash, NodeKey } from '../util/hash.ts';

/**
 * The journal of paid work: a take is written down (with the provider's request
 * id) before anyone waits on it, so an interrupted build resumes instead of
 * paying again. The execution records in src/state implement it.
 */

/** A shot's prompt as sent, in the plan's words (`@maya`), kept on every take (per-shot prompt history). */
export interface ShotPrompt {
  /** 1-based, as in SEQ08:shot03. */
  shot: number;
  prompt: string;
  duration: string;
  /** The prompt came from `cg build --shot-override`, not plan.json (absent on takes made before overrides existed). */
  overridden?: boolean;
}

export type Medium = 'video' | 'image';

export interface NewTake {
  recordId: string;
  sequence: string;
  nodeId: string;
  medium: Medium;
  key: NodeKey;
  variant: number;
  provider: string;
  /** Endpoint (video) or model (image). */
  model: string;
  shotPrompts: ShotPrompt[];
  startFrame: BlobHash | null;
  elements: string[];
  inputs: Record<string, unknown>;
  estimateUsd: number;
}

export interface StoredTake {
  output: string;
  blob: BlobHash;
  costUsd: number;
  requestId: string | null;
}

/** A complete take as its record keeps it: what the action cache would hold of its result. */
export interface MadeTake extends StoredTake {
  takeId: string;
  provider: string;
  model: string;
  createdAt: string;
}

export interface FoundTake {
  takeId: string;
  output: string;
  /** Where the provider still keeps the result, if it said (see Take.resultUrl). */
  resultUrl: string | null;
  resultAt: string | null;
}

export interface BegunTake {
  takeId: string;
  /** The provider job an interrupted build left running: resume it. */
  resumeRequestId: string | null;
  /** An interrupted build was submitting when it stopped: the job may exist and be billed. */
  submitStartedAt: string | null;
  /** The provider refused these very inputs last time, with these words (not retried unless asked). */
  refused: string | null;
}

export interface TakeJournal {
  /** Registers a take for this key, or finds the unfinished one an interrupted build left. */
  begin(take: NewTake, retryRefused: boolean): Promise<BegunTake>;
  /** Marks a submit as under way (see VideoJournal.submitting), or clears the mark (`false`). */
  submitting(recordId: string, takeId: string, underWay: boolean): Promise<void>;
  submitted(recordId: string, takeId: string, requestId: string): Promise<void>;
  processing(recordId: string, takeId: string): Promise<void>;
  /** The job's place in the provider's queue (written only when it moves). */
  queued(recordId: string, takeId: string, position: number): Promise<void>;
  /** The provider's result is ready at this URL (downloaded next). */
  resultReady(recordId: string, takeId: string, url: string): Promise<void>;
  complete(recordId: string, takeId: string, stored: StoredTake): Promise<void>;
  /** `final`: the provider refused these inputs (4xx, blocked); the same inputs are not tried again unasked. */
  failed(recordId: string, takeId: string, message: string, final: boolean): Promise<void>;
  /** The complete take that holds this key's result, if any (read only). */
  find(recordId: string, key: NodeKey): Promise<FoundTake | undefined>;
  /** The same with its stored result (read only): what puts a result the action cache lost back. */
  made(recordId: string, key: NodeKey): Promise<MadeTake | undefined>;
  /** A cached result is reused: make sure a complete take names it; returns that take. */
  reconcile(take: NewTake, stored: Omit<StoredTake, 'output'> & { extension: string }): Promise<FoundTake>;
}

/** One paid provider call, for the cost ledger. */
export interface PaidCall {
  node: string;
  /** The node key paid for, and which of its calls this was (from 0): a call is on the ledger once. */
  key: NodeKey;
  call: number;
  /** Set for the calls of an attempt that failed (when it failed): apart from the result's calls. */
  attempt?: string;
  /** The date of the price-table entry the rate came from. */
  priceDate: string;
  sequence: string;
  takeId: string | null;
  provider: string;
  model: string;
  units: number;
  unit: 'image' | 'second';
  rateUsd: number;
  usd: number;
  estimateUsd: number;
  requestId: string | null;
}
