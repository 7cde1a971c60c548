import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faultPoints, type FaultPoint } from '../src/util/faults.ts';
import { hashBytes } from '../src/util/hash.ts';
import { startFakeProviders, type FakeProviders } from './fakes/server.ts';
import { buildJson, makeProject, ran, spawnCg, type TestProject } from './helpers/project.ts';

/**
 * The crash harness: the demo is built on the wire fakes and killed (SIGKILL, via the
 * test-only CG_FAULT) at every step of the journal and halfway through every state file
 * write, then built again. Whatever the point: nothing is paid twice, no take is lost, and
 * every state file parses. Where the outcome cannot be known (killed after fal accepted a
 * submit and before its id was journaled), the next build names the node and asks for
 * --resubmit.
 */

const config = {
  providers: { image: 'gemini', video: 'fal' },
  // One image call at a time: a Gemini call has no job to resume, so a kill re-asks at most the one on the wire.
  concurrency: { gemini: 1, fal: 2, local: 2, sim: 2 },
  fal: { pollIntervalMs: 5 },
  retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
};
const keys = { FAL_KEY: 'fal-key-0123456789', GEMINI_API_KEY: 'gemini-key-0123456789' };

interface Scenario {
  point: FaultPoint;
  /** Which time the point is reached (1 = the first). */
  nth: number;
  /** What the killed command runs (default: build the whole demo). */
  args?: string[];
  /** Built before the killed command, without faults. */
  before?: string[][];
}

/** A retake writes decisions.json (its variant); the rest happen in any build of the demo. */
const retake = { args: ['build', 'SEQ04', '--retake'], before: [['build', 'SEQ04']] };
const scenarios: Scenario[] = [
  { point: 'registered', nth: 1 },
  { point: 'registered', nth: 6 },
  { point: 'submitting', nth: 1 },
  { point: 'accepted', nth: 1 },
  { point: 'accepted', nth: 3 },
  { point: 'journaled', nth: 1 },
  { point: 'polling', nth: 1 },
  { point: 'polling', nth: 4 },
  { point: 'result-url', nth: 1 },
  { point: 'mid-download', nth: 1 },
  { point: 'mid-download', nth: 3 },
  { point: 'landed', nth: 1 },
  { point: 'landed', nth: 4 },
  { point: 'blob-stored', nth: 1 },
  { point: 'blob-stored', nth: 5 },
  { point: 'action-stored', nth: 2 },
  { point: 'recorded', nth: 1 },
  { point: 'recorded', nth: 4 },
  { point: 'write:record', nth: 1 },
  { point: 'write:record', nth: 7 },
  { point: 'write:decisions', nth: 1, ...retake },
  { point: 'landed', nth: 1, ...retake },
  { point: 'write:sequences', nth: 1 },
  { point: 'write:built', nth: 1 },
  { point: 'write:actions', nth: 1 },
  { point: 'write:actions', nth: 5 },
  { point: 'write:material', nth: 3 },
  { point: 'write:costs', nth: 1 },
  { point: 'write:costs', nth: 3 },
  { point: 'write:take', nth: 2 },
  { point: 'write:blob', nth: 4 },
  { point: 'write:landing', nth: 1 },
  { point: 'write:stat-cache', nth: 1 },
];

