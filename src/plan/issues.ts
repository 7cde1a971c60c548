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

/** What a person does about each kind of JSON syntax error. */
const syntaxFixes: Partial<Record<string, string>> = {
  InvalidSymbol: 'this is not JSON: text goes in double quotes ("wide shot"), numbers and true/false/null without',
  InvalidNumberFormat: 'this is not a JSON number: write digits like 5 or 2.5, or put text in double quotes',
  PropertyNameExpected: 'expected a field name in double quotes: write "name": value',
  ValueExpected: 'expected a value here: write text in double quotes, a number, true, false, null, { } or [ ]',
  ColonExpected: 'expected ":" after the field name: write "name": value',
  CommaExpected: 'a comma is missing before this: put "," between the two entries',
  CloseBraceExpected: 'an object is not closed: add the missing "}" (or a missing comma)',
  CloseBracketExpected: 'a list is not closed: add the missing "]" (or a missing comma)',
  EndOfFileExpected: 'there is more after the end of the JSON: remove it, or wrap both in one { } or [ ]',
  InvalidCommentToken: 'JSON has no comments: remove the comment',
  UnexpectedEndOfComment: 'JSON has no comments: remove the comment',
  UnexpectedEndOfString: 'a text is not closed: add the closing double quote',
  InvalidEscapeCharacter: 'an invalid escape after "\\": write \\\\ for a backslash',
  InvalidCharacter: 'a control character inside text: write \\n for a new line, \\t for a tab',
};

/**
 * Where and why a text is not JSON (jsonc-parser, error path only): the offset, the JSON
 * path around it and one sentence with the fix.
 */
export async function jsonSyntaxError(text: string): Promise<{ offset: number; path: JsonPath; message: string }> {
  const { parse, printParseErrorCode, getLocation } = await import('jsonc-parser');
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return { offset: 0, path: [], message: 'not valid JSON: save the file as JSON text (UTF-8)' };
  if (text.trim() === '') return { offset: 0, path: [], message: 'the file is empty: write the JSON object it should hold (cg init NAME writes a template project)' };
  const at = first.offset;
  // getLocation ends the path with "" where it expected a field name: that is the object's own path.
  const path = getLocation(text, at).path.filter((part, i, all) => part !== '' || i < all.length - 1);
  if (first.offset + first.length >= text.trimEnd().length) {
    return { offset: at, path, message: 'not valid JSON: the file ends before the JSON does (cut short?): restore the rest, or close every open { and [' };
  }
  const closing = text[at] === '}' || text[at] === ']';
  const before = text.slice(0, at).trimEnd();
  if (closing && before.endsWith(',')) {
    // In a list, the path names the entry that is not there; the list itself is where the comma is.
    const list = text[at] === ']' ? path.slice(0, -1) : path;
    return { offset: before.length - 1, path: list, message: `not valid JSON: a comma before "${text[at] ?? ''}": remove the trailing comma` };
  }
  const code = printParseErrorCode(first.error);
  const fix = syntaxFixes[code] ?? `${code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}: fix the syntax here`;
  return { offset: at, path, message: `not valid JSON: ${fix}` };
}

/**
 * Whether any object of a text JSON.parse accepted has a key twice: one pass over the characters,
 * a fraction of what the full parser below costs on a 10,000-sequence plan (which it runs only
 * when this says yes, to say where).
 */
export function hasDuplicateKeys(text: string): boolean {
  // One entry per open container: its keys so far (an object) or undefined (an array).
  const open: Array<Set<string> | undefined> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let end = i + 1;
      let escaped = false;
      for (let d = text.charCodeAt(end); d !== 34; d = text.charCodeAt(end)) {
        if (d === 92) escaped = true;
        end += d === 92 ? 2 : 1;
      }
      if (expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        const keys = open[open.length - 1];
        if (keys?.has(key) === true) return true;
        keys?.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 123) {
      open.push(new Set());
      expectKey = true;
    } else if (c === 91) {
      open.push(undefined);
    } else if (c === 125 || c === 93) {
      open.pop();
    } else if (c === 44) {
      expectKey = open[open.length - 1] !== undefined;
    }
  }
  return false;
}

/**
 * Keys written twice in one object: JSON.parse silently keeps the last, which drops a
 * character or a shot's prompt without a word. Runs only when a file changed.
 */
export async function duplicateKeys(text: string): Promise<Array<{ path: JsonPath; offset: number; first: number }>> {
  const { visit } = await import('jsonc-parser');
  const found: Array<{ path: JsonPath; offset: number; first: number }> = [];
  const open: Array<Map<string, number>> = [];
  visit(text, {
    onObjectBegin: () => {
      open.push(new Map());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (property, offset, _length, _line, _column, pathSupplier) => {
      const keys = open[open.length - 1];
      const first = keys?.get(property);
      if (first !== undefined) found.push({ path: [...pathSupplier(), property], offset, first });
      else keys?.set(property, offset);
    },
  });
  return found;
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
      if (!issue.message.startsWith('Too small')) return `${issue.message}; got ${describeInput(input)}`; // the schema's own words
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}, got ${describeInput(input)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}, got ${describeInput(input)}`;
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
