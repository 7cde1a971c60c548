import { Semaphore } from '../../util/semaphore.ts';
import type { Outcome } from '../decide.ts';
import { isBilled, isPaid, type GraphNode, type Lane } from '../nodes.ts';
import type { Reason } from '../reasons.ts';

export interface SchedulerLimits {
  concurrency: Record<Lane, number>;
  jobs: number;
  maxCostUsd: number | undefined;
  signal: AbortSignal;
  /** Why paid work stopped (the account was refused), if it did. */
  accountStop: () => string | undefined;
  /** False when nothing billed may start (cg watch without consent). */
  maySpend: boolean;
}

/**
 * When a node may start: within its provider lane's limit and --jobs, not after Ctrl-C, not
 * after the account was refused, and not past --max-cost counting what runs and was spent.
 */
export class Scheduler {
  readonly #limits: SchedulerLimits;
  readonly #jobs: Semaphore;
  readonly #lanes: Map<Lane, Semaphore>;
  #committedUsd = 0;

  constructor(limits: SchedulerLimits) {
    this.#limits = limits;
    this.#jobs = new Semaphore(Math.max(1, limits.jobs));
    this.#lanes = new Map((Object.entries(limits.concurrency) as Array<[Lane, number]>).map(([lane, size]) => [lane, new Semaphore(size)]));
  }

  /** Why the node may not start now, if it may not. */
  #refusal(node: GraphNode): Reason | undefined {
    if (this.#limits.signal.aborted) return { kind: 'interrupted', before: 'start' };
    if (!isPaid(node)) return undefined;
    if (!this.#limits.maySpend && isBilled(node)) return { kind: 'needs-consent', nodeUsd: node.estimateUsd };
    const stopped = this.#limits.accountStop();
    if (stopped !== undefined) return { kind: 'account-stopped', message: stopped };
    const { maxCostUsd } = this.#limits;
    if (maxCostUsd !== undefined && this.#committedUsd + node.estimateUsd > maxCostUsd + 1e-9) {
      return { kind: 'max-cost', maxUsd: maxCostUsd, committedUsd: this.#committedUsd, nodeUsd: node.estimateUsd };
    }
    return undefined;
  }

  /** Runs the node's task when it may start; `refused` reports a node that may not. `spent` is read after it ran. */
  run(node: GraphNode, task: () => Promise<Outcome>, refused: (reason: Reason) => Outcome, spent: () => number): Promise<Outcome> {
    const lane = this.#lanes.get(node.lane) ?? new Semaphore(1);
    return lane.run(() =>
      this.#jobs.run(async () => {
        const refusal = this.#refusal(node);
        if (refusal !== undefined) return refused(refusal);
        if (isPaid(node)) this.#committedUsd += node.estimateUsd;
        const outcome = await task();
        if (isPaid(node)) this.#committedUsd += spent() - node.estimateUsd;
        return outcome;
      }),
    );
  }
}
