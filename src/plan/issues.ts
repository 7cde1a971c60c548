import type { ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import type { InputIssue } from '../util/errors.ts';

export type JsonPath = ReadonlyArray<string | number>;

/** `sequences[3].shots[1].duration`, as a person reads a JSON path. */
export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Finds line and column of a JSON path in the text; lazily loads jsonc-parser (error path only). */
export type Locator = (path: JsonPath, key?: string) => { line: number; column: number } | undefined;

export async function jsonLocator(text: string): Promise<Locator> {
  const { parseTree, findNodeAtLocation } = await import('jsonc-parser');
  const tree = parseTree(text);
  return (path, key) => {
    if (tree === undefined) return undefined;
    let node = findNodeAtLocation(tree, [...path]);
    // Point at the offending key itself when there is one (unknown fields).
    if (node !== undefined && key !== undefined) {
      const property = node.children?.find((child) => child.children?.[0]?.value === key);
      if (property !== undefined) node = property;
    }
    // A missing member: point at the object that lacks it.
    for (let depth = path.length - 1; node === undefined && depth >= 0; depth--) {
      node = findNodeAtLocation(tree, path.slice(0, depth));
    }
    if (node === undefined) return undefined;
    return offsetToLineColumn(text, node.offset);
  };
}

/** Where and why a text is not JSON, with the offset of the first error (jsonc-parser, error path only). */
export async function jsonSyntaxError(text: string): Promise<{ offset: number; reason: string }> {
  const { parse, printParseErrorCode } = await import('jsonc-parser');
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return { offset: 0, reason: 'the file is not JSON' };
  const words = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return { offset: first.offset, reason: words };
}

export function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Describes a value briefly, for "got …" in messages. */
function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'an object';
  const text = JSON.stringify(input);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

const typeWords: Record<string, string> = {
  string: 'text in quotes',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list [ … ]',
  object: 'an object { … }',
  record: 'an object { … }',
};

/** Field names an object schema accepts at a path, for "unknown field" messages. */
export function allowedKeysAt(schema: z.ZodType, path: JsonPath): string[] | undefined {
  let current: unknown = schema;
  const steps = [...path];
  for (let guard = 0; guard < 64; guard++) {
    const def = (current as { def?: Record<string, unknown> }).def;
    if (def === undefined) return undefined;
    const type = def['type'];
    if (type === 'optional' || type === 'default' || type === 'prefault' || type === 'nullable') {
      current = def['innerType'];
      continue;
    }
    if (type === 'pipe') {
      current = def['in'];
      continue;
    }
    if (steps.length === 0) {
      const shape = def['shape'];
      return type === 'object' && shape !== null && typeof shape === 'object' ? Object.keys(shape) : undefined;
    }
    const step = steps.shift();
    if (type === 'array') current = def['element'];
    else if (type === 'record') current = def['valueType'];
    else if (type === 'object') current = (def['shape'] as Record<string, unknown>)[String(step)];
    else return undefined;
  }
  return undefined;
}

/** Turns zod issues into one sentence each, naming the file, the JSON path and the fix. */
export function zodIssuesToInputIssues(
  file: string,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  locate: Locator | undefined,
): InputIssue[] {
  const out: InputIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, path) ?? [];
      for (const key of issue.keys) {
        out.push(
          withLocation(
            {
              file,
              path: formatJsonPath([...path, key]),
              message: `unknown field "${key}"${allowed.length > 0 ? `; fields here are: ${allowed.join(', ')}` : ''}: remove it or fix its spelling`,
            },
            locate?.(path, key),
          ),
        );
      }
      continue;
    }
    out.push(withLocation({ file, path: formatJsonPath(path), message: issueMessage(issue, path) }, locate?.(path)));
  }
  return out;
}

function issueMessage(issue: z.core.$ZodIssue, path: JsonPath): string {
  const input = (issue as { input?: unknown }).input;
  const last = path[path.length - 1];
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `missing required field "${String(last)}": add it`;
      return `expected ${typeWords[issue.expected] ?? issue.expected}, got ${describeInput(input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeInput(input)}`;
    case 'too_small':
      if (issue.origin === 'array') return issue.message;
      if (issue.origin === 'string') return `must not be empty`;
      return `must be at least ${String(issue.minimum)}, got ${describeInput(input)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}, got ${describeInput(input)}`;
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? issue.message;
      return `the key ${describeInput(String(last))} is not allowed: ${inner}`;
    }
    default:
      return input === undefined ? issue.message : `${issue.message}; got ${describeInput(input)}`;
  }
}

function withLocation(issue: InputIssue, at: { line: number; column: number } | undefined): InputIssue {
  return at === undefined ? issue : { ...issue, line: at.line, column: at.column };
}
