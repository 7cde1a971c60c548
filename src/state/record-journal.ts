import type { BegunTake, FoundTake, MadeTake, NewTake, StoredTake, TakeJournal } from '../cache/take-journal.ts';
import { noFaults, type Faults } from '../util/faults.ts';
import type { NodeKey } from '../util/hash.ts';
import { KeyedMutex } from '../util/semaphore.ts';
import { join } from 'node:path';
import { readRecord, takeIdFor, transition, writeRecord, type ExecutionRecord, type Take } from './records.ts';
import { isComplete, isInFlight, statusOf } from './take-status.ts';

/**
 * The take journal over the execution records (state/shots/<shotId>.json).
 * Every change is one atomic write; updates to one record never interleave.
 */
export class RecordJournal implements TakeJournal {
  readonly #shotsDir: string;
  readonly #now: () => Date;
  readonly #mutex = new KeyedMutex();
  readonly #records = new Map<string, ExecutionRecord | undefined>();
  readonly #beforeWrite: (recordId: string) => Promise<void>;
  readonly #faults: Faults;

  /** `beforeWrite` runs before each change to a record (it voids derived caches). */
  constructor(shotsDir: string, now: () => Date, beforeWrite: (recordId: string) => Promise<void>, faults: Faults = noFaults) {
    this.#shotsDir = shotsDir;
    this.#now = now;
    this.#beforeWrite = beforeWrite;
    this.#faults = faults;
  }

  async #read(recordId: string): Promise<ExecutionRecord | undefined> {
    if (!this.#records.has(recordId)) this.#records.set(recordId, await readRecord(this.#shotsDir, recordId));
    return this.#records.get(recordId);
  }

  /** The records with these ids, as this journal last read or wrote them; those that do not exist are left out. */
  async records(recordIds: readonly string[]): Promise<Map<string, ExecutionRecord>> {
    const records = await Promise.all(recordIds.map((id) => this.#read(id)));
    return new Map(records.flatMap((record) => (record === undefined ? [] : [[record.shotId, record] as const])));
  }

  async #update<T>(recordId: string, create: NewTake | undefined, change: (record: ExecutionRecord) => T): Promise<T> {
    return this.#mutex.run(recordId, async () => {
      let record = await this.#read(recordId);
      if (record === undefined) {
        if (create === undefined) throw new Error(`no execution record ${recordId}`);
        record = { shotId: recordId, sequence: create.sequence, node: create.nodeId, medium: create.medium, takes: [] };
      }
      const copy: ExecutionRecord = { ...record, takes: [...record.takes] };
      const result = change(copy);
      await this.#beforeWrite(recordId);
      await writeRecord(this.#shotsDir, copy, () => this.#faults('write:record'));
      this.#records.set(recordId, copy);
      return result;
    });
  }

