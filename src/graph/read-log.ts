import type { BlobHash } from '../util/hash.ts';
import type { PlanFacts } from './plan.ts';

/**
 * What a plan read of the project beyond its graph, the action index and the built index: the
 * output files it found holding their bytes, the blobs it found present, the execution records
 * it opened. A later build whose inputs and these reads are all as they were would plan the same
 * (src/cli/noop-memo.ts). A read that found something missing or changed, or that only a node
 * about to run makes (its key material), leaves the log incomplete: such a plan is never replayed.
 */
export class ReadLog {
  /** Output files by path from the project folder, with the content hash they were found to hold. */
  readonly files = new Map<string, BlobHash>();
  /** Blobs found present, with their size. */
  readonly blobs = new Map<BlobHash, number>();
  /** Execution records opened by id. */
  readonly records = new Set<string>();
  #complete = true;

  get complete(): boolean {
    return this.#complete;
  }

  incomplete(): void {
    this.#complete = false;
  }
}

/** The same facts, every read of files, blobs and records noted in `log`. */
export function loggedFacts(facts: PlanFacts, log: ReadLog): PlanFacts {
  return {
    ...facts,
    material: (key) => {
      log.incomplete();
      return facts.material(key);
    },
    outputPresent: async (output) => {
      const present = await facts.outputPresent(output);
      if (present) log.blobs.set(output.hash, output.size);
      else log.incomplete();
      return present;
    },
    files: {
      matches: async (relative, hash) => {
        const matches = await facts.files.matches(relative, hash);
        if (matches) log.files.set(relative, hash);
        else log.incomplete();
        return matches;
      },
    },
    // A result put back from its record repairs the cache: such a plan is not replayed.
    recorded: async (node, key) => {
      const recorded = await facts.recorded(node, key);
      if (recorded === undefined) log.records.add(node.recordId);
      else log.incomplete();
      return recorded;
    },
    takes: {
      find: (recordId, key) => {
        log.records.add(recordId);
        return facts.takes.find(recordId, key);
      },
    },
  };
}
