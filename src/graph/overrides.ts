import type { CgError } from '../util/errors.ts';
import { err, ok, type Result } from '../util/result.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import { formatJsonPath } from '../plan/issues.ts';
import { checkProject } from '../plan/rules.ts';
import type { Sequence } from '../plan/schema.ts';

/** What one `cg build` changes in a sequence's next take without editing plan.json. */
export interface TakeOverrides {
  /** One multi-shot call or one clip per shot, instead of the plan's `mode`. */
  mode?: Sequence['mode'];
  /** New prompts by 1-based shot number, written as in the plan (`@element` mentions and all). */
  prompts?: ReadonlyMap<number, string>;
}

/** Take overrides by sequence id. */
export type CompileOverrides = ReadonlyMap<string, TakeOverrides>;

/** A sequence as this build makes it, and which of its shots' prompts are not the plan's. */
export interface VariantSequence {
  sequence: Sequence;
  overridden: ReadonlySet<number>;
}

function flags(overrides: TakeOverrides): string {
  const mode = overrides.mode === undefined ? [] : [`--mode ${overrides.mode}`];
  const shots = [...(overrides.prompts?.keys() ?? [])].map((shot) => `--shot-override ${shot}:…`);
  return [...mode, ...shots].join(' ');
}

/**
 * The plan's sequences with the overrides applied. A variant must pass the same shot rules
 * as plan.json (durations for its mode, prompt length, mentions): the plan was valid, so a
 * problem here is the override's, and it is refused before anything runs. Pure.
 */
export function applyOverrides(sequences: readonly Sequence[], overrides: CompileOverrides, config: ProjectConfig): Result<VariantSequence[], CgError> {
  const unknown = [...overrides.keys()].filter((id) => !sequences.some((sequence) => sequence.id === id));
  if (unknown.length > 0) return err({ kind: 'unknown-sequence', sequences: unknown, available: sequences.map((sequence) => sequence.id) });
  const variants: VariantSequence[] = [];
  for (const planned of sequences) {
    const wanted = overrides.get(planned.id);
    if (wanted === undefined) {
      variants.push({ sequence: planned, overridden: new Set() });
      continue;
    }
    const prompts = wanted.prompts ?? new Map<number, string>();
    const missing = [...prompts.keys()].find((shot) => shot < 1 || shot > planned.shots.length);
    if (missing !== undefined) {
      return err({ kind: 'usage', message: `--shot-override ${missing}: ${planned.id} has shots 1–${planned.shots.length}, so there is no shot ${missing} to replace` });
    }
    const sequence: Sequence = {
      ...planned,
      mode: wanted.mode ?? planned.mode,
      shots: planned.shots.map((shot, i) => ({ ...shot, prompt: prompts.get(i + 1) ?? shot.prompt })),
    };
    const issues = checkProject({ sequences: [sequence], sequenceIds: [sequence.id], elements: undefined, decisions: new Map(), config, refs: new Map(), knownTakes: new Set() });
    if (issues.length > 0) {
      const problems = issues.map((issue) => `${formatJsonPath(issue.jsonPath.slice(2))}: ${issue.message}`).join('; ');
      return err({ kind: 'usage', message: `${planned.id} cannot be built with ${flags(wanted)}: ${problems}` });
    }
    variants.push({ sequence, overridden: new Set(prompts.keys()) });
  }
  return ok(variants);
}
