import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgError, InputIssue } from '../util/errors.ts';
import { isNotFound } from '../util/atomic-fs.ts';
import { err, ok, type Result } from '../util/result.ts';
import type { ProjectConfig } from './config-schema.ts';
import { jsonLocator, jsonSyntaxError, offsetToLineColumn, zodIssuesToInputIssues, type Locator } from './issues.ts';
import { displayPath, type ProjectPaths } from './project-paths.ts';
import { checkProject, refFolder } from './rules.ts';
import type { z } from 'zod';
import type { Bible, Decisions, Plan } from './schema.ts';
import { hashBytes } from '../util/hash.ts';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomic-fs.ts';

export interface LoadedProject {
  paths: ProjectPaths;
  plan: Plan;
  bible: Bible;
  decisions: Decisions;
  /** Reference images per element id, paths relative to the project folder, in name order (the first is the frontal view). */
  refs: ReadonlyMap<string, readonly string[]>;
}

const imageFile = /\.(png|jpe?g|webp)$/i;

type Parsed<T> = { value: T; text: string } | { issues: InputIssue[] };
type FileKind = 'plan' | 'bible' | 'decisions';
interface Parsers {
  plan: Plan;
  bible: Bible;
  decisions: Decisions;
}

type CachedFiles = Partial<Record<FileKind, { hash: string; value: unknown }>>;

/**
 * The parsed (normalised) files by content hash: files that did not change since the
 * last good load are not parsed again, and the schema library is not even loaded.
 */
class ParsedCache {
  readonly #file: string | undefined;
  readonly #write: boolean;
  readonly #tag: string;
  #entries: CachedFiles;
  #dirty = false;

  private constructor(file: string | undefined, write: boolean, tag: string, entries: CachedFiles) {
    this.#file = file;
    this.#write = write;
    this.#tag = tag;
    this.#entries = entries;
  }

  static async open(file: string | undefined, write: boolean, tag: string): Promise<ParsedCache> {
    const data = file === undefined ? undefined : ((await readJsonIfExists(file).catch(() => undefined)) as { tag?: string; entries?: CachedFiles } | undefined);
    return new ParsedCache(file, write, tag, data?.tag === tag ? (data.entries ?? {}) : {});
  }

  get<K extends FileKind>(kind: K, hash: string): Parsers[K] | undefined {
    const entry = this.#entries[kind];
    return entry?.hash === hash ? (entry.value as Parsers[K]) : undefined;
  }

  set(kind: FileKind, hash: string, value: unknown): void {
    this.#entries = { ...this.#entries, [kind]: { hash, value } };
    this.#dirty = true;
  }

  async save(): Promise<void> {
    if (!this.#dirty || !this.#write || this.#file === undefined) return;
    await writeJsonAtomic(this.#file, { tag: this.#tag, entries: this.#entries }).catch(() => undefined);
  }
}

async function parseWithSchema(kind: FileKind, data: unknown): Promise<{ ok: true; value: unknown } | { ok: false; schema: z.ZodType; issues: z.core.$ZodIssue[] }> {
  const schemas = await import('./schema.ts');
  const schema = kind === 'plan' ? schemas.PlanSchema : kind === 'bible' ? schemas.BibleSchema : schemas.DecisionsSchema;
  const result = schema.safeParse(data, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, schema, issues: result.error.issues };
}

async function readJsonFile<K extends FileKind>(
  path: string,
  file: string,
  kind: K,
  missing: 'error' | 'empty',
  cache: ParsedCache,
): Promise<Parsed<Parsers[K]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (missing === 'empty') text = '{}';
    else return { issues: [{ file, path: '', message: `${file} does not exist: create it (cg init NAME writes a template project)` }] };
  }
  const hash = hashBytes(Buffer.from(text));
  const cached = cache.get(kind, hash);
  if (cached !== undefined) return { value: cached, text };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const { offset, reason } = await jsonSyntaxError(text);
    const at = offsetToLineColumn(text, offset);
    return { issues: [{ file, path: '', ...at, message: `not valid JSON (${reason}): fix the syntax at this line and column` }] };
  }
  const result = await parseWithSchema(kind, data);
  if (result.ok) {
    cache.set(kind, hash, result.value);
    return { value: result.value as Parsers[K], text };
  }
  const locate = await jsonLocator(text);
  return { issues: zodIssuesToInputIssues(file, result.schema, result.issues, locate) };
}

