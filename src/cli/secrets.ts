import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectPaths } from '../plan/project-paths.ts';
import { CgFailure } from '../util/errors.ts';
import type { Io } from './io.ts';

/** KEY=value lines; # comments; optional quotes. Only what we need of the .env format. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match?.[1] === undefined) continue;
    out[match[1]] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

async function readDotEnv(path: string): Promise<Record<string, string>> {
  return parseDotEnv(await readFile(path, 'utf8').catch(() => ''));
}

/** The environment a command sees: the process's, over the project's .env, over the root's .env. */
export async function environment(io: Io, paths: ProjectPaths): Promise<Readonly<Record<string, string | undefined>>> {
  return { ...(await readDotEnv(join(paths.root, '.env'))), ...(await readDotEnv(join(paths.dir, '.env'))), ...io.env };
}

const keyNames = { gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], fal: ['FAL_KEY'] } as const;

/** The API key a provider needs, or a missing-key error naming the variable (exit 2, before anything runs). */
export function providerKey(env: Readonly<Record<string, string | undefined>>, provider: 'gemini' | 'fal'): string {
  for (const name of keyNames[provider]) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  if (provider === 'fal' && env['FAL_KEY_ID'] !== undefined && env['FAL_KEY_SECRET'] !== undefined) return `${env['FAL_KEY_ID']}:${env['FAL_KEY_SECRET']}`;
  throw new CgFailure({ kind: 'missing-key', variable: keyNames[provider][0], provider });
}
