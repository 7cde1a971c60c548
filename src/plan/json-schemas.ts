import { z } from 'zod';
import { BibleSchema, DecisionsSchema, PlanSchema } from './schema.ts';

/** The JSON Schemas editors use to complete and check the files, generated from the zod schemas. */
export function jsonSchemas(): Record<string, unknown> {
  const make = (schema: z.ZodType, id: string): unknown => ({
    $id: `https://clipgraph.dev/schemas/${id}`,
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
  });
  return {
    'plan.schema.json': make(PlanSchema, 'plan.schema.json'),
    'bible.schema.json': make(BibleSchema, 'bible.schema.json'),
    'decisions.schema.json': make(DecisionsSchema, 'decisions.schema.json'),
  };
}
