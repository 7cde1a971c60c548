import { appendText, isNotFound, readSmallText, writeFileAtomic } from '../util/atomic-fs.ts';
import { noFaults, type Faults } from '../util/faults.ts';
import type { PaidCall } from '../cache/take-journal.ts';

/** One paid call, appended to state/costs.jsonl as it happens. */
export type CostEvent = PaidCall & { at: string };

/** A line's identity: the node key it paid for, the failed attempt if it was one, and which call. */
const lineId = (event: Pick<CostEvent, 'key' | 'call' | 'attempt'>): string => `${event.key}#${event.attempt ?? 'result'}#${event.call}`;

function parseLines(text: string): CostEvent[] {
  // A line cut short by a crash is skipped, not fatal.
  return text.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as CostEvent];
    } catch {
      return [];
    }
  });
}

async function readText(file: string): Promise<string> {
  try {
    return await readSmallText(file);
  } catch (error) {
    if (isNotFound(error)) return '';
    throw error;
  }
}

/**
 * state/costs.jsonl, appended once per paid call. Appends are idempotent (a call already on
 * the ledger is not written again), so a build that resumes after a crash can record a take's
 * calls without knowing whether the crashed build got to it. A last line torn by a crash is
 * dropped by the next append, which rewrites the file whole (atomically) without it.
 */
export class CostLedger {
  readonly #file: string;
  readonly #faults: Faults;
  #state: Promise<{ ids: Set<string>; intact: string | undefined }> | undefined;
  /** Appends run one after another: lines of concurrent nodes never interleave. */
  #queue: Promise<void> = Promise.resolve();

  constructor(file: string, faults: Faults = noFaults) {
    this.#file = file;
    this.#faults = faults;
  }

  append(events: readonly CostEvent[]): Promise<void> {
    const next = this.#queue.then(() => this.#append(events));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #append(events: readonly CostEvent[]): Promise<void> {
    this.#state ??= readText(this.#file).then((text) => ({
      ids: new Set(parseLines(text).map(lineId)),
      // Set only when the file does not end with a whole line: what to keep of it.
      intact: text === '' || text.endsWith('\n') ? undefined : text.slice(0, text.lastIndexOf('\n') + 1),
    }));
    const state = await this.#state;
    // New calls only, each once (a batch may name one twice).
    const fresh = [...new Map(events.map((event) => [lineId(event), event])).values()].filter((event) => !state.ids.has(lineId(event)));
    if (fresh.length === 0) return;
    const lines = fresh.map((event) => `${JSON.stringify(event)}\n`).join('');
    const midWrite = (): void => this.#faults('write:costs');
    if (state.intact === undefined) await appendText(this.#file, lines, midWrite);
    else await writeFileAtomic(this.#file, state.intact + lines, midWrite);
    state.intact = undefined;
    for (const event of fresh) state.ids.add(lineId(event));
  }
}

export async function readCosts(file: string): Promise<CostEvent[]> {
  return parseLines(await readText(file));
}
