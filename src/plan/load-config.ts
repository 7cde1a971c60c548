import { access } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import type { CgError } from '../util/errors.ts';
import { err, ok, type Result } from '../util/result.ts';
import { ConfigSchema, type Config } from './config-schema.ts';
import { zodIssuesToInputIssues } from './issues.ts';

export const configNames = ['pipeline.config.ts', 'pipeline.config.mts', 'pipeline.config.mjs', 'pipeline.config.js'];

/** The nearest folder at or above `cwd` holding a pipeline config, and the file. */
export async function findConfig(cwd: string): Promise<{ root: string; file: string } | undefined> {
  let dir = cwd;
  for (;;) {
    for (const name of configNames) {
      const file = join(dir, name);
      try {
        await access(file);
        return { root: dir, file };
      } catch {
        // not here; keep looking
      }
    }
    if (dir === parse(dir).root) return undefined;
    dir = dirname(dir);
  }
}

/** Loads pipeline.config.ts with jiti (TypeScript without a build step) and validates it. */
export async function loadConfig(file: string, displayName: string): Promise<Result<Config, CgError>> {
  let exported: unknown;
  try {
    const { createJiti } = await import('jiti');
    const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
    exported = await jiti.import(file, { default: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    return err({ kind: 'input-invalid', issues: [{ file: displayName, path: '', message: `could not load the config (${message}): fix the file so it exports a defineConfig({...}) object` }] });
  }
  const result = ConfigSchema.safeParse(exported ?? {}, { reportInput: true });
  if (!result.success) {
    return err({ kind: 'input-invalid', issues: zodIssuesToInputIssues(displayName, ConfigSchema, result.error.issues, undefined) });
  }
  return ok(result.data);
}
