/**
 * Input rules of fal's Kling endpoints, checked the way fal does it: lazily (when the result
 * is asked for) and reported as pydantic-style `{loc, msg, type, input}` items, which the fal
 * SDK turns into `ValidationError.fieldErrors`. Unknown fields are dropped without a word, as
 * fal does (apis.md A.2), but listed so tests can see them.
 *
 * Sources: the input types in @fal-ai/client@1.10.1 `src/types/endpoints.d.ts` and the shot
 * rules quoted in /work/shared/reference/apis.md A.2.
 */

export interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

export interface KlingRules {
  /** Is this URL one the fake served (an upload, or an earlier output)? */
  isServedUrl(url: string): boolean;
  /** Cap on elements + image_urls (apis.md A.2: "Maximum 7 total (elements + reference images)"). */
  maxReferences: number;
}

type FieldKind = 'prompt' | 'multi_prompt' | 'string' | 'duration' | 'aspect_ratio' | 'boolean' | 'url' | 'url_list' | 'elements' | 'number' | 'string_list';

interface EndpointSchema {
  fields: Readonly<Record<string, FieldKind>>;
  required: readonly string[];
  /** Fields from a sibling endpoint that mean the caller picked the wrong endpoint. */
  forbidden: Readonly<Record<string, string>>;
}

const SHOT_FIELDS: Readonly<Record<string, FieldKind>> = { prompt: 'prompt', multi_prompt: 'multi_prompt', shot_type: 'string', duration: 'duration', generate_audio: 'boolean' };
const V3_EXTRA: Readonly<Record<string, FieldKind>> = { negative_prompt: 'string', cfg_scale: 'number', voice_ids: 'string_list' };
const ELEMENT_FIELDS = new Set(['frontal_image_url', 'reference_image_urls', 'video_url', 'voice_id']);
const SHOT_ITEM_FIELDS = new Set(['prompt', 'duration']);

const SCHEMAS: Readonly<Record<string, EndpointSchema>> = {
  'o3/text-to-video': { fields: { ...SHOT_FIELDS, aspect_ratio: 'aspect_ratio' }, required: [], forbidden: {} },
  'o3/image-to-video': {
    fields: { ...SHOT_FIELDS, image_url: 'url', end_image_url: 'url' },
    required: ['image_url'],
    // Real fal would drop it silently; the fake is stricter to catch the v3/O3 mix-up (apis.md A.1).
    forbidden: { start_image_url: 'this endpoint takes image_url, not start_image_url' },
  },
  'o3/reference-to-video': {
    fields: { ...SHOT_FIELDS, start_image_url: 'url', end_image_url: 'url', image_urls: 'url_list', elements: 'elements', aspect_ratio: 'aspect_ratio' },
    required: [],
    forbidden: {},
  },
  'v3/text-to-video': { fields: { ...SHOT_FIELDS, ...V3_EXTRA, aspect_ratio: 'aspect_ratio' }, required: [], forbidden: {} },
  'v3/image-to-video': {
    fields: { ...SHOT_FIELDS, ...V3_EXTRA, start_image_url: 'url', end_image_url: 'url', elements: 'elements', aspect_ratio: 'aspect_ratio' },
    required: ['start_image_url'],
    forbidden: { image_url: 'this endpoint takes start_image_url, not image_url' },
  },
};

const ENDPOINT_PATTERN = /^fal-ai\/kling-video\/(o3|v3)\/(standard|pro|4k)\/(text-to-video|image-to-video|reference-to-video)$/;

function schemaFor(endpoint: string): EndpointSchema | undefined {
  const m = ENDPOINT_PATTERN.exec(endpoint);
  if (m === null) return undefined;
  const [, family, tier, kind] = m;
  // O3 4K exists only for text- and reference-to-video; v3 has no 4K tier (apis.md A.1).
  if (tier === '4k' && (family === 'v3' || kind === 'image-to-video')) return undefined;
  return SCHEMAS[`${family ?? ''}/${kind ?? ''}`];
}

