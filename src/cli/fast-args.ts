import type { BuildArgs } from './commands/build.ts';
import type { StatusArgs } from './commands/status.ts';
import type { VariantArgs } from './take-variants.ts';
import { numberFlagProblem } from './number-flags.ts';

/**
 * `cg build`, `cg status` and `cg --version` as people type them every day, parsed without
 * yargs: loading and setting it up costs ~25 ms of every start. Anything this does not know for
 * sure (help, an unknown or repeated-value flag, a number the option does not take) returns undefined, and
 * yargs parses the command as always, with its messages.
 */
export type FastCommand = { command: 'build'; args: BuildArgs & VariantArgs } | { command: 'status'; args: StatusArgs } | { command: 'version' };

interface Flags {
  booleans: Record<string, string>;
  numbers: Record<string, string>;
  strings: Record<string, string>;
  /** Single-letter aliases: the long flag each stands for. */
  short: Record<string, string>;
}

const buildFlags: Flags = {
  booleans: { 'dry-run': 'dryRun', retake: 'retake', json: 'json', ndjson: 'ndjson', wait: 'wait', yes: 'yes', resubmit: 'resubmit', 'retry-failed': 'retryFailed' },
  numbers: { jobs: 'jobs', 'max-cost': 'maxCost' },
  strings: { project: 'project', mode: 'mode' },
  short: { y: 'yes', j: 'jobs', p: 'project' },
};
const statusFlags: Flags = { booleans: { json: 'json' }, numbers: {}, strings: { project: 'project' }, short: { p: 'project' } };
const modes = new Set(['individual', 'multi_shot']);

type Parsed = { positionals: string[]; values: Record<string, string | number | boolean> };

/** Reads one flag (and its value) at argv[i]; the next index, or undefined when unsure. */
function readFlag(argv: readonly string[], i: number, flags: Flags, out: Parsed): number | undefined {
  const token = argv[i] ?? '';
  const [long, inline] = token.startsWith('--') ? token.slice(2).split(/=(.*)/s, 2) : [flags.short[token.slice(1)], undefined];
  if (long === undefined || long === '') return undefined;
  const negated = long.startsWith('no-') && flags.booleans[long.slice(3)] !== undefined;
  const boolean = flags.booleans[negated ? long.slice(3) : long];
  if (boolean !== undefined) {
    if (inline !== undefined) return undefined;
    out.values[boolean] = !negated;
    return i + 1;
  }
  const key = flags.numbers[long] ?? flags.strings[long];
  if (key === undefined) return undefined;
  const value = inline ?? argv[i + 1];
  if (value === undefined || value.startsWith('-') || key in out.values) return undefined;
  if (flags.numbers[long] !== undefined) {
    const number = Number(value);
    if (value.trim() === '' || numberFlagProblem(long, number) !== undefined) return undefined;
    out.values[key] = number;
  } else {
    if (long === 'mode' && !modes.has(value)) return undefined;
    out.values[key] = value;
  }
  return inline === undefined ? i + 2 : i + 1;
}

function parse(argv: readonly string[], flags: Flags): Parsed | undefined {
  const out: Parsed = { positionals: [], values: {} };
  for (let i = 1; i < argv.length; ) {
    const token = argv[i] ?? '';
    if (!token.startsWith('-') || token === '-') {
      out.positionals.push(token);
      i += 1;
      continue;
    }
    const next = readFlag(argv, i, flags, out);
    if (next === undefined) return undefined;
    i = next;
  }
  return out;
}

const flag = <T>(values: Parsed['values'], key: string, fallback: T): T => (values[key] ?? fallback) as T;

export function fastArgs(argv: readonly string[]): FastCommand | undefined {
  const [command] = argv;
  if (command === '--version' && argv.length === 1) return { command: 'version' };
  if (command === 'build') {
    const parsed = parse(argv, buildFlags);
    if (parsed === undefined) return undefined;
    const v = parsed.values;
    return {
      command,
      args: {
        targets: parsed.positionals,
        project: flag<string | undefined>(v, 'project', undefined),
        dryRun: flag(v, 'dryRun', false),
        retake: flag(v, 'retake', false),
        jobs: flag<number | undefined>(v, 'jobs', undefined),
        json: flag(v, 'json', false),
        ndjson: flag(v, 'ndjson', false),
        wait: flag(v, 'wait', true),
        yes: flag(v, 'yes', false),
        maxCost: flag<number | undefined>(v, 'maxCost', undefined),
        resubmit: flag(v, 'resubmit', false),
        retryFailed: flag(v, 'retryFailed', false),
        mode: flag<'individual' | 'multi_shot' | undefined>(v, 'mode', undefined),
        shotOverride: [],
      },
    };
  }
  if (command === 'status') {
    const parsed = parse(argv, statusFlags);
    if (parsed === undefined) return undefined;
    return { command, args: { project: flag<string | undefined>(parsed.values, 'project', undefined), sequences: parsed.positionals, json: flag(parsed.values, 'json', false) } };
  }
  return undefined;
}
