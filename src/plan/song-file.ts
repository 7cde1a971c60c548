import { statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { isNotFound } from '../util/atomic-fs.ts';

/** Why plan.json's `song.file` cannot be used as it is written, if it cannot: a path inside the project to a file (one synchronous stat). */
export function songFileProblem(dir: string, file: string): string | undefined {
  const clean = normalize(file);
  if (isAbsolute(file) || clean === '..' || clean.startsWith('../')) return `"${file}" is outside the project: put the song in the project folder and name it relative to it, e.g. "song.m4a"`;
  try {
    const found = statSync(join(dir, clean));
    if (!found.isFile()) return `"${file}" is a folder, not a song: name the audio file`;
  } catch (error) {
    if (isNotFound(error)) return `"${file}" does not exist in the project folder: copy the song there or fix the name`;
    throw error;
  }
  return undefined;
}