export function isKnownEndpoint(endpoint: string): boolean {
  return schemaFor(endpoint) !== undefined;
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
const TOTAL_DURATIONS = range(3, 15);
const SHOT_DURATIONS = range(1, 15);
const ASPECT_RATIOS = ['16:9', '9:16', '1:1'];
const MAX_SHOTS = 6;
const MAX_ELEMENT_REFS = 3;
/** fal's wording for the smaller cap when a video element is present (apis.md A.2). */
const MAX_REFERENCES_WITH_VIDEO = 4;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** pydantic's enumeration: 'a', 'b' or 'c'. */
function expectedList(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length === 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1] ?? ''}`;
}

function literal(loc: (string | number)[], value: unknown, allowed: readonly string[]): FieldError[] {
  if (typeof value === 'string' && allowed.includes(value)) return [];
  const expected = expectedList(allowed);
  return [{ loc, msg: `Input should be ${expected}`, type: 'literal_error', input: value, ctx: { expected } }];
}

function stringType(loc: (string | number)[], value: unknown): FieldError[] {
  return typeof value === 'string' ? [] : [{ loc, msg: 'Input should be a valid string', type: 'string_type', input: value }];
}

function missing(loc: (string | number)[], input: unknown): FieldError {
  return { loc, msg: 'Field required', type: 'missing', input };
}

function listLength(loc: (string | number)[], value: unknown[], min: number, max: number): FieldError[] {
  if (value.length < min) {
    return [{ loc, msg: `List should have at least ${min} item${min === 1 ? '' : 's'} after validation, not ${value.length}`, type: 'too_short', input: value, ctx: { field_type: 'List', min_length: min, actual_length: value.length } }];
  }
  if (value.length > max) {
    return [{ loc, msg: `List should have at most ${max} items after validation, not ${value.length}`, type: 'too_long', input: value, ctx: { field_type: 'List', max_length: max, actual_length: value.length } }];
  }
  return [];
}

function asList(loc: (string | number)[], value: unknown): { list: unknown[]; errors: FieldError[] } {
  if (Array.isArray(value)) return { list: value, errors: [] };
  return { list: [], errors: [{ loc, msg: 'Input should be a valid list', type: 'list_type', input: value }] };
}

function url(loc: (string | number)[], value: unknown, rules: KlingRules): FieldError[] {
  if (typeof value !== 'string') return stringType(loc, value);
  if (rules.isServedUrl(value)) return [];
  // fal fetches every input URL itself; one it cannot download fails the request.
  return [{ loc, msg: 'Failed to download the file. Please check if the URL is accessible.', type: 'file_download_error', input: value }];
}

function urlList(loc: (string | number)[], value: unknown, rules: KlingRules): FieldError[] {
  const { list, errors } = asList(loc, value);
  return [...errors, ...list.flatMap((item, i) => url([...loc, i], item, rules))];
}

function shots(value: unknown): FieldError[] {
  const loc = ['body', 'multi_prompt'];
  const { list, errors } = asList(loc, value);
  if (errors.length > 0) return errors;
  const out = listLength(loc, list, 1, MAX_SHOTS);
  list.forEach((item, i) => {
    if (!isRecord(item)) {
      out.push({ loc: [...loc, i], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type', input: item });
      return;
    }
    out.push(...('prompt' in item ? stringType([...loc, i, 'prompt'], item.prompt) : [missing([...loc, i, 'prompt'], item)]));
    if ('duration' in item) out.push(...literal([...loc, i, 'duration'], item.duration, SHOT_DURATIONS));
  });
  return out;
}

function element(loc: (string | number)[], item: unknown, rules: KlingRules): FieldError[] {
  if (!isRecord(item)) return [{ loc, msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type', input: item }];
  const out: FieldError[] = [];
  out.push(...('frontal_image_url' in item ? url([...loc, 'frontal_image_url'], item.frontal_image_url, rules) : [missing([...loc, 'frontal_image_url'], item)]));
  if ('reference_image_urls' in item) {
    const refsLoc = [...loc, 'reference_image_urls'];
    const { list, errors } = asList(refsLoc, item.reference_image_urls);
    out.push(...errors, ...(errors.length > 0 ? [] : listLength(refsLoc, list, 1, MAX_ELEMENT_REFS)), ...list.flatMap((u, j) => url([...refsLoc, j], u, rules)));
  } else {
    out.push(missing([...loc, 'reference_image_urls'], item));
  }
  if ('video_url' in item) out.push(...url([...loc, 'video_url'], item.video_url, rules));
  if ('voice_id' in item) out.push(...stringType([...loc, 'voice_id'], item.voice_id));
  return out;
}

function elements(value: unknown, rules: KlingRules): FieldError[] {
  const { list, errors } = asList(['body', 'elements'], value);
  return [...errors, ...list.flatMap((item, i) => element(['body', 'elements', i], item, rules))];
}

function checkField(name: string, kind: FieldKind, value: unknown, rules: KlingRules): FieldError[] {
  const loc = ['body', name];
  switch (kind) {
    case 'prompt':
    case 'string':
      return stringType(loc, value);
    case 'multi_prompt':
      return shots(value);
    case 'duration':
      return literal(loc, value, TOTAL_DURATIONS);
    case 'aspect_ratio':
      return literal(loc, value, ASPECT_RATIOS);
    case 'boolean':
      return typeof value === 'boolean' ? [] : [{ loc, msg: 'Input should be a valid boolean', type: 'bool_type', input: value }];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [{ loc, msg: 'Input should be a valid number', type: 'float_type', input: value }];
    case 'url':
      return url(loc, value, rules);
    case 'url_list':
      return urlList(loc, value, rules);
    case 'string_list': {
      const { list, errors } = asList(loc, value);
      return [...errors, ...list.flatMap((s, i) => stringType([...loc, i], s))];
    }
    case 'elements':
      return elements(value, rules);
  }
}

/** "Either prompt or multi_prompt must be provided, but not both." (fal's field docs). */
function promptChoice(body: Record<string, unknown>): FieldError[] {
  const hasPrompt = body.prompt !== undefined && body.prompt !== null;
  const hasShots = body.multi_prompt !== undefined && body.multi_prompt !== null;
  if (hasPrompt !== hasShots) return [];
  const msg = hasPrompt ? 'Value error, Either prompt or multi_prompt must be provided, but not both.' : 'Value error, Either prompt or multi_prompt must be provided.';
  return [{ loc: ['body', 'prompt'], msg, type: 'value_error', input: hasPrompt ? body.prompt : undefined }];
}

/** Kling's rule: the shot durations add up to the task duration (apis.md A.2). */
function shotSum(body: Record<string, unknown>): FieldError[] {
  const total = body.duration ?? '5';
  if (!Array.isArray(body.multi_prompt) || typeof total !== 'string' || !TOTAL_DURATIONS.includes(total)) return [];
  let sum = 0;
  for (const shot of body.multi_prompt) {
    const d = isRecord(shot) ? (shot.duration ?? '5') : undefined;
    if (typeof d !== 'string' || !SHOT_DURATIONS.includes(d)) return []; // already reported per shot
    sum += Number(d);
  }
  if (sum === Number(total)) return [];
  return [{ loc: ['body', 'multi_prompt'], msg: `Value error, the shot durations add up to ${sum}s but duration is '${total}'; they must be equal.`, type: 'value_error', input: body.multi_prompt }];
}

function referenceCap(body: Record<string, unknown>, rules: KlingRules): FieldError[] {
  const els = Array.isArray(body.elements) ? body.elements : [];
  const imgs = Array.isArray(body.image_urls) ? body.image_urls : [];
  const withVideo = els.some((e) => isRecord(e) && e.video_url !== undefined);
  const cap = withVideo ? Math.min(rules.maxReferences, MAX_REFERENCES_WITH_VIDEO) : rules.maxReferences;
  if (els.length + imgs.length <= cap) return [];
  const msg = `Value error, Maximum ${cap} total (elements + reference images) is allowed${withVideo ? ' when using video' : ''}; got ${els.length} elements and ${imgs.length} reference images.`;
  return [{ loc: ['body', 'elements'], msg, type: 'value_error', input: { elements: els.length, image_urls: imgs.length } }];
}

/** Every problem with `input` for `endpoint`; empty when fal would run it. */
export function validateKlingInput(endpoint: string, input: unknown, rules: KlingRules): FieldError[] {
  const schema = schemaFor(endpoint);
  if (schema === undefined) return [{ loc: ['body'], msg: `Unknown endpoint ${endpoint}`, type: 'value_error' }];
  if (!isRecord(input)) return [{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type', input }];
  const errors: FieldError[] = schema.required.filter((name) => input[name] === undefined).map((name) => missing(['body', name], input));
  for (const [name, reason] of Object.entries(schema.forbidden)) {
    if (input[name] !== undefined) errors.push({ loc: ['body', name], msg: `Extra inputs are not permitted: ${reason}`, type: 'extra_forbidden', input: input[name] });
  }
  for (const [name, kind] of Object.entries(schema.fields)) {
    if (input[name] !== undefined && input[name] !== null) errors.push(...checkField(name, kind, input[name], rules));
  }
  errors.push(...promptChoice(input), ...shotSum(input));
  if ('elements' in schema.fields) errors.push(...referenceCap(input, rules));
  return errors;
}

/** Fields fal would silently drop: unknown top-level keys and unknown keys inside shots and elements. */
export function droppedFields(endpoint: string, input: unknown): string[] {
  const schema = schemaFor(endpoint);
  if (schema === undefined || !isRecord(input)) return [];
  const out = Object.keys(input).filter((k) => !(k in schema.fields) && !(k in schema.forbidden));
  const nested = (field: string, allowed: ReadonlySet<string>): void => {
    const list = input[field];
    if (!(field in schema.fields) || !Array.isArray(list)) return;
    list.forEach((item, i) => {
      if (isRecord(item)) out.push(...Object.keys(item).filter((k) => !allowed.has(k)).map((k) => `${field}[${i}].${k}`));
    });
  };
  nested('multi_prompt', SHOT_ITEM_FIELDS);
  nested('elements', ELEMENT_FIELDS);
  return out;
}

/** The clip length fal would produce, in seconds (default "5"). */
export function requestedSeconds(input: unknown): number {
  const d = isRecord(input) ? input.duration : undefined;
  return typeof d === 'string' && TOTAL_DURATIONS.includes(d) ? Number(d) : 5;
}

/** Output frame size for the requested aspect ratio (Kling 720p-class output; the fake keeps it small). */
export function videoSize(input: unknown): { width: number; height: number } {
  const ratio = isRecord(input) ? input.aspect_ratio : undefined;
  if (ratio === '9:16') return { width: 720, height: 1280 };
  if (ratio === '1:1') return { width: 720, height: 720 };
  return { width: 1280, height: 720 };
}
