import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { CgError, InputIssue } from '../util/errors.ts';
import { isNotFound, listFolder, readHead, readSmallText } from '../util/atomic-fs.ts';
import { err, ok, type Result } from '../util/result.ts';
import type { ProjectConfig } from './config-schema.ts';
import { duplicateKeys, formatJsonPath, hasDuplicateKeys, jsonLocator, jsonSyntaxError, offsetToLineColumn, zodIssuesToInputIssues, type Locator } from './issues.ts';
import { displayPath, type ProjectPaths } from './project-paths.ts';
import { songFileProblem } from './song-file.ts';
import { checkProject, refFolder, type ProjectFile, type RuleContext, type RuleIssue } from './rules.ts';
import type { z } from 'zod';
import type { Bible, BibleElement, Decisions, Plan, SequenceDecisions } from './schema.ts';
import type * as SchemaModule from './schema.ts';
import { hashBytes, sha1, type BlobHash } from '../util/hash.ts';
import { applyPatch, patchOf, type Patch } from './parse-patch.ts';
import { readCheckedText, writeCheckedText } from '../util/checked-text.ts';
import { scanPlan } from './plan-layout.ts';

export interface LoadedProject {
  paths: ProjectPaths;
  plan: Plan;
  bible: Bible;
  decisions: Decisions;
  /** Reference images per element id, paths relative to the project folder, in name order (the first is the frontal view). */
  refs: ReadonlyMap<string, readonly string[]>;
}

const imageFile = /\.(png|jpe?g|webp)$/i;

type FileKind = 'plan' | 'bible' | 'decisions';
interface Parsers {
  plan: Plan;
  bible: Bible;
  decisions: Decisions;
}

/** The plan as parsed: its members but the sequences, and each sequence by its hash as written (sequenceHash) and its patch. */
interface CachedPlan {
  hash: string;
  /** The parsed plan with `sequences: null`, so the sequences take their place among the members again. */
  rest: Record<string, unknown>;
  patches: Patch[];
  sequences: Array<[hash: string, patch: number]>;
}
type CachedFile = { hash: string; value: unknown };
type CachedFiles = { plan?: CachedPlan; bible?: CachedFile; decisions?: CachedFile; checked?: string };

/**
 * The parsed (normalised) files by content hash: files that did not change since the
 * last good load are not validated again, and the schema library is not even loaded. When the
 * plan changed, its sequences that did not keep their parse: an edit of one sequence of
 * 10,000 validates one. The plan's sequences are kept as patches on what plan.json holds, so
 * this file stays small however long the plan is.
 */
class ParsedCache {
  readonly #file: string | undefined;
  readonly #write: boolean;
  readonly #tag: string;
  #entries: CachedFiles;
  /** The plan's patches by sequence hash (made once: both the parse and its remembering look them up). */
  #known: Map<string, Patch> | undefined;
  #dirty = false;

  private constructor(file: string | undefined, write: boolean, tag: string, entries: CachedFiles) {
    this.#file = file;
    this.#write = write;
    this.#tag = tag;
    this.#entries = entries;
  }

  /** A cache that is missing, damaged or made by another build of cg starts empty. */
  static open(file: string | undefined, write: boolean, tag: string): ParsedCache {
    const text = file === undefined ? undefined : readCheckedText(file);
    let data: { tag?: unknown; entries?: CachedFiles } | undefined;
    try {
      data = text === undefined ? undefined : (JSON.parse(text) as typeof data);
    } catch {
      data = undefined;
    }
    return new ParsedCache(file, write, tag, data?.tag === tag ? (data.entries ?? {}) : {});
  }

  /** The parse of bible.json or decisions.json whose text has this hash. */
  get(kind: 'bible' | 'decisions', hash: string): unknown {
    const entry = this.#entries[kind];
    return entry?.hash === hash ? entry.value : undefined;
  }

