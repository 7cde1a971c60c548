import type { CompileOverrides } from '../graph/overrides.ts';
import { CgFailure } from '../util/errors.ts';

/** `cg build` flags that make a take unlike the plan, without editing plan.json (absent: the plan's take). */
export interface VariantArgs {
  mode?: 'individual' | 'multi_shot' | undefined;
  /** `N:prompt`, repeatable: shot N's prompt replaced in this take. */
  shotOverride?: string[];
}

function usage(message: string): CgFailure {
  return new CgFailure({ kind: 'usage', message });
}

/** `2:"a new prompt"` → [2, 'a new prompt']; anything else is bad usage, said in one line. */
function parseShotOverride(text: string): [number, string] {
  const match = /^\s*(\d+)\s*:(.*)$/s.exec(text);
  if (match === null) throw usage(`--shot-override "${text}": write SHOT:PROMPT, e.g. --shot-override 2:"a new prompt" (shots count from 1)`);
  const shot = Number(match[1]);
  const prompt = (match[2] ?? '').trim();
  if (prompt === '') throw usage(`--shot-override ${shot}: the prompt is empty; write the new prompt after the colon, e.g. --shot-override ${shot}:"a new prompt"`);
  return [shot, prompt];
}

/**
 * The overrides the flags ask of the targets' next takes, or undefined when there are none.
 * They make new paid takes, so they need named sequences; a shot number means one sequence.
 * Shot numbers are checked against the plan when the graph is compiled.
 */
export function takeOverrides(targets: readonly string[], args: VariantArgs): CompileOverrides | undefined {
  const { mode, shotOverride = [] } = args;
  if (mode === undefined && shotOverride.length === 0) return undefined;
  // A node target (SEQ08:take) names its sequence before the colon.
  const sequences = [...new Set(targets.map((target) => target.replace(/:.*$/s, '').toUpperCase()))];
  if (sequences.length === 0) {
    throw usage(mode !== undefined ? `--mode makes new paid takes: name the sequences, e.g. cg build SEQ08 --mode ${mode}` : '--shot-override replaces a shot of one sequence: name it, e.g. cg build SEQ08 --shot-override 2:"a new prompt"');
  }
  const prompts = new Map<number, string>();
  for (const text of shotOverride) {
    const [shot, prompt] = parseShotOverride(text);
    if (prompts.has(shot)) throw usage(`--shot-override ${shot} is given twice: give each shot one new prompt`);
    prompts.set(shot, prompt);
  }
  if (prompts.size > 0 && sequences.length !== 1) {
    throw usage(`--shot-override numbers the shots of one sequence, but ${sequences.length} are named (${sequences.join(', ')}): build them one at a time`);
  }
  return new Map(sequences.map((sequence) => [sequence, { mode, prompts }]));
}
