import { z } from 'zod';

/**
 * The zod schemas of the files a person writes: the single source of truth.
 * `schemas/*.schema.json` are generated from these (`npm run schemas`), and a
 * test keeps them in sync.
 */

export const sequenceIdPattern = /^SEQ\d{2,5}$/;
const sequenceId = z
  .string()
  .regex(sequenceIdPattern, { error: 'a sequence id is SEQ followed by digits, e.g. "SEQ08"' })
  .describe('Sequence id, e.g. SEQ08: the unit you build and approve.');

export const elementIdPattern = /^[a-z][a-z0-9_-]{0,63}$/;
const elementId = z
  .string()
  .regex(elementIdPattern, {
    error: 'an element id is lower-case letters, digits, "-" or "_", starting with a letter (it names a folder under refs/)',
  })
  .describe('Element id: names refs/characters/<id>/ or refs/props/<id>/ and an entry of bible.json.');

const clockTime = z
  .string()
  .regex(/^\d{1,2}:\d{2}(\.\d+)?$/, { error: 'a time is m:ss, e.g. "1:05"' });

/** A duration in whole seconds, written 5 or "5"; always a string afterwards (fal wants strings). */
const durationHint = 'a duration is whole seconds, written 5 or "5"';
const duration = z
  .union([z.int({ error: durationHint }).positive({ error: durationHint }), z.string().regex(/^[1-9]\d*$/, { error: durationHint })], {
    error: durationHint,
  })
  .transform((value) => String(value))
  .describe('Seconds, written 5 or "5". Multi-shot: each shot ≥1 s and the shots sum to 3–15 s. Individual: 3–15 s each.');

export const ShotSchema = z
  .strictObject({
    prompt: z.string().trim().min(1, { error: 'a shot needs a prompt' }).describe('What the camera sees; refer to elements as @id.'),
    duration,
  })
  .describe('One prompt + duration inside a sequence.');

export const SequenceSchema = z
  .strictObject({
    id: sequenceId,
    section: z.string().min(1).describe('Song section: intro, verse, chorus, bridge, outro …'),
    time: z.strictObject({ start: clockTime, end: clockTime }).optional().describe('Where the sequence sits in the song.'),
    title: z.string().optional(),
    elements: z
      .array(elementId)
      .default([])
      .describe('Characters and props in priority order: when the model cap drops some, the last ones go.'),
    grid: z
      .strictObject({
        prompt: z.string().trim().min(1).describe('What the start-frame candidates should show.'),
      })
      .optional()
      .describe('Explore start frames with a grid of candidates; you pick one cell (cg pick).'),
    mode: z
      .enum(['multi_shot', 'individual'])
      .default('multi_shot')
      .describe('multi_shot: one video call for the sequence; individual: one call per shot.'),
    audio: z.boolean().optional().describe('Generate audio (costs more); default from the config.'),
    negativePrompt: z.string().optional(),
    shots: z.array(ShotSchema).min(1, { error: 'a sequence needs at least one shot' }),
  })
  .describe('One sequence: the unit a user builds and approves.');

export const PlanSchema = z
  .strictObject({
    $schema: z.string().optional(),
    title: z.string().min(1),
    client: z.string().optional(),
    song: z
      .strictObject({
        title: z.string().optional(),
        artist: z.string().optional(),
        length: clockTime.optional(),
        file: z.string().min(1).optional().describe('The song, inside the project folder (any format ffmpeg reads): the cut (cg cut) lays the sequences on it.'),
      })
      .optional(),
    sequences: z.array(SequenceSchema).min(1, { error: 'a plan needs at least one sequence' }),
  })
  .describe('A clipgraph client plan (plan.json).');

export const ElementSchema = z.strictObject({
  kind: z.enum(['character', 'prop']).describe('character → refs/characters/<id>/, prop → refs/props/<id>/'),
  name: z.string().min(1),
  description: z.string().min(1).describe('Visual description, used in grid prompts and when the cap drops this element.'),
});

export const BibleSchema = z
  .strictObject({
    $schema: z.string().optional(),
    elements: z.record(elementId, ElementSchema),
  })
  .describe('The project bible (bible.json): characters and props.');

const blobHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'a grid hash is "sha256:" followed by 64 hex digits' });
const takeId = z.string().regex(/^SEQ\d{2,5}(_shot\d{2})?_take\d{3,}$/, { error: 'a take id looks like SEQ08_take003' });

const gridPick = z.strictObject({
  grid: blobHash.describe('Content hash of the grid the cell was picked from: a grid made from other inputs voids the pick.'),
  cell: z.int().min(1).describe('1-based, row-major from the top left.'),
  at: z.string().optional(),
});

const filePick = z.strictObject({
  file: blobHash.describe('Content hash of a start frame made elsewhere (cg pick --file), kept in the blob store.'),
  name: z.string().describe('The file it came from, for people.'),
  at: z.string().optional(),
});

const pick = z.union([gridPick, filePick]);

export const SequenceDecisionsSchema = z.strictObject({
  pick: pick.optional(),
  earlierPicks: z.array(pick).default([]).describe('Picks set aside by cg grid --again, newest last.'),
  shotPicks: z
    .record(z.string().regex(/^[1-9]\d*$/, { error: 'a shot number: 1, 2, 3…' }), pick)
    .default({})
    .describe('Start frames of single shots, by shot number: used when the sequence is built in individual mode (cg pick SEQ --shot N).'),
  approved: takeId.optional(),
  rejected: z.array(takeId).default([]),
  notes: z.record(takeId, z.string()).default({}).describe('A note on a take, by take id: why it was rejected (cg reject --note).'),
  final: z.boolean().default(false),
  retakes: z
    .record(z.string(), z.int().min(1))
    .default({})
    .describe('Retake variants by base key (written by cg build --retake).'),
});

export const DecisionsSchema = z
  .strictObject({
    $schema: z.string().optional(),
    sequences: z.record(sequenceId, SequenceDecisionsSchema).default({}),
  })
  .describe('Human decisions (decisions.json): picks, approvals, rejections, retakes.');

export type Plan = z.output<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;
export type Sequence = z.output<typeof SequenceSchema>;
export type Shot = z.output<typeof ShotSchema>;
export type Bible = z.output<typeof BibleSchema>;
export type BibleElement = z.output<typeof ElementSchema>;
export type Decisions = z.output<typeof DecisionsSchema>;
export type SequenceDecisions = z.output<typeof SequenceDecisionsSchema>;