  /** The parse of the plan whose text has this hash, made again from what JSON.parse made of that text. */
  plan(hash: string, data: unknown): Plan | undefined {
    const entry = this.#entries.plan;
    const raw = objectMembers(data)?.['sequences'];
    if (entry?.hash !== hash || !Array.isArray(raw) || raw.length !== entry.sequences.length) return undefined;
    try {
      const sequences = entry.sequences.map(([, patch], i) => applyPatch(raw[i], entry.patches[patch] as Patch));
      return { ...entry.rest, sequences } as unknown as Plan;
    } catch {
      return undefined; // a damaged cache is parsed again
    }
  }

  /** The patch of each sequence of the last good plan, by the hash of the sequence as written. */
  sequences(): Map<string, Patch> {
    this.#known ??= this.#keptPatches();
    return this.#known;
  }

  #keptPatches(): Map<string, Patch> {
    const known = new Map<string, Patch>();
    const entry = this.#entries.plan;
    if (entry === undefined || !Array.isArray(entry.sequences) || !Array.isArray(entry.patches)) return known;
    for (const [hash, index] of entry.sequences) {
      const patch = entry.patches[index];
      if (patch !== undefined) known.set(hash, patch);
    }
    return known;
  }

  /** The fingerprint of the last inputs the rules found no mistake in. */
  checked(): string | undefined {
    return this.#entries.checked;
  }

  setChecked(fingerprint: string): void {
    if (this.#entries.checked === fingerprint) return;
    this.#entries = { ...this.#entries, checked: fingerprint };
    this.#dirty = true;
  }

  set(kind: 'bible' | 'decisions', hash: string, value: unknown): void {
    this.#entries = { ...this.#entries, [kind]: { hash, value } };
    this.#dirty = true;
  }

  /** Remembers a plan's parse: `raw` is what JSON.parse made of its sequences, `hashes` their sequenceHash. */
  setPlan(hash: string, plan: Plan, raw: readonly unknown[], hashes: readonly string[]): void {
    if (raw.length !== plan.sequences.length || hashes.length !== raw.length) return;
    const known = this.sequences();
    // The same shape of patch once: most sequences get the same defaults. Kept patches are
    // shared objects, told apart without writing each out.
    const byText = new Map<string, number>();
    const byObject = new Map<Patch, number>();
    const patches: Patch[] = [];
    const indexOf = (patch: Patch): number => {
      let index = byObject.get(patch);
      if (index === undefined) {
        const text = JSON.stringify(patch);
        index = byText.get(text) ?? patches.push(patch) - 1;
        byText.set(text, index);
        byObject.set(patch, index);
      }
      return index;
    };
    const sequences = hashes.map((sequenceHash, i): [string, number] => [sequenceHash, indexOf(known.get(sequenceHash) ?? patchOf(raw[i], plan.sequences[i]))]);
    this.#entries = { ...this.#entries, plan: { hash, rest: { ...plan, sequences: null }, patches, sequences } };
    this.#known = undefined;
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.#dirty || !this.#write || this.#file === undefined) return;
    await writeCheckedText(this.#file, JSON.stringify({ tag: this.#tag, entries: this.#entries })).catch(() => undefined);
    // What earlier versions kept whole in parsed.json (11 MB at 10,000 sequences) is no longer read.
    await rm(join(dirname(this.#file), 'parsed.json'), { force: true }).catch(() => undefined);
  }
}

type Parsed = { ok: true; value: unknown; sequenceHashes?: string[] } | { ok: false; schema: z.ZodType; issues: z.core.$ZodIssue[] };

/** A sequence's hash when plan.json is not laid out as PlanLayout expects (else its bytes' hash, PlanScan.hashes). */
const sequenceHash = (raw: unknown): string => sha1(JSON.stringify(raw));

/** Each sequence's hash as written: of its bytes when the plan is laid out as expected, else of its parse. */
function sequenceHashes(text: string, sequences: readonly unknown[]): string[] {
  const hashes = scanPlan(Buffer.from(text))?.hashes;
  return hashes?.length === sequences.length ? hashes : sequences.map(sequenceHash);
}

/**
 * plan.json as a caller already read it: its text (no byte-order mark), the hash of that text,
 * what JSON.parse made of it, and each sequence's hash as written, so it is not read, parsed
 * or hashed twice.
 */
export interface PreparedPlan {
  text: string;
  hash: BlobHash;
  data: unknown;
  sequenceHashes: readonly string[] | undefined;
  /**
   * Set when the text holds only these sequences of the plan (a build of the sequences that
   * changed): the rest of the plan loaded before, as written; nothing about it is remembered.
   */
  only?: ReadonlySet<string>;
}

/**
 * The plan, validated sequence by sequence: a sequence written as before keeps its parse, the
 * others go through the sequence schema, and the rest of the plan through the plan schema with
 * one sequence. Undefined when anything fails: the whole plan is then parsed, for its messages.
 */
function parsePlanBySequence(schemas: typeof SchemaModule, text: string, data: unknown, known: ReadonlyMap<string, Patch>, given: readonly string[] | undefined): Parsed | undefined {
  const sequences = objectMembers(data)?.['sequences'];
  if (!Array.isArray(sequences) || sequences.length === 0) return undefined;
  const hashes = given?.length === sequences.length ? given : sequenceHashes(text, sequences);
  const parsed: unknown[] = [];
  for (const [i, raw] of (sequences as unknown[]).entries()) {
    let value = keptParse(raw, known.get(hashes[i] as string));
    if (value === undefined) {
      const result = schemas.SequenceSchema.safeParse(raw);
      if (!result.success) return undefined;
      value = result.data;
    }
    parsed.push(value);
  }
  const rest = schemas.PlanSchema.safeParse({ ...objectMembers(data), sequences: sequences.slice(0, 1) as unknown[] });
  if (!rest.success) return undefined;
  return { ok: true, value: { ...rest.data, sequences: parsed }, sequenceHashes: [...hashes] };
}

/** A sequence's parse from its kept patch; undefined when there is none, or it does not fit (a damaged cache). */
function keptParse(raw: unknown, patch: Patch | undefined): unknown {
  if (patch === undefined) return undefined;
  try {
    return applyPatch(raw, patch);
  } catch {
    return undefined;
  }
}

async function parseWithSchema(kind: FileKind, text: string, data: unknown, cache: ParsedCache, sequenceHashes: readonly string[] | undefined): Promise<Parsed> {
  const schemas = await import('./schema.ts');
  if (kind === 'plan') {
    const bySequence = parsePlanBySequence(schemas, text, data, cache.sequences(), sequenceHashes);
    if (bySequence !== undefined) return bySequence;
  }
  const schema = kind === 'plan' ? schemas.PlanSchema : kind === 'bible' ? schemas.BibleSchema : schemas.DecisionsSchema;
  const result = schema.safeParse(data, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, schema, issues: result.error.issues };
}

/** Remembers a good parse: the plan by its sequences' patches, the other files whole. */
function remember(cache: ParsedCache, kind: FileKind, file: { hash: string; text: string; data: unknown }, result: { value: unknown; sequenceHashes?: readonly string[] }): void {
  if (kind !== 'plan') return cache.set(kind, file.hash, result.value);
  const raw = objectMembers(file.data)?.['sequences'];
  if (Array.isArray(raw)) cache.setPlan(file.hash, result.value as Plan, raw as unknown[], result.sequenceHashes ?? sequenceHashes(file.text, raw as unknown[]));
}

interface ReadJson<T> {
  /** The text without a byte-order mark; undefined when the file could not be read. */
  text: string | undefined;
  /** What JSON.parse made of it, when the schema did not accept it (the rules look at the parts that pass). */
  json: { data: unknown } | undefined;
  value: T | undefined;
  /** The content hash of the text, when it was read. */
  hash: string | undefined;
  issues: InputIssue[];
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

async function readJsonFile<K extends FileKind>(path: string, file: string, kind: K, missing: 'error' | 'empty', cache: ParsedCache, prepared?: PreparedPlan): Promise<ReadJson<Parsers[K]>> {
  const failed = (issue: Omit<InputIssue, 'file'>): ReadJson<Parsers[K]> => ({ text: undefined, json: undefined, value: undefined, hash: undefined, issues: [{ file, ...issue }] });
  let text: string;
  if (prepared !== undefined) text = prepared.text;
  else {
    try {
      text = await readSmallText(path);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EISDIR') return failed({ path: '', message: `is a folder, but it should be a file: move the folder away and write ${basename(path)} there` });
      if (code === 'EACCES' || code === 'EPERM') return failed({ path: '', message: 'cannot be read (permission denied): make it readable, e.g. chmod u+r' });
      if (!isNotFound(error)) throw error;
      if (missing === 'error') return failed({ path: '', message: `does not exist: create it (cg init NAME writes a template project)` });
      text = '{}';
    }
  }
  if (text.startsWith('\uFEFF')) {
    // Windows editors save with a byte-order mark; plan.json and bible.json are read as if it were not there.
    // decisions.json is rewritten by cg pick and approve, whose reader does not skip it.
    if (kind === 'decisions') return failed({ path: '', line: 1, column: 1, message: 'starts with a byte-order mark (BOM): save it as UTF-8 without BOM' });
    text = text.slice(1);
  }
  const hash = prepared?.hash ?? hashBytes(Buffer.from(text));
  const cached = kind === 'plan' ? undefined : cache.get(kind, hash);
  if (cached !== undefined) return { text, json: undefined, value: cached as Parsers[K], hash, issues: [] };
  let data: unknown;
  try {
    data = prepared !== undefined ? prepared.data : JSON.parse(text);
  } catch {
    const syntax = await jsonSyntaxError(text);
    return { ...failed({ path: formatJsonPath(syntax.path), ...offsetToLineColumn(text, syntax.offset), message: syntax.message }), text };
  }
  const plan = kind === 'plan' && prepared?.only === undefined ? cache.plan(hash, data) : undefined;
  if (plan !== undefined) return { text, json: undefined, value: plan as Parsers[K], hash, issues: [] };
  const issues: InputIssue[] = (hasDuplicateKeys(text) ? await duplicateKeys(text) : []).map(({ path: at, offset, first }) => ({
    file,
    path: formatJsonPath(at),
    ...offsetToLineColumn(text, offset),
    message: `"${String(at[at.length - 1])}" is written twice in one object (also line ${offsetToLineColumn(text, first).line}), and JSON keeps only the last: remove or rename one`,
  }));
  const result = await parseWithSchema(kind, text, data, cache, prepared?.sequenceHashes);
  if (result.ok) {
    remember(cache, kind, { hash, text, data }, result);
    return { text, json: undefined, value: result.value as Parsers[K], hash, issues };
  }
  const locate = await jsonLocator(text);
  return { text, json: { data }, value: undefined, hash, issues: [...issues, ...zodIssuesToInputIssues(file, result.schema, result.issues, locate)] };
}

/** A JSON object's members, or undefined for anything else. */
function objectMembers(data: unknown): Record<string, unknown> | undefined {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
}

/** The parts of each file that pass the schema on their own: what the rules look at when a file has mistakes. */
async function ruleInputs(
  plan: ReadJson<Plan>,
  bible: ReadJson<Bible>,
  decisions: ReadJson<Decisions>,
): Promise<Pick<RuleContext, 'sequences' | 'sequenceIds' | 'elements' | 'decisions'>> {
  if (plan.value !== undefined && bible.value !== undefined && decisions.value !== undefined) {
    return {
      sequences: plan.value.sequences,
      sequenceIds: plan.value.sequences.map((sequence) => sequence.id),
      elements: new Map(Object.entries(bible.value.elements)),
      decisions: new Map(Object.entries(decisions.value.sequences)),
    };
  }
  const { SequenceSchema, ElementSchema, SequenceDecisionsSchema, sequenceIdPattern } = await import('./schema.ts');
  const rawSequences = plan.value?.sequences ?? objectMembers(plan.json?.data)?.['sequences'];
  const sequences = Array.isArray(rawSequences) ? (rawSequences as unknown[]) : undefined;
  const elements = objectMembers(bible.value?.elements ?? objectMembers(bible.json?.data)?.['elements']);
  const decided = objectMembers(decisions.value?.sequences ?? objectMembers(decisions.json?.data)?.['sequences']) ?? {};
  return {
    sequences: sequences?.map((raw) => SequenceSchema.safeParse(raw).data),
    sequenceIds: (sequences ?? []).map((raw) => objectMembers(raw)?.['id']).filter((id): id is string => typeof id === 'string'),
    // An element with a mistake keeps its id, so the plan's mentions of it are not called unknown.
    elements: elements === undefined ? undefined : new Map(Object.entries(elements).map(([id, raw]) => [id, ElementSchema.safeParse(raw).data])),
    decisions: new Map(
      Object.entries(decided).flatMap(([id, raw]): Array<[string, SequenceDecisions]> => {
        const parsed = SequenceDecisionsSchema.safeParse(raw);
        return sequenceIdPattern.test(id) && parsed.success ? [[id, parsed.data]] : [];
      }),
    ),
  };
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG, JPEG or WebP by their first bytes: a name ending in .png says nothing about the content. */
function looksLikeImage(head: Buffer): boolean {
  const jpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  const webp = head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP';
  return head.subarray(0, 8).equals(pngSignature) || jpeg || webp;
}

function firstBytes(path: string): Promise<Buffer> {
  return readHead(path, 12);
}

/** The file that stands where a folder of `folder` (relative to `dir`) should be. */
async function fileInTheWay(dir: string, folder: string): Promise<string> {
  let path = dir;
  for (const part of folder.split('/').filter((p) => p !== '')) {
    path = join(path, part);
    if (!(await stat(path)).isDirectory()) return path;
  }
  return path;
}

/**
 * The image files in each element's reference folder, in name order. A folder that is
 * missing is left to the rules (only elements the plan uses need one); a file where the
 * folder should be, or a file that is not an image, is a mistake right here.
 */
async function listRefs(paths: ProjectPaths, elements: ReadonlyMap<string, BibleElement | undefined>): Promise<{ refs: Map<string, string[] | undefined>; issues: InputIssue[] }> {
  const refs = new Map<string, string[] | undefined>();
  // By file: a file standing where refs/ should be is one mistake, not one per element.
  const issues = new Map<string, InputIssue>();
  const problem = (absolute: string, message: string): void => {
    const file = displayPath(paths, absolute);
    issues.set(file, { file, path: '', message });
  };
  await Promise.all(
    [...elements].map(async ([id, element]) => {
      if (element === undefined) return;
      const folder = refFolder(element.kind, id);
      let names: string[];
      try {
        names = (await listFolder(join(paths.dir, folder))).filter((name) => imageFile.test(name)).sort();
      } catch (error) {
        if (isNotFound(error)) return void refs.set(id, undefined);
        if (errorCode(error) !== 'ENOTDIR') throw error;
        const file = await fileInTheWay(paths.dir, folder);
        const should = `${relative(paths.dir, file)}/` === folder ? `the folder of ${element.kind} "${id}"'s reference images` : 'a folder, with the reference folders inside it';
        return problem(file, `is a file, but it should be ${should}: move the file away`);
      }
      const files = names.map((name) => `${folder}${name}`);
      await Promise.all(
        files.map(async (file) => {
          const absolute = join(paths.dir, file);
          const head = await firstBytes(absolute).catch((error: unknown) => {
            if (errorCode(error) === 'EISDIR') return undefined;
            throw error;
          });
          if (head === undefined) problem(absolute, `is a folder, not an image: rename it or move it out of ${folder}`);
          else if (!looksLikeImage(head)) problem(absolute, `is not a PNG, JPEG or WebP image${head.length === 0 ? ' (it is empty)' : ', whatever its name says'}: replace it with one, or move it out of ${folder}`);
        }),
      );
      refs.set(id, files);
    }),
  );
  return { refs, issues: [...issues.values()] };
}

export interface LoadOptions {
  paths: ProjectPaths;
  config: ProjectConfig;
  /** Take ids recorded in the project's state (decisions may only name these). */
  knownTakes: () => Promise<ReadonlySet<string>>;
  /** Where parsed files are remembered (written only after a load without mistakes). */
  parsedCache: { file: string | undefined; tag: string; write: boolean };
  /** Reads the song plan.json names (it is there): why it cannot be used, if it cannot. */
  checkSong?: (file: string) => Promise<string | undefined>;
  /** plan.json, when the caller read it already. */
  plan?: PreparedPlan;
}

/** decisions.json as if it held only the sequences in `only` (as a plan loaded in part, or a narrowed project, does). */
export function decisionsFor(decisions: Decisions, only: ReadonlySet<string>): Decisions {
  return { ...decisions, sequences: Object.fromEntries(Object.entries(decisions.sequences).filter(([id]) => only.has(id))) };
}

/** File, then line, then column: the order a person fixes them in. */
function inFileOrder(a: InputIssue, b: InputIssue): number {
  return (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/**
 * Reads plan.json, bible.json and decisions.json, and lists the reference folders.
 * Returns every problem found in all three files at once, in file order, each naming
 * file, position, JSON path and fix: the rules run on whatever passed the schema.
 */
export async function loadProject({ paths, config, knownTakes, parsedCache, checkSong, plan: prepared }: LoadOptions): Promise<Result<LoadedProject, CgError>> {
  const only = prepared?.only;
  const cache = ParsedCache.open(parsedCache.file, parsedCache.write && only === undefined, parsedCache.tag);
  const rel = (absolute: string): string => displayPath(paths, absolute);
  const files: Record<ProjectFile, string> = { 'plan.json': rel(paths.plan), 'bible.json': rel(paths.bible), 'decisions.json': rel(paths.decisions) };
  const [plan, bible, read] = await Promise.all([
    readJsonFile(paths.plan, files['plan.json'], 'plan', 'error', cache, prepared),
    readJsonFile(paths.bible, files['bible.json'], 'bible', 'error', cache),
    readJsonFile(paths.decisions, files['decisions.json'], 'decisions', 'empty', cache),
  ]);
  const decisions = only === undefined || read.value === undefined ? read : { ...read, value: decisionsFor(read.value, only) };
  const issues = [...plan.issues, ...bible.issues, ...decisions.issues];
  const inputs = await ruleInputs(plan, bible, decisions);
  const listed = await listRefs(paths, inputs.elements ?? new Map());
  issues.push(...listed.issues);
  const takes = [...inputs.decisions.values()].some((d) => d.approved !== undefined || d.rejected.length > 0) ? await knownTakes() : new Set<string>();
  // The rules see only these inputs: the same ones as the last load without mistakes are not checked again.
  const fingerprint = sha1(JSON.stringify([plan.hash ?? null, bible.hash ?? null, decisions.hash ?? null, config, [...listed.refs].sort(([a], [b]) => (a < b ? -1 : 1)), [...takes].sort()]));
  const found: RuleIssue[] = issues.length === 0 && cache.checked() === fingerprint ? [] : checkProject({ ...inputs, config, refs: listed.refs, knownTakes: takes });
  const song = plan.value?.song?.file;
  const songProblem = song === undefined ? undefined : (songFileProblem(paths.dir, song) ?? (await checkSong?.(song)));
  if (songProblem !== undefined) found.push({ file: 'plan.json', jsonPath: ['song', 'file'], message: songProblem });
  const texts: Record<ProjectFile, string | undefined> = { 'plan.json': plan.text, 'bible.json': bible.text, 'decisions.json': decisions.text };
  const locators = new Map<ProjectFile, Locator | undefined>();
  for (const issue of found) {
    if (!locators.has(issue.file)) {
      const text = texts[issue.file];
      locators.set(issue.file, text === undefined ? undefined : await jsonLocator(text));
    }
    const at = locators.get(issue.file)?.(issue.jsonPath);
    issues.push({ file: files[issue.file], path: formatJsonPath(issue.jsonPath), ...at, message: issue.message });
  }
  if (issues.length > 0 || plan.value === undefined || bible.value === undefined || decisions.value === undefined) {
    return err({ kind: 'input-invalid', issues: issues.sort(inFileOrder) });
  }
  cache.setChecked(fingerprint);
  await cache.save();
  const present = new Map<string, readonly string[]>();
  for (const [id, list] of listed.refs) if (list !== undefined) present.set(id, list);
  return ok({ paths, plan: plan.value, bible: bible.value, decisions: decisions.value, refs: present });
}
