/**
 * What the schema made of a JSON value, written as the difference from the value itself: the
 * defaults it added, the keys it dropped or put in its own order. The parsed-files cache keeps a
 * sequence as its patch, not as the parse: the parse of a plan of 10,000 sequences is megabytes
 * that an edit of one sequence would read and write again whole, while its patches are a few
 * distinct shapes (most sequences get the same defaults).
 *
 * 0: the same as the value (its parts are shared, not copied);
 * { v }: this instead; { o }: an object with exactly these members, in this order;
 * { a }: an array of the same length, element by element.
 */
export type Patch = 0 | { v: unknown } | { o: Array<[key: string, patch: Patch]> } | { a: Patch[] };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const has = (object: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** The patch that turns `raw` into `parsed` (both as JSON would hold them). */
export function patchOf(raw: unknown, parsed: unknown): Patch {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    if (raw.length !== parsed.length) return { v: parsed };
    const items = parsed.map((item: unknown, i) => patchOf(raw[i], item));
    return items.every((item) => item === 0) ? 0 : { a: items };
  }
  if (isObject(raw) && isObject(parsed)) {
    const keys = Object.keys(parsed);
    const members = keys.map((key): [string, Patch] => [key, has(raw, key) ? patchOf(raw[key], parsed[key]) : { v: parsed[key] }]);
    const sameKeys = Object.keys(raw).join('\0') === keys.join('\0');
    return sameKeys && members.every(([, patch]) => patch === 0) ? 0 : { o: members };
  }
  return raw === parsed ? 0 : { v: parsed };
}

/** `raw` with `patch` applied. Throws on a patch that does not fit the value (a damaged cache). */
export function applyPatch(raw: unknown, patch: Patch): unknown {
  if (patch === 0) return raw;
  if ('v' in patch) return patch.v;
  if ('a' in patch) {
    if (!Array.isArray(raw) || raw.length !== patch.a.length) throw new Error('the patch does not fit');
    return patch.a.map((item, i) => applyPatch(raw[i], item));
  }
  if (!isObject(raw) || !Array.isArray(patch.o)) throw new Error('the patch does not fit');
  const object: Record<string, unknown> = {};
  for (const [key, member] of patch.o) {
    if (member !== 0 && !isObject(member)) throw new Error('the patch does not fit');
    if (member === 0 && !has(raw, key)) throw new Error('the patch does not fit');
    const value = applyPatch(raw[key], member);
    // As JSON keeps it: a member without a value is not there.
    if (value !== undefined) object[key] = value;
  }
  return object;
}
