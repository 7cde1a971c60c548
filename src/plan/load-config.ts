import { accessSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, relative, sep } from 'node:path';
import { writeCacheAtomic } from '../util/atomic-fs.ts';
import type { CgError } from '../util/errors.ts';
import { err, ok, type Result } from '../util/result.ts';
import type { Config } from './config-schema.ts';
import { zodIssuesToInputIssues } from './issues.ts';

export const configNames = ['pipeline.config.ts', 'pipeline.config.mts', 'pipeline.config.mjs', 'pipeline.config.js'];

/**
 * The nearest folder at or above `cwd` holding a pipeline config, and the file. This and the
 * cached config below read synchronously: every command starts here, and the thread pool's
 * round trips (four for each small file read) cost several times the reads themselves.
 */
export function findConfig(cwd: string): { root: string; file: string } | undefined {
  let dir = cwd;
  for (;;) {
    for (const name of configNames) {
      const file = join(dir, name);
      try {
        accessSync(file);
        return { root: dir, file };
      } catch {
        // not here; keep looking
      }
    }
    if (dir === parse(dir).root) return undefined;
    dir = dirname(dir);
  }
}

interface ConfigCache {
  tag: string;
  /**
   * The config file first, then every local file it imported: paths from the root, and the
   * bytes (as latin1 text; null: unreadable when the cache was written). Compared as they are,
   * not hashed: config files are small, and hashing would load crypto on every command.
   */
  files: Array<[path: string, bytes: string | null]>;
  config: Config;
}

/** A file's bytes as latin1 text (one character a byte), or undefined when it cannot be read. */
function contents(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * The remembered config, only if it came from this very file and every file it imported,
 * byte for byte: paths are relative to the root, so a copied or moved repository checks
 * its own files (never the original's), and contents survive a copy's new mtimes.
 */
function cachedConfig(load: ConfigLoad, cacheFile: string): Config | undefined {
  let cache: ConfigCache;
  try {
    cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as ConfigCache;
  } catch {
    return undefined;
  }
  if (cache.tag !== load.cacheTag || !Array.isArray(cache.files)) return undefined;
  if (cache.files[0]?.[0] !== relative(load.root, load.file)) return undefined;
  for (const [path, bytes] of cache.files) {
    if (typeof path !== 'string' || isAbsolute(path) || typeof bytes !== 'string' || contents(join(load.root, path)) !== bytes) return undefined;
  }
  return cache.config;
}

export interface ConfigLoad {
  file: string;
  root: string;
  displayName: string;
  /**
   * Where the validated config is remembered with the fingerprints of the files it came
   * from, so most commands load neither the TypeScript loader nor the schema library.
   */
  cacheFile: string | undefined;
  /** Changes when clipgraph changes, so a new version never trusts an old cache. */
  cacheTag: string;
}

/** Loads pipeline.config.ts with jiti (TypeScript without a build step) and validates it. */
export async function loadConfig(load: ConfigLoad): Promise<Result<Config, CgError>> {
  if (load.cacheFile !== undefined) {
    const hit = cachedConfig(load, load.cacheFile);
    if (hit !== undefined) return ok(hit);
  }
  let exported: unknown;
  let files: string[];
  try {
    const { createJiti } = await import('jiti');
    const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: true, fsCache: false });
    exported = await jiti.import(load.file, { default: true });
    // The local files the config pulled in; dropped from the module cache so the next load reads them fresh.
    files = Object.keys(jiti.cache).filter((path) => path === load.file || (path.startsWith(load.root + sep) && !path.includes(`${sep}node_modules${sep}`) && !path.includes(`${sep}dist${sep}`)));
    for (const path of files) Reflect.deleteProperty(jiti.cache, path);
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return err({ kind: 'input-invalid', issues: [{ file: load.displayName, path: '', message: `could not load the config (${message}): fix the file so it exports a defineConfig({...}) object` }] });
  }
  const { ConfigSchema } = await import('./config-schema.ts');
  const result = ConfigSchema.safeParse(exported ?? {}, { reportInput: true });
  if (!result.success) {
    return err({ kind: 'input-invalid', issues: zodIssuesToInputIssues(load.displayName, ConfigSchema, result.error.issues, undefined) });
  }
  if (load.cacheFile !== undefined) {
    const ordered = [load.file, ...files.filter((path) => path !== load.file)];
    const read = ordered.map((path): [string, string | null] => [relative(load.root, path), contents(path) ?? null]);
    const cache: ConfigCache = { tag: load.cacheTag, files: read, config: result.data };
    await writeCacheAtomic(load.cacheFile, cache).catch(() => undefined); // a cache that cannot be written is only slower
  }
  return ok(result.data);
}
