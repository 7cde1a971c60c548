import { clockSeconds } from './song-time.ts';
import type { ProjectConfig } from './config-schema.ts';
import { klingLimits } from './models.ts';
import type { BibleElement, Sequence, SequenceDecisions } from './schema.ts';
import type { JsonPath } from './issues.ts';

/**
 * What a rule may look at: the parts of each file that passed the schema. A part with a
 * schema mistake (already reported) is left out, so one mistake does not hide the others.
 */
export interface RuleContext {
  /** plan.json's sequences by position, undefined where one has a schema mistake; undefined when plan.json did not parse. */
  sequences: ReadonlyArray<Sequence | undefined> | undefined;
  /** Every id plan.json gives a sequence, mistakes elsewhere in it or not. */
  sequenceIds: readonly string[];
  /** bible.json's elements by id, undefined where one has a schema mistake; undefined when bible.json did not parse. */
  elements: ReadonlyMap<string, BibleElement | undefined> | undefined;
  /** decisions.json's entries that passed the schema. */
  decisions: ReadonlyMap<string, SequenceDecisions>;
  config: ProjectConfig;
  /** Image files per element id, relative to the project; undefined when the folder is missing, absent when the loader could not read it (and said why). */
  refs: ReadonlyMap<string, readonly string[] | undefined>;
  /** Take ids the execution records know, so a decision cannot name a take that never existed. */
  knownTakes: ReadonlySet<string>;
}

export type ProjectFile = 'plan.json' | 'bible.json' | 'decisions.json';
/** A rule's finding: the file and JSON path, located in the text by the loader. */
export interface RuleIssue {
  file: ProjectFile;
  jsonPath: JsonPath;
  message: string;
}

type Report = (file: ProjectFile, path: JsonPath, message: string) => void;
type Rule = (ctx: RuleContext, report: Report) => void;

/** A mention of an element in a prompt: `@maya`. */
export const mentionPattern = /@([a-z][a-z0-9_-]*)/g;

export function refFolder(kind: 'character' | 'prop', id: string): string {
  return `refs/${kind === 'character' ? 'characters' : 'props'}/${id}/`;
}

/** Each valid sequence with its position in plan.json. */
function eachSequence(sequences: RuleContext['sequences'], visit: (sequence: Sequence, index: number) => void): void {
  sequences?.forEach((sequence, index) => {
    if (sequence !== undefined) visit(sequence, index);
  });
}

const uniqueSequenceIds: Rule = ({ sequences }, report) => {
  const seen = new Map<string, number>();
  eachSequence(sequences, (sequence, index) => {
    const first = seen.get(sequence.id);
    if (first === undefined) seen.set(sequence.id, index);
    else report('plan.json', ['sequences', index, 'id'], `duplicate sequence id "${sequence.id}" (also sequences[${first}]): give each sequence its own id`);
  });
};

