import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CostLedger, readCosts, type CostEvent } from '../src/state/cost-ledger.ts';
import type { NodeKey } from '../src/util/hash.ts';

async function ledgerFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-ledger-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'state', 'costs.jsonl');
}

function paid(node: string, call = 0): CostEvent {
  return {
    node,
    key: `${node.replace(/\W/g, '')}${'0'.repeat(64)}`.slice(0, 64) as NodeKey,
    call,
    sequence: node.split(':')[0] ?? node,
    takeId: `${node.split(':')[0] ?? node}_take001`,
    provider: 'fal',
    model: 'fal-ai/kling-video/o3/standard/reference-to-video',
    units: 15,
    unit: 'second',
    rateUsd: 0.084,
    usd: 1.26,
    estimateUsd: 1.26,
    requestId: `req-${node}-${call}`,
    at: '2026-11-22T10:00:00.000Z',
    priceDate: '2026-11-22',
  };
}

/** Every line of the file, each parsed: throws if any line is not whole JSON. */
async function lines(file: string): Promise<CostEvent[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as CostEvent);
}

const ids = (events: readonly CostEvent[]): string[] => events.map((event) => `${event.node}#${event.call}`);

describe('the cost ledger, state/costs.jsonl', () => {
  it('appends one JSON line per paid call, in order, creating the file and its folder', async () => {
    const file = await ledgerFile();
    const ledger = new CostLedger(file);
    await ledger.append([paid('SEQ01:grid')]);
    await ledger.append([paid('SEQ02:take'), paid('SEQ02:take', 1)]);
    expect(await lines(file)).toEqual([paid('SEQ01:grid'), paid('SEQ02:take'), paid('SEQ02:take', 1)]);
    expect(await readCosts(file)).toEqual(await lines(file));
  });

  it('a call already on the ledger is not written again, by this ledger or by a resumed build’s new one; another call of the same node is', async () => {
    const file = await ledgerFile();
    await new CostLedger(file).append([paid('SEQ08:take')]);
    const resumed = new CostLedger(file);
    await resumed.append([paid('SEQ08:take')]);
    await resumed.append([paid('SEQ08:take'), paid('SEQ08:take', 1)]);
    await resumed.append([paid('SEQ08:take', 1)]);
    expect(ids(await lines(file))).toEqual(['SEQ08:take#0', 'SEQ08:take#1']);
  });

  it('a last line torn by a crash is skipped when read and dropped by the next append, after which every line parses', async () => {
    const file = await ledgerFile();
    await new CostLedger(file).append([paid('SEQ01:grid')]);
    const whole = await readFile(file, 'utf8');
    const torn = JSON.stringify(paid('SEQ02:take'));
    await writeFile(file, whole + torn.slice(0, torn.length / 2));
    expect(ids(await readCosts(file))).toEqual(['SEQ01:grid#0']);

    await new CostLedger(file).append([paid('SEQ02:take')]);
    expect(ids(await lines(file))).toEqual(['SEQ01:grid#0', 'SEQ02:take#0']);
  });

  it('concurrent appends, onto a torn file, never interleave or lose a line, and a call sent twice at once is written once', async () => {
    const file = await ledgerFile();
    await new CostLedger(file).append([paid('SEQ00:grid')]);
    await writeFile(file, `${await readFile(file, 'utf8')}{"node":"SEQ00:ta`);
    const ledger = new CostLedger(file);
    const nodes = Array.from({ length: 24 }, (_, i) => `SEQ${String(i + 1).padStart(2, '0')}:take`);
    // Every node twice over, some with a second call: 48 appends in flight at once.
    const batches = [...nodes, ...nodes].map((node, i) => (i % 3 === 0 ? [paid(node), paid(node, 1)] : [paid(node)]));
    await Promise.all(batches.map((batch) => ledger.append(batch)));
    const written = ids(await lines(file));
    expect(written.slice().sort()).toEqual([...new Set(['SEQ00:grid#0', ...ids(batches.flat())])].sort());
    expect(written).toHaveLength(new Set(written).size);
  });
});
