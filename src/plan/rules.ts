import type { InputIssue } from '../util/errors.ts';
import type { ProjectConfig } from './config-schema.ts';
import { klingLimits } from './models.ts';
import type { Bible, Decisions, Plan } from './schema.ts';
import { formatJsonPath, type JsonPath } from './issues.ts';

/** What a rule may look at: the parsed files and what the refs folders hold. */
export interface RuleContext {
  plan: Plan;
  bible: Bible;
  decisions: Decisions;
  config: ProjectConfig;
  /** Image files per element id, relative to the project; undefined when the folder is missing. */
  refs: ReadonlyMap<string, readonly string[] | undefined>;
  /** Take ids the execution records know, so a decision cannot name a take that never existed. */
  knownTakes: ReadonlySet<string>;
}

type Report = (file: 'plan.json' | 'bible.json' | 'decisions.json', path: JsonPath, message: string) => void;
type Rule = (ctx: RuleContext, report: Report) => void;

/** A mention of an element in a prompt: `@maya`. */
export const mentionPattern = /@([a-z][a-z0-9_-]*)/g;

export function refFolder(kind: 'character' | 'prop', id: string): string {
  return `refs/${kind === 'character' ? 'characters' : 'props'}/${id}/`;
}

const uniqueSequenceIds: Rule = ({ plan }, report) => {
  const seen = new Map<string, number>();
  plan.sequences.forEach((sequence, index) => {
    const first = seen.get(sequence.id);
    if (first === undefined) seen.set(sequence.id, index);
    else report('plan.json', ['sequences', index, 'id'], `duplicate sequence id "${sequence.id}" (also sequences[${first}]): give each sequence its own id`);
  });
};

const knownElements: Rule = ({ plan, bible }, report) => {
  const known = Object.keys(bible.elements);
  plan.sequences.forEach((sequence, s) => {
    const seen = new Set<string>();
    sequence.elements.forEach((id, e) => {
      if (seen.has(id)) report('plan.json', ['sequences', s, 'elements', e], `element "${id}" is listed twice: list it once`);
      seen.add(id);
      if (bible.elements[id] === undefined) {
        report('plan.json', ['sequences', s, 'elements', e], `unknown element "${id}": add it to bible.json "elements" or use one of: ${known.join(', ') || '(none defined)'}`);
      }
    });
    sequence.shots.forEach((shot, i) => {
      for (const match of shot.prompt.matchAll(mentionPattern)) {
        const id = match[1] ?? '';
        if (!sequence.elements.includes(id)) {
          report('plan.json', ['sequences', s, 'shots', i, 'prompt'], `the prompt mentions @${id}, which is not in this sequence's "elements": add "${id}" there or remove the mention`);
        }
      }
    });
  });
};

const refFoldersExist: Rule = ({ plan, bible, refs }, report) => {
  const used = new Set(plan.sequences.flatMap((sequence) => sequence.elements));
  for (const [id, element] of Object.entries(bible.elements)) {
    if (!used.has(id)) continue;
    const files = refs.get(id);
    const folder = refFolder(element.kind, id);
    if (files === undefined) report('bible.json', ['elements', id], `${element.kind} "${id}" has no reference folder ${folder}: create it with at least one image (.png, .jpg or .webp)`);
    else if (files.length === 0) report('bible.json', ['elements', id], `${element.kind} "${id}" has no images in ${folder}: add at least one .png, .jpg or .webp`);
  }
};

