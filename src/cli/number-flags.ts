/**
 * What the numeric options accept, checked by both parsers (fast-args.ts and yargs): yargs reads
 * `--max-cost lots` as NaN, and a NaN limit compares false with every estimate, so a typo would
 * have meant no limit at all.
 */
const rules: Record<string, { what: string; ok: (value: number) => boolean }> = {
  jobs: { what: 'a whole number of 1 or more', ok: (value) => Number.isInteger(value) && value >= 1 },
  'max-cost': { what: 'an amount of US dollars, 0 or more', ok: (value) => Number.isFinite(value) && value >= 0 },
  'auto-spend': { what: 'an amount of US dollars, 0 or more', ok: (value) => Number.isFinite(value) && value >= 0 },
  port: { what: 'a port number from 0 to 65535', ok: (value) => Number.isInteger(value) && value >= 0 && value <= 65535 },
};

/** What is wrong with `value` for the option `--name`, for a person; undefined when it is fine (or not a numeric option). */
export function numberFlagProblem(name: string, value: unknown): string | undefined {
  const rule = rules[name];
  if (rule === undefined || value === undefined) return undefined;
  return typeof value === 'number' && rule.ok(value) ? undefined : `--${name} takes ${rule.what}`;
}

/** The first problem among the numeric options a parser read (by their long names); undefined when there is none. */
export function numberFlagsProblem(values: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of Object.keys(rules)) {
    const problem = numberFlagProblem(name, values[name]);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