const knownElements: Rule = ({ sequences, elements }, report) => {
  const known = elements === undefined ? undefined : [...elements.keys()];
  eachSequence(sequences, (sequence, s) => {
    const seen = new Set<string>();
    sequence.elements.forEach((id, e) => {
      if (seen.has(id)) report('plan.json', ['sequences', s, 'elements', e], `element "${id}" is listed twice: list it once`);
      seen.add(id);
      if (known !== undefined && !known.includes(id)) {
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

const refFoldersExist: Rule = ({ sequences, elements, refs }, report) => {
  const used = new Set(sequences?.flatMap((sequence) => sequence?.elements ?? []));
  for (const [id, element] of elements ?? []) {
    if (element === undefined || !used.has(id) || !refs.has(id)) continue;
    const files = refs.get(id);
    const folder = refFolder(element.kind, id);
    if (files === undefined) report('bible.json', ['elements', id], `${element.kind} "${id}" has no reference folder ${folder}: create it with at least one image (.png, .jpg or .webp)`);
    else if (files.length === 0) report('bible.json', ['elements', id], `${element.kind} "${id}" has no images in ${folder}: add at least one .png, .jpg or .webp`);
  }
};

const durations: Rule = ({ sequences }, report) => {
  const { clipSeconds, shotSeconds, maxShots, maxShotPromptChars } = klingLimits;
  eachSequence(sequences, (sequence, s) => {
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

/** Start frames of single shots: a shot the sequence has, a cell its grid has, and room for its elements. */
function shotPicksMatch(id: string, sequence: Sequence, picks: SequenceDecisions['shotPicks'], config: ProjectConfig, report: Report): void {
  const cells = config.grid.rows * config.grid.cols;
  for (const [shot, pick] of Object.entries(picks)) {
    const path: JsonPath = ['sequences', id, 'shotPicks', shot];
    if (Number(shot) > sequence.shots.length) report('decisions.json', path, `${id} has shots 1–${sequence.shots.length}, so there is no shot ${shot} to give a start frame: remove it`);
    else if ('cell' in pick && sequence.grid === undefined) report('decisions.json', path, `${id} has no "grid" in plan.json to cut shot ${shot}'s start frame from: pick a file (cg pick ${id} --shot ${shot} --file PATH)`);
    else if ('cell' in pick && pick.cell > cells) report('decisions.json', [...path, 'cell'], `cell ${pick.cell} does not exist: a ${config.grid.rows}x${config.grid.cols} grid has cells 1–${cells}`);
    else if (sequence.grid === undefined && sequence.elements.length > config.elementCap.withStartFrame) {
      report('decisions.json', path, `with a start frame, shot ${shot} takes ${config.elementCap.withStartFrame} elements but ${id} lists ${sequence.elements.length}: remove the shot's start frame or elements from the plan`);
    }
  }
}

const decisionsMatchPlan: Rule = ({ sequences, sequenceIds, decisions, config, knownTakes }, report) => {
  if (sequences === undefined) return; // nothing to match against
  const valid = new Map<string, Sequence>();
  eachSequence(sequences, (sequence) => valid.set(sequence.id, sequence));
  const cells = config.grid.rows * config.grid.cols;
  for (const [id, decision] of decisions) {
    if (!sequenceIds.includes(id)) {
      report('decisions.json', ['sequences', id], `decision for unknown sequence "${id}": plan.json has ${sequenceIds.join(', ')}; remove it or fix the id`);
      continue;
    }
    const sequence = valid.get(id);
    if (sequence !== undefined && decision.pick !== undefined) {
      if (sequence.grid === undefined) report('decisions.json', ['sequences', id, 'pick'], `${id} has no "grid" in plan.json, so there is nothing to pick from: remove the pick or add a grid`);
      else if ('cell' in decision.pick && decision.pick.cell > cells) report('decisions.json', ['sequences', id, 'pick', 'cell'], `cell ${decision.pick.cell} does not exist: a ${config.grid.rows}x${config.grid.cols} grid has cells 1–${cells}`);
    }
    if (sequence !== undefined) shotPicksMatch(id, sequence, decision.shotPicks, config, report);
    const takes: Array<[JsonPath, string]> = [];
    if (decision.approved !== undefined) takes.push([['sequences', id, 'approved'], decision.approved]);
    decision.rejected.forEach((take, i) => takes.push([['sequences', id, 'rejected', i], take]));
    for (const [path, take] of takes) {
      if (!take.startsWith(`${id}_`)) report('decisions.json', path, `take "${take}" belongs to another sequence, not ${id}: fix the take id`);
      else if (!knownTakes.has(take)) report('decisions.json', path, `unknown take "${take}": cg takes ${id} lists the takes that exist`);
    }
  }
};

/** A slot on the song ends after it starts. */
const times: Rule = ({ sequences }, report) => {
  eachSequence(sequences, (sequence, s) => {
    if (sequence.time === undefined) return;
    const { start, end } = sequence.time;
    if (clockSeconds(end) <= clockSeconds(start)) report('plan.json', ['sequences', s, 'time', 'end'], `${sequence.id} ends at ${end}, not after it starts (${start}): fix the time`);
  });
};

const rules: readonly Rule[] = [uniqueSequenceIds, knownElements, refFoldersExist, durations, times, decisionsMatchPlan];

/** Runs every semantic rule; returns all problems, not just the first. */
export function checkProject(ctx: RuleContext): RuleIssue[] {
  const found: RuleIssue[] = [];
  for (const rule of rules) rule(ctx, (file, jsonPath, message) => found.push({ file, jsonPath, message }));
  return found;
}