const durations: Rule = ({ plan }, report) => {
  const { clipSeconds, shotSeconds, maxShots, maxShotPromptChars } = klingLimits;
  plan.sequences.forEach((sequence, s) => {
    if (sequence.mode === 'individual') {
      sequence.shots.forEach((shot, i) => {
        const seconds = Number(shot.duration);
        if (seconds < clipSeconds.min || seconds > clipSeconds.max) {
          report('plan.json', ['sequences', s, 'shots', i, 'duration'], `an individual-mode shot is one Kling O3 clip of ${clipSeconds.min}–${clipSeconds.max} s, got ${seconds} s: change the duration`);
        }
      });
      return;
    }
    if (sequence.shots.length > maxShots) {
      report('plan.json', ['sequences', s, 'shots'], `${sequence.id} has ${sequence.shots.length} shots but one multi-shot call takes at most ${maxShots}: split the sequence or set "mode": "individual"`);
    }
    let total = 0;
    sequence.shots.forEach((shot, i) => {
      const seconds = Number(shot.duration);
      total += seconds;
      if (seconds < shotSeconds.min || seconds > shotSeconds.max) {
        report('plan.json', ['sequences', s, 'shots', i, 'duration'], `a shot lasts ${shotSeconds.min}–${shotSeconds.max} s, got ${seconds} s: change the duration`);
      }
      if (shot.prompt.length > maxShotPromptChars) {
        report('plan.json', ['sequences', s, 'shots', i, 'prompt'], `a multi-shot prompt takes at most ${maxShotPromptChars} characters, this one has ${shot.prompt.length}: shorten it`);
      }
    });
    if (total < clipSeconds.min || total > clipSeconds.max) {
      report('plan.json', ['sequences', s, 'shots'], `${sequence.id}'s shots add up to ${total} s, but a multi-shot clip is ${clipSeconds.min}–${clipSeconds.max} s: change the durations or set "mode": "individual"`);
    }
  });
};

const decisionsMatchPlan: Rule = ({ plan, decisions, config, knownTakes }, report) => {
  const sequences = new Map(plan.sequences.map((sequence) => [sequence.id, sequence]));
  const cells = config.grid.rows * config.grid.cols;
  for (const [id, decision] of Object.entries(decisions.sequences)) {
    const sequence = sequences.get(id);
    if (sequence === undefined) {
      report('decisions.json', ['sequences', id], `decision for unknown sequence "${id}": plan.json has ${[...sequences.keys()].join(', ')}; remove it or fix the id`);
      continue;
    }
    if (decision.pick !== undefined) {
      if (sequence.grid === undefined) report('decisions.json', ['sequences', id, 'pick'], `${id} has no "grid" in plan.json, so there is nothing to pick from: remove the pick or add a grid`);
      else if (decision.pick.cell > cells) report('decisions.json', ['sequences', id, 'pick', 'cell'], `cell ${decision.pick.cell} does not exist: a ${config.grid.rows}x${config.grid.cols} grid has cells 1–${cells}`);
    }
    const takes: Array<[JsonPath, string]> = [];
    if (decision.approved !== undefined) takes.push([['sequences', id, 'approved'], decision.approved]);
    decision.rejected.forEach((take, i) => takes.push([['sequences', id, 'rejected', i], take]));
    for (const [path, take] of takes) {
      if (!take.startsWith(`${id}_`)) report('decisions.json', path, `take "${take}" belongs to another sequence, not ${id}: fix the take id`);
      else if (!knownTakes.has(take)) report('decisions.json', path, `unknown take "${take}": cg takes ${id} lists the takes that exist`);
    }
  }
};

const rules: readonly Rule[] = [uniqueSequenceIds, knownElements, refFoldersExist, durations, decisionsMatchPlan];

/** Runs every semantic rule; returns all problems, not just the first. */
export function checkProject(ctx: RuleContext): Array<Omit<InputIssue, 'file'> & { file: 'plan.json' | 'bible.json' | 'decisions.json'; jsonPath: JsonPath }> {
  const found: Array<Omit<InputIssue, 'file'> & { file: 'plan.json' | 'bible.json' | 'decisions.json'; jsonPath: JsonPath }> = [];
  for (const rule of rules) {
    rule(ctx, (file, path, message) => found.push({ file, path: formatJsonPath(path), jsonPath: path, message }));
  }
  return found;
}
