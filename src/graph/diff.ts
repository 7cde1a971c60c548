/** One field whose value differs between the last build and now. */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** Leaf-level differences between two JSON values, with paths like `params.shots[2].prompt`. */
export function diffJson(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: FieldChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) changes.push(...diffJson(before[i], after[i], `${path}[${i}]`));
    return changes;
  }
  if (isObject(before) && isObject(after)) {
    const changes: FieldChange[] = [];
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      changes.push(...diffJson(before[key], after[key], path === '' ? key : `${path}.${key}`));
    }
    return changes;
  }
  return [{ path, before, after }];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Short text for a changed value: long prompts are cut, hashes shortened. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') {
    if (/^sha256:[0-9a-f]{64}$/.test(value)) return value.slice(0, 19);
    return JSON.stringify(value.length > 70 ? `${value.slice(0, 67)}…` : value);
  }
  return JSON.stringify(value);
}

/** Material paths as a person reads them: `params.shots[2].prompt` → `shots[2].prompt`. */
export function friendlyPath(path: string): string {
  return path.replace(/^params\./, '').replace(/^inputs\./, 'input ');
}
