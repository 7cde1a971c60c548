import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isNotFound } from '../util/atomic-fs.ts';
import type { PaidCall } from '../cache/take-journal.ts';

/** One paid call, appended to state/costs.jsonl as it happens. */
export type CostEvent = PaidCall & {
  at: string;
  priceDate: string;
};

/** Appends one JSON line per event: an append of one short line is never torn by a crash mid-file. */
export async function appendCosts(file: string, events: readonly CostEvent[]): Promise<void> {
  if (events.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
}

export async function readCosts(file: string): Promise<CostEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  // A line cut short by a crash is skipped, not fatal.
  return text.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as CostEvent];
    } catch {
      return [];
    }
  });
}
