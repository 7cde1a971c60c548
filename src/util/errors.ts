/** One mistake in a file a person wrote: where it is and what to do about it. */
export interface InputIssue {
  /** Path relative to the project root (or the config root), as a person would type it. */
  file: string;
  /** JSON path, e.g. `sequences[3].shots[1].duration`; empty for the whole file. */
  path: string;
  line?: number;
  column?: number;
  /** One sentence: what is wrong and how to fix it. */
  message: string;
}

/** Why `cg takes --use` cannot write a take's shots back into plan.json. */
export type UnusableTake =
  | { why: 'unknown'; known: string[] }
  | { why: 'other-sequence'; owner: string }
  | { why: 'not-finished'; status: string; error: string | null }
  /** A grid holds start-frame candidates, not shot prompts. */
  | { why: 'no-prompts' }
  | { why: 'no-shot'; shot: number; shots: number[] }
  | { why: 'not-in-plan'; shot: number; planShots: number }
  | { why: 'shot-count'; takeShots: number; planShots: number };

export interface LockHolder {
  pid: number;
  command: string;
  startedAt: string;
}

/** Every expected failure, as a value. `src/cli/render-error.ts` turns each kind into words. */
export type CgError =
  | { kind: 'input-invalid'; issues: InputIssue[] }
  | { kind: 'usage'; message: string }
  | { kind: 'no-root'; cwd: string }
  | { kind: 'unknown-project'; name: string; projectsDir: string; available: string[] }
  | { kind: 'unknown-sequence'; sequences: string[]; available: string[] }
  | { kind: 'lock-busy'; lockPath: string; holder: LockHolder }
  | { kind: 'steps-failed'; failures: Array<{ nodeId: string; message: string }> }
  | { kind: 'budget-exceeded'; estimateUsd: number; maxUsd: number }
  | { kind: 'missing-key'; variable: string; provider: string }
  | { kind: 'interrupted' }
  // Decisions a person asked for that the project's state refuses.
  | { kind: 'no-grid'; sequence: string }
  | { kind: 'grid-not-built'; sequence: string; why: string }
  | { kind: 'unknown-take'; sequence: string; take: number; known: string[] }
  | { kind: 'no-current-take'; sequence: string; known: string[] }
  | { kind: 'individual-mode'; sequence: string; verdict: string }
  | { kind: 'not-approved'; sequence: string }
  | { kind: 'bad-frame-file'; file: string; why: string }
  | { kind: 'unusable-take'; sequence: string; take: string; problem: UnusableTake }
  | { kind: 'internal'; message: string; stack?: string };

export type ExitCode = 0 | 1 | 2 | 130;

export const exitCodes: Record<CgError['kind'], ExitCode> = {
  'input-invalid': 2,
  usage: 2,
  'no-root': 2,
  'unknown-project': 2,
  'unknown-sequence': 2,
  'lock-busy': 1,
  'steps-failed': 1,
  'budget-exceeded': 2,
  'missing-key': 2,
  interrupted: 130,
  'no-grid': 2,
  'grid-not-built': 2,
  'unknown-take': 2,
  'no-current-take': 2,
  'individual-mode': 2,
  'not-approved': 2,
  'bad-frame-file': 2,
  'unusable-take': 2,
  internal: 1,
};

/** Thrown only to carry a CgError through code that cannot return a Result (e.g. yargs handlers). */
export class CgFailure extends Error {
  readonly error: CgError;
  constructor(error: CgError) {
    super(error.kind);
    this.error = error;
  }
}

/** Turns a stray exception into an `internal` error: the only case that shows a stack. */
export function toCgError(error: unknown): CgError {
  if (error instanceof CgFailure) return error.error;
  if (error instanceof Error) {
    return error.stack === undefined
      ? { kind: 'internal', message: error.message }
      : { kind: 'internal', message: error.message, stack: error.stack };
  }
  return { kind: 'internal', message: String(error) };
}
