import type { BuildEvent } from '../graph/events.ts';
import type { Clock } from '../providers/types.ts';
import { unreachable } from '../util/result.ts';
import { ndjsonReporter } from './ndjson.ts';
import { lineReporter, warningReporter, type OutputStream } from './progress.ts';
import { ttyReporter } from './tty.ts';

export type ReporterChoice = 'tty' | 'plain' | 'json' | 'ndjson';

/** The environment variables the choice reads (the CLI passes its whole environment). */
export interface ReporterEnv {
  CI?: string | undefined;
  NO_COLOR?: string | undefined;
  TERM?: string | undefined;
}

export interface ReporterFlags {
  json: boolean;
  ndjson: boolean;
  /** Whether stdout is a terminal. */
  isTTY: boolean;
  env: ReporterEnv;
}

/** What a command hands a reporter: the CLI's Io has all of it. */
export interface ReporterIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: ReporterEnv;
  clock: Clock;
}

export interface Reporter {
  listen(event: BuildEvent): void;
  /**
   * Whether it reads the events every node has whether it runs or not (`planned`, and `reused`
   * for those a memo reports): 49,000 at 10,000 sequences, which plain lines and --json pass over.
   */
  readonly perNode: boolean;
  /** Ends the output (the TTY's timer cleared, its cursor shown again); call it on every path out, an abort included. */
  close(): Promise<void>;
}

/** CI services set CI=true (or 1); an empty or "false" value is someone switching it off. */
function isCi(env: ReporterEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

/**
 * Which reporter a build gets. Flags first: --json (the single document scripts already parse;
 * it wins if both are given) and --ndjson. Otherwise a live display only where a person
 * watches a capable terminal: stdout a TTY, not CI (its logs keep every byte, escape codes
 * too), TERM not "dumb". NO_COLOR changes only the colours (see `wantsColour`), not the
 * choice: it asks for no colour, not for no progress display.
 */
export function chooseReporter({ json, ndjson, isTTY, env }: ReporterFlags): ReporterChoice {
  if (json) return 'json';
  if (ndjson) return 'ndjson';
  if (!isTTY || isCi(env) || env.TERM === 'dumb') return 'plain';
  return 'tty';
}

/** no-color.org: NO_COLOR set to anything but the empty string turns colour off. */
export function wantsColour(env: ReporterEnv): boolean {
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}

function listening(listen: (event: BuildEvent) => void, perNode: boolean): Reporter {
  return { listen, perNode, close: () => Promise.resolve() };
}

/** The reporter for a choice; only the TTY one loads anything (listr2). */
export async function createReporter(choice: ReporterChoice, io: ReporterIo): Promise<Reporter> {
  switch (choice) {
    case 'tty':
      return ttyReporter(io.stdout, io.stderr, io.clock, { colour: wantsColour(io.env) });
    case 'plain':
      return listening(lineReporter(io.stdout, io.stderr), false);
    case 'json':
      return listening(warningReporter(io.stderr), false);
    case 'ndjson':
      return listening(ndjsonReporter(io.stdout, io.clock), true);
    default:
      return unreachable(choice);
  }
}
