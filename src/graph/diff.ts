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

const shown = 70;
const context = 25;

/** Short text for a value: hashes shortened, long text cut to a window starting at `from`. */
function showValue(value: unknown, from = 0): string {
  if (value === undefined) return '(none)';
  if (typeof value !== 'string') return JSON.stringify(value);
  if (/^sha256:[0-9a-f]{64}$/.test(value)) return value.slice(0, 19);
  const window = value.slice(from, from + shown);
  return JSON.stringify(`${from > 0 ? '…' : ''}${window}${value.length > from + shown ? '…' : ''}`);
}

/**
 * `path: old → new`. Long texts are shown from a little before the first character that
 * differs, so an edit at the end of a long prompt is visible, not cut off.
 */
export function describeChange(change: FieldChange): string {
  const { before, after } = change;
  let from = 0;
  if (typeof before === 'string' && typeof after === 'string') {
    let first = 0;
    while (first < before.length && before[first] === after[first]) first++;
    from = Math.max(0, first - context);
  }
  return `${friendlyPath(change.path)}: ${showValue(before, from)} → ${showValue(after, from)}`;
}

/** Material paths as a person reads them: `params.shots[2].prompt` → `shots[2].prompt`. */
export function friendlyPath(path: string): string {
  return path.replace(/^params\./, '').replace(/^inputs\./, 'input ');
}