  #newTake(record: ExecutionRecord, take: NewTake): Take {
    const at = this.#now().toISOString();
    return {
      takeId: takeIdFor(record.shotId, record.takes.length + 1),
      key: take.key,
      status: 'registered',
      history: [{ status: 'registered', at }],
      provider: take.provider,
      model: take.model,
      variant: take.variant,
      shot_prompts: take.shotPrompts,
      startFrame: take.startFrame,
      elements: take.elements,
      inputs: take.inputs,
      costUsd: 0,
      estimateUsd: take.estimateUsd,
      requestId: null,
      output: null,
      blob: null,
      error: null,
      createdAt: at,
    };
  }

  #modify(record: ExecutionRecord, takeId: string, change: (take: Take) => Take): void {
    const index = record.takes.findIndex((take) => take.takeId === takeId);
    const take = record.takes[index];
    if (take === undefined) throw new Error(`${record.shotId} has no take ${takeId}`);
    record.takes[index] = change(take);
  }

  async begin(take: NewTake, retryRefused: boolean): Promise<BegunTake> {
    return this.#update(take.recordId, take, (record) => {
      // An interrupted or failed attempt at the same key keeps its take number (and its request id).
      const open = record.takes.findLast((t) => t.key === take.key && !isComplete(t.status));
      if (open?.status === 'failed' && open.refused === true && !retryRefused) {
        return { takeId: open.takeId, resumeRequestId: null, submitStartedAt: null, refused: open.error ?? 'refused by the provider' };
      }
      if (open !== undefined) {
        if (open.status === 'failed') this.#modify(record, open.takeId, (t) => ({ ...transition(t, 'registered', this.#now().toISOString()), error: null, requestId: null, submitStartedAt: null }));
        const resumeRequestId = isInFlight(open.status) ? open.requestId : null;
        const submitStartedAt = open.status === 'failed' || resumeRequestId !== null ? null : (open.submitStartedAt ?? null);
        return { takeId: open.takeId, resumeRequestId, submitStartedAt, refused: null };
      }
      const fresh = this.#newTake(record, take);
      record.takes.push(fresh);
      return { takeId: fresh.takeId, resumeRequestId: null, submitStartedAt: null, refused: null };
    });
  }

  async submitting(recordId: string, takeId: string, underWay: boolean): Promise<void> {
    await this.#update(recordId, undefined, (record) => {
      this.#modify(record, takeId, (t) => ({ ...t, submitStartedAt: underWay ? this.#now().toISOString() : null }));
    });
  }

  async submitted(recordId: string, takeId: string, requestId: string): Promise<void> {
    await this.#update(recordId, undefined, (record) => {
      const medium = record.medium;
      this.#modify(record, takeId, (t) => ({ ...transition(t, statusOf(medium, 'submitted'), this.#now().toISOString()), requestId, submitStartedAt: null }));
    });
  }

  async processing(recordId: string, takeId: string): Promise<void> {
    await this.#update(recordId, undefined, (record) => {
      const medium = record.medium;
      this.#modify(record, takeId, (t) => (t.status === statusOf(medium, 'processing') ? t : transition(t, statusOf(medium, 'processing'), this.#now().toISOString())));
    });
  }

  async queued(recordId: string, takeId: string, position: number): Promise<void> {
    const take = (await this.#read(recordId))?.takes.find((t) => t.takeId === takeId);
    if (take === undefined || take.queuePosition === position || !isInFlight(take.status)) return;
    await this.#update(recordId, undefined, (record) => {
      this.#modify(record, takeId, (t) => ({ ...t, queuePosition: position }));
    });
  }

  async resultReady(recordId: string, takeId: string, url: string): Promise<void> {
    await this.#update(recordId, undefined, (record) => {
      this.#modify(record, takeId, (t) => ({ ...t, resultUrl: url, resultAt: this.#now().toISOString() }));
    });
  }

  async complete(recordId: string, takeId: string, stored: StoredTake): Promise<void> {
    await this.#update(recordId, undefined, (record) => {
      const medium = record.medium;
      this.#modify(record, takeId, (t) => ({
        ...transition(t, statusOf(medium, 'complete'), this.#now().toISOString()),
        output: stored.output,
        blob: stored.blob,
        costUsd: stored.costUsd,
        requestId: stored.requestId ?? t.requestId,
      }));
    });
  }

  async failed(recordId: string, takeId: string, message: string, final: boolean): Promise<void> {
    await this.#update(recordId, undefined, (record) => {
      this.#modify(record, takeId, (t) => ({ ...transition(t, 'failed', this.#now().toISOString()), error: message, refused: final }));
    });
  }

  async find(recordId: string, key: NodeKey): Promise<FoundTake | undefined> {
    const done = await this.#done(recordId, key);
    return done?.output == null ? undefined : { takeId: done.takeId, output: done.output, resultUrl: done.resultUrl ?? null, resultAt: done.resultAt ?? null };
  }

  async made(recordId: string, key: NodeKey): Promise<MadeTake | undefined> {
    const done = await this.#done(recordId, key);
    if (done?.output == null || done.blob === null) return undefined;
    const { takeId, output, blob, costUsd, requestId, provider, model, createdAt } = done;
    return { takeId, output, blob, costUsd, requestId, provider, model, createdAt };
  }

  /** The newest complete take of this key with its file. */
  async #done(recordId: string, key: NodeKey): Promise<Take | undefined> {
    const record = await this.#read(recordId);
    return record?.takes.findLast((t) => t.key === key && isComplete(t.status) && t.output !== null);
  }

  async reconcile(take: NewTake, stored: Omit<StoredTake, 'output'> & { extension: string }): Promise<FoundTake> {
    const done = await this.find(take.recordId, take.key);
    if (done !== undefined) return done;
    // The result is cached but no complete take names it (a build stopped between the two writes,
    // or the records were deleted): finish the open take or add one, without paying again.
    return this.#update(take.recordId, take, (record) => {
      const open = record.takes.findLast((t) => t.key === take.key && !isComplete(t.status));
      const base = open ?? this.#newTake(record, take);
      if (open === undefined) record.takes.push(base);
      const output = join('takes', take.sequence, `${base.takeId}.${stored.extension}`);
      const status = statusOf(record.medium, 'complete');
      const ready = base.status === 'failed' ? transition(base, 'registered', this.#now().toISOString()) : base;
      this.#modify(record, base.takeId, () => ({
        ...transition(ready, status, this.#now().toISOString()),
        output,
        blob: stored.blob,
        costUsd: stored.costUsd,
        requestId: stored.requestId ?? base.requestId,
      }));
      return { takeId: base.takeId, output, resultUrl: base.resultUrl ?? null, resultAt: base.resultAt ?? null };
    });
  }
}
