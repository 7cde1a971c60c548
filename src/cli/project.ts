import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { StatCache } from '../cache/stat-cache.ts';
import type { Config, ProjectConfig } from '../plan/config-schema.ts';
import { configForProject } from '../plan/project-config.ts';
import { findConfig, loadConfig } from '../plan/load-config.ts';
import { projectPaths, type ProjectPaths } from '../plan/project-paths.ts';
import { CgFailure, type CgError } from '../util/errors.ts';
import { isNotFound } from '../util/atomic-fs.ts';
import type { Io } from './io.ts';

/**
 * The config, the project and its stat cache: what every command opens first, and all that a
 * no-op build served by the memo opens (workspace.ts loads and compiles the project itself).
 */
export interface ConfigContext {
  root: string;
  configFile: string;
  config: Config;
}

/** Unwraps a Result at the CLI boundary: the error travels to the one place that renders it. */
export function must<T>(result: { ok: true; value: T } | { ok: false; error: CgError }): T {
  if (!result.ok) throw new CgFailure(result.error);
  return result.value;
}

export async function openConfig(io: Io): Promise<ConfigContext> {
  const found = findConfig(io.cwd);
  if (found === undefined) throw new CgFailure({ kind: 'no-root', cwd: io.cwd });
  const configFile = relative(found.root, found.file);
  const config = must(
    await loadConfig({ file: found.file, root: found.root, displayName: configFile, cacheFile: join(found.root, '.cg', 'config.json'), cacheTag: io.cacheTag }),
  );
  return { root: found.root, configFile, config };
}

export async function resolveProject(ctx: ConfigContext, name: string | undefined): Promise<{ paths: ProjectPaths; config: ProjectConfig }> {
  const project = name ?? ctx.config.defaultProject;
  const paths = projectPaths(ctx.root, ctx.config.projectsDir, project);
  const folder = join(ctx.root, ctx.config.projectsDir);
  // Synchronous stats: every command that opens a project passes here.
  const kind = (path: string): 'folder' | 'file' | 'missing' => {
    try {
      return statSync(path).isDirectory() ? 'folder' : 'file';
    } catch (error) {
      if (isNotFound(error) || (error instanceof Error && 'code' in error && error.code === 'ENOTDIR')) return 'missing';
      throw error;
    }
  };
  // A file where a folder should be is named as such, not as a project that does not exist.
  const named = /^[A-Za-z0-9][\w.-]*$/.test(project); // no name may reach outside the projects folder
  const projectsKind = kind(folder);
  const projectKind = named ? kind(paths.dir) : 'missing';
  const inTheWay = projectsKind === 'file' ? folder : projectKind === 'file' ? paths.dir : undefined;
  if (inTheWay !== undefined) {
    const what = inTheWay === folder ? `the folder of projects (projectsDir in ${ctx.configFile})` : `project ${project}'s folder, holding plan.json, bible.json and refs/`;
    throw new CgFailure({ kind: 'input-invalid', issues: [{ file: relative(ctx.root, inTheWay), path: '', message: `is a file, but it should be ${what}: move the file away` }] });
  }
  if (projectKind !== 'folder') {
    const available = await readdir(folder).catch(() => [] as string[]);
    throw new CgFailure({ kind: 'unknown-project', name: project, projectsDir: ctx.config.projectsDir, available: available.filter((n) => !n.startsWith('.')) });
  }
  return { paths, config: configForProject(ctx.config, project) };
}

/** Where the project's blobs are kept. */
export const blobsDir = (paths: ProjectPaths): string => join(paths.cache, 'blobs');

/** Where the project's parsed plan, bible and decisions are remembered (src/plan/load-project.ts). */
export const parsedCacheFile = (paths: ProjectPaths): string => join(paths.cache, 'parsed.cache');

/** The project's stat cache (paths from the project folder). */
export function openStatCache(io: Io, paths: ProjectPaths): StatCache {
  return StatCache.open(join(paths.cache, 'stat-cache.jsonl'), paths.dir, io.faults);
}

/** Where the key each node was last built with is kept (src/cache/built-index.ts). */
export const builtIndexFile = (paths: ProjectPaths): string => join(paths.cache, 'built.jsonl');

/** What each sequence's entry in state/client/sequences.json was derived from (src/state/sequences-file.ts). */
export const derivedMarkerFile = (paths: ProjectPaths): string => join(paths.cache, 'derived.jsonl');