async function listRefs(paths: ProjectPaths, bible: Bible): Promise<Map<string, string[] | undefined>> {
  const refs = new Map<string, string[] | undefined>();
  await Promise.all(
    Object.entries(bible.elements).map(async ([id, element]) => {
      const folder = refFolder(element.kind, id);
      try {
        const names = (await readdir(join(paths.dir, folder))).filter((name) => imageFile.test(name)).sort();
        refs.set(id, names.map((name) => `${folder}${name}`));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        refs.set(id, undefined);
      }
    }),
  );
  return refs;
}

export interface LoadOptions {
  paths: ProjectPaths;
  config: ProjectConfig;
  /** Take ids recorded in the project's state (decisions may only name these). */
  knownTakes: () => Promise<ReadonlySet<string>>;
  /** Where parsed files are remembered (written only after a load without mistakes). */
  parsedCache: { file: string | undefined; tag: string; write: boolean };
}

/**
 * Reads plan.json, bible.json and decisions.json, and lists the reference folders.
 * Returns every problem found in all three files, each naming file, JSON path and fix.
 */
export async function loadProject({ paths, config, knownTakes, parsedCache }: LoadOptions): Promise<Result<LoadedProject, CgError>> {
  const cache = await ParsedCache.open(parsedCache.file, parsedCache.write, parsedCache.tag);
  const rel = (absolute: string): string => displayPath(paths, absolute);
  const files = { 'plan.json': rel(paths.plan), 'bible.json': rel(paths.bible), 'decisions.json': rel(paths.decisions) };
  const [plan, bible, decisions] = await Promise.all([
    readJsonFile(paths.plan, files['plan.json'], 'plan', 'error', cache),
    readJsonFile(paths.bible, files['bible.json'], 'bible', 'error', cache),
    readJsonFile(paths.decisions, files['decisions.json'], 'decisions', 'empty', cache),
  ]);
  const issues = [plan, bible, decisions].flatMap((parsed) => ('issues' in parsed ? parsed.issues : []));
  if ('issues' in plan || 'issues' in bible || 'issues' in decisions) return err({ kind: 'input-invalid', issues });

  const refs = await listRefs(paths, bible.value);
  const takes = Object.values(decisions.value.sequences).some((d) => d.approved !== undefined || d.rejected.length > 0)
    ? await knownTakes()
    : new Set<string>();
  const found = checkProject({ plan: plan.value, bible: bible.value, decisions: decisions.value, config, refs, knownTakes: takes });
  if (found.length > 0) {
    const texts = { 'plan.json': plan.text, 'bible.json': bible.text, 'decisions.json': decisions.text };
    const locators = new Map<string, Locator>();
    const located: InputIssue[] = [];
    for (const issue of found) {
      let locate = locators.get(issue.file);
      if (locate === undefined) {
        locate = await jsonLocator(texts[issue.file]);
        locators.set(issue.file, locate);
      }
      const at = locate(issue.jsonPath);
      located.push({ file: files[issue.file], path: issue.path, ...at, message: issue.message });
    }
    return err({ kind: 'input-invalid', issues: located });
  }
  await cache.save();
  const present = new Map<string, readonly string[]>();
  for (const [id, list] of refs) if (list !== undefined) present.set(id, list);
  return ok({ paths, plan: plan.value, bible: bible.value, decisions: decisions.value, refs: present });
}
