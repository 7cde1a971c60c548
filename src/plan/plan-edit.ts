import { applyEdits, findNodeAtLocation, modify, parseTree, type Edit, type Node } from 'jsonc-parser';
import type { ShotPrompt } from '../cache/take-journal.ts';
import type { UnusableTake } from '../util/errors.ts';
import { err, ok, type Result } from '../util/result.ts';

export interface ShotEdit {
  /** plan.json with the shots' values replaced and every other byte as it was. */
  text: string;
  /** What changed, as a person names it: `shot 2 prompt`. Empty when the plan already had these values. */
  changed: string[];
}

/** The sequence's object in plan.json, found by its id (the loader has checked ids are unique). */
function sequenceNode(root: Node | undefined, sequence: string): { index: number; shots: Node[] } | undefined {
  const sequences = root === undefined ? undefined : findNodeAtLocation(root, ['sequences']);
  const index = sequences?.children?.findIndex((node) => findNodeAtLocation(node, ['id'])?.value === sequence) ?? -1;
  const node = sequences?.children?.[index];
  return node === undefined ? undefined : { index, shots: findNodeAtLocation(node, ['shots'])?.children ?? [] };
}

/**
 * Writes shots' prompts and durations into plan.json's text, replacing only those values'
 * bytes so the person's formatting, key order and other shots stay as they wrote them. A
 * duration keeps its written type (5 stays a number, "5" a string). `whole`: these are all
 * of a take's shots, so the plan must have as many.
 */
export function editShots(planText: string, sequence: string, shots: readonly ShotPrompt[], whole: boolean): Result<ShotEdit, UnusableTake> {
  // Editors on Windows save a byte-order mark; the loader reads past it and so do we.
  const bom = planText.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = planText.slice(bom.length);
  const found = sequenceNode(parseTree(text), sequence);
  const planShots = found?.shots.length ?? 0;
  if (whole && shots.length !== planShots) return err({ why: 'shot-count', takeShots: shots.length, planShots });
  const edits: Edit[] = [];
  const changed: string[] = [];
  for (const { shot, prompt, duration } of shots) {
    const node = found?.shots[shot - 1];
    if (found === undefined || node === undefined) return err({ why: 'not-in-plan', shot, planShots });
    const at = ['sequences', found.index, 'shots', shot - 1];
    const oldPrompt: unknown = findNodeAtLocation(node, ['prompt'])?.value;
    // The schema trims prompts, so the take holds the trimmed text: equal after trimming is unchanged.
    if (typeof oldPrompt !== 'string' || oldPrompt.trim() !== prompt) {
      edits.push(...modify(text, [...at, 'prompt'], prompt, {}));
      changed.push(`shot ${shot} prompt`);
    }
    const oldDuration = findNodeAtLocation(node, ['duration']);
    if (String(oldDuration?.value) !== duration) {
      edits.push(...modify(text, [...at, 'duration'], oldDuration?.type === 'string' ? duration : Number(duration), {}));
      changed.push(`shot ${shot} duration`);
    }
  }
  return ok({ text: bom + applyEdits(text, edits), changed });
}