interface TakeRecord {
  takeId: string;
  key: string;
  status: string;
  costUsd: number;
  requestId: string | null;
  output: string | null;
  blob: string | null;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** Every JSON state file and every JSON-lines line parses; returns the records' takes. */
async function expectReadableState(project: TestProject): Promise<TakeRecord[]> {
  const all = await filesUnder(project.dir);
  // A write the kill cut short left a temp file; the next command under the lock removed it.
  expect(all.filter((file) => file.endsWith('.tmp')).map((file) => relative(project.dir, file))).toEqual([]);
  const files = all.filter((file) => !file.includes(join('.cg', 'blobs')));
  const takes: TakeRecord[] = [];
  for (const file of files) {
    const name = relative(project.dir, file);
    if (file.endsWith('.json')) {
      const value = JSON.parse(await readFile(file, 'utf8')) as { takes?: TakeRecord[] };
      if (name.startsWith(join('state', 'shots'))) takes.push(...(value.takes ?? []));
    } else if (file.endsWith('.jsonl')) {
      for (const line of (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '')) {
        expect(() => JSON.parse(line) as unknown, `${name}: ${line.slice(0, 60)}`).not.toThrow();
      }
    }
  }
  return takes;
}

let fake: FakeProviders | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The outcome every crash must leave once the project is built again. */
async function expectNothingLostOrPaidTwice(project: TestProject, fake: FakeProviders, unknowable: { min: number; max: number }, onTheWire: number): Promise<void> {
  const takes = (await expectReadableState(project)).filter((take) => {
    // A take a kill left registered before anything was sent costs nothing and holds nothing.
    if (take.status === 'registered') expect(take.requestId, take.takeId).toBeNull();
    return take.status !== 'registered';
  });
  // Every other take is complete, and its file holds the bytes its blob names.
  for (const take of takes) {
    expect(take.status, take.takeId).toMatch(/_complete$/);
    const bytes = await readFile(project.path(take.output ?? ''));
    expect(hashBytes(bytes), take.takeId).toBe(take.blob);
  }
  // No key was made twice, and every paid request of the fake is a complete take.
  expect(new Set(takes.map((t) => t.key)).size).toBe(takes.length);
  const journaled = new Set(takes.map((t) => t.requestId));
  const lost = fake.submissions().filter((s) => !journaled.has(s.requestId)).length;
  expect(lost, 'submissions no take holds').toBeGreaterThanOrEqual(unknowable.min);
  expect(lost, 'submissions no take holds').toBeLessThanOrEqual(unknowable.max);
  // So every other submission is one take's, and no two takes share one.
  const held = takes.filter((t) => t.requestId !== null).map((t) => t.requestId);
  expect(new Set(held).size).toBe(held.length);
  expect(fake.submissions().length).toBe(held.length + lost);
  const images = fake.geminiRequests().filter((r) => r.status === 200).map((r) => JSON.stringify(r.body));
  expect(images.length - new Set(images).size).toBeLessThanOrEqual(onTheWire);
  // The ledger holds each paid take once, with its cost.
  const ledger = (await project.read('state/costs.jsonl')).trim().split('\n').map((line) => JSON.parse(line) as { key: string; call: number; usd: number });
  expect(new Set(ledger.map((l) => `${l.key}#${l.call}`)).size).toBe(ledger.length);
  const paid = takes.reduce((sum, t) => sum + t.costUsd, 0);
  expect(ledger.reduce((sum, l) => sum + l.usd, 0)).toBeCloseTo(paid, 6);
}

/**
 * Builds again after a kill. A submit that was under way when the process died has an
 * unknown outcome: that build must name those nodes and ask for --resubmit (and send nothing);
 * the test then does what the message says. Returns how many nodes were named.
 */
async function resumeAfterKill(project: TestProject, args: string[], env: Record<string, string>): Promise<number> {
  const next = await buildJson(project, args, env);
  if (next.code === 0) return 0;
  expect(next.code, next.stderr).toBe(1);
  const named = next.nodes.filter((n) => n.action === 'failed');
  expect(named.length).toBeGreaterThan(0);
  for (const node of named) expect(node.reason, node.id).toMatch(/interrupted while submitting.*--resubmit/);
  for (const node of named) expect(next.stderr).toContain(`${node.id} failed`);
  const resubmitted = await buildJson(project, [...args, '--resubmit'], env);
  expect(resubmitted.code, resubmitted.stderr).toBe(0);
  return named.length;
}

describe('the crash harness: a kill at every journal step and mid-write of every state file', () => {
  it('covers every fault point', () => {
    expect(new Set(scenarios.map((s) => s.point))).toEqual(new Set(faultPoints));
  });

  it.each(scenarios.map((s) => [`${s.point}:${s.nth}${s.args === undefined ? '' : ` (${s.args.join(' ')})`}`, s] as const))(
    'killed at %s: the next build finishes with nothing paid twice or lost',
    async (_name, scenario) => {
      fake = await startFakeProviders();
      const project = await makeProject(config);
      const env = { ...fake.env, ...keys };
      for (const args of scenario.before ?? []) expect((await spawnCg(project, args, env).done).code).toBe(0);
      const args = scenario.args ?? ['build'];
      const killed = await spawnCg(project, args, { ...env, CG_FAULT: `${scenario.point}:${scenario.nth}` }).done;
      expect(killed.code, `the point was reached: ${killed.stderr}`).toBe(137);
      // Built again as the person would after a crash: the same targets, without --retake.
      const resume = args.slice(1).filter((a) => a !== '--retake');

      const unknown = await resumeAfterKill(project, resume, env);
      if (scenario.point === 'submitting' || scenario.point === 'accepted') expect(unknown).toBeGreaterThan(0);
      expect(ran((await buildJson(project, resume, env)).nodes).filter((id) => !id.endsWith(':frame'))).toEqual([]);
      // Killed after fal accepted: that submission is paid and no take holds it (it cannot be known).
      await expectNothingLostOrPaidTwice(project, fake, { min: scenario.point === 'accepted' ? 1 : 0, max: unknown }, 1);
    },
    60_000,
  );

  // Kill times drawn once from a seeded generator over the demo's paid work (about 1.5 s on the fakes).
  it.each([230, 520, 870, 1240])('killed at a random time (%i ms): the next build finishes with nothing paid twice or lost', async (delay) => {
    fake = await startFakeProviders();
    const project = await makeProject(config);
    const env = { ...fake.env, ...keys };
    const run = spawnCg(project, ['build'], env);
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        run.child.kill('SIGKILL');
        resolve();
      }, delay),
    );
    await Promise.all([timer, run.done]);
    const unknown = await resumeAfterKill(project, [], env);
    await expectNothingLostOrPaidTwice(project, fake, { min: 0, max: unknown }, 1);
  }, 60_000);
});
