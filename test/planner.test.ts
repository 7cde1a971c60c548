import { describe, expect, it } from 'vitest';
import type { ActionResult } from '../src/cache/action-cache.ts';
import type { BuiltEntry } from '../src/cache/built-index.ts';
import { compileGraph } from '../src/graph/compile.ts';
import { predictableOutput } from '../src/graph/decide.ts';
import type { Graph, NodeId } from '../src/graph/nodes.ts';
import { planBuild, type BuildPlan, type PlanFacts } from '../src/graph/plan.ts';
import { ConfigSchema } from '../src/plan/config-schema.ts';
import { projectPaths } from '../src/plan/project-paths.ts';
import { configForProject } from '../src/plan/project-config.ts';
import { BibleSchema, DecisionsSchema, PlanSchema } from '../src/plan/schema.ts';
import { hashBytes, type BlobHash, type NodeKey } from '../src/util/hash.ts';

/**
 * The planner on its own, with no filesystem: a plan, a bible and decisions in memory,
 * and caches that are maps. It only reads what it is given and decides.
 */

const rawPlan = {
  title: 'Memory',
  sequences: [
    { id: 'SEQ01', section: 'intro', elements: ['maya'], grid: { prompt: 'Rooftop at dusk, @maya by the rail.' }, shots: [{ prompt: '@maya turns to the camera.', duration: 5 }] },
    { id: 'SEQ02', section: 'verse', elements: ['maya'], shots: [{ prompt: '@maya walks the street.', duration: 4 }, { prompt: 'Close on @maya singing.', duration: 4 }] },
  ],
};
const bible = BibleSchema.parse({ elements: { maya: { kind: 'character', name: 'Maya', description: 'Lead singer.' } } });
const refHashes = new Map<string, BlobHash>([['refs/characters/maya/01-front.png', hashBytes(Buffer.from('maya'))]]);

function graphOf(plan: unknown, decisions: unknown = {}): Graph {
  const paths = projectPaths('/nowhere', 'projects', 'memory');
  const project = { paths, plan: PlanSchema.parse(plan), bible, decisions: DecisionsSchema.parse(decisions), refs: new Map([['maya', ['refs/characters/maya/01-front.png']]]) };
  const config = configForProject(ConfigSchema.parse({ providers: { image: 'gemini', video: 'fal' } }), 'memory');
  const compiled = compileGraph({ project, config, refHashes, configFile: 'pipeline.config.ts' });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.error));
  return compiled.value;
}

/** Caches as maps: what was built, with which key. */
interface Memory {
  actions: Map<NodeKey, ActionResult>;
  materials: Map<NodeKey, unknown>;
  built: Map<NodeId, BuiltEntry>;
  final: Set<string>;
}

const empty = (): Memory => ({ actions: new Map(), materials: new Map(), built: new Map(), final: new Set() });

function factsOf(memory: Memory): PlanFacts {
  return {
    cachedKeys: new Set(memory.actions.keys()),
    action: (key) => Promise.resolve(memory.actions.get(key)),
    material: (key) => Promise.resolve(memory.materials.get(key)),
    outputPresent: () => Promise.resolve(true),
    lastBuilt: (id) => Promise.resolve(memory.built.get(id)?.key),
    variantFor: () => 0,
    gridChoices: () => Promise.resolve(new Set()),
    retakeRequested: new Set(),
    finalSequences: memory.final,
    approvedTake: () => Promise.resolve(undefined),
    builtTakeId: (id) => Promise.resolve(memory.built.get(id)?.takeId ?? null),
    recorded: () => Promise.resolve(undefined),
    built: { get: (id) => Promise.resolve(memory.built.get(id)) },
    takes: { find: () => Promise.resolve(undefined) },
    files: { matches: () => Promise.resolve(true) },
  };
}

/** Pretends every node the plan would run ran: its key now has a result. */
function remember(memory: Memory, plan: BuildPlan): void {
  for (const { node, decision } of plan.nodes.values()) {
    if (decision.action !== 'run' || decision.key === undefined) continue;
    // A pure local step's output is known beforehand; any other stands for what the provider made.
    const hash = predictableOutput(node) ?? hashBytes(Buffer.from(decision.key));
    memory.actions.set(decision.key, { key: decision.key, nodeId: node.id, kind: node.kind, output: { hash, size: 1, mimeType: 'video/mp4', extension: 'mp4' }, provider: 'fal', model: 'm', costUsd: node.estimateUsd, estimateUsd: node.estimateUsd, requestId: null, createdAt: '', durationMs: 0 });
    memory.materials.set(decision.key, decision.material);
    const paid = node.kind !== 'elements';
    memory.built.set(node.id, { key: decision.key, takeId: paid ? `${node.id}-take` : null, output: paid ? `takes/${node.id}.mp4` : null });
  }
}

const actions = (plan: BuildPlan): Record<string, string> => Object.fromEntries([...plan.nodes.values()].map((p) => [p.node.id, `${p.decision.action} ${p.decision.reason.kind}`]));

describe('the planner, in memory', () => {
  it('a new plan: everything runs but the frame, which waits for the grid and a pick; the estimate is the sum', async () => {
    const graph = graphOf(rawPlan);
    const plan = await planBuild(graph, graph.order, factsOf(empty()));
    expect(actions(plan)).toEqual({
      'SEQ01:elements': 'run new',
      'SEQ01:grid': 'run new',
      'SEQ01:frame': 'blocked grid-first',
      'SEQ01:take': 'blocked grid-first',
      'SEQ02:elements': 'run new',
      'SEQ02:take': 'run new',
    });
    expect(plan.estimateUsd).toBeCloseTo(0.039 + 8 * 0.084, 6);
    expect(plan.settled).toBe(false);
  });

  it('once built, the same plan reuses everything and is settled; an edited prompt runs that take alone, naming the field', async () => {
    const memory = empty();
    const graph = graphOf(rawPlan);
    remember(memory, await planBuild(graph, graph.order, factsOf(memory)));
    const again = await planBuild(graph, graph.order, factsOf(memory));
    expect(Object.values(actions(again)).filter((a) => a.startsWith('run'))).toEqual([]);
    expect(again.settled).toBe(true);

    const edited = structuredClone(rawPlan);
    const shot = edited.sequences[1]?.shots[1];
    if (shot !== undefined) shot.prompt = 'Close on @maya, silent.';
    const changed = await planBuild(graphOf(edited), graph.order, factsOf(memory));
    expect(changed.nodes.get('SEQ02:take')?.decision.reason).toEqual({ kind: 'changed', fields: ['shots[1].prompt'] });
    expect(Object.entries(actions(changed)).filter(([, a]) => a.startsWith('run'))).toEqual([['SEQ02:take', 'run changed']]);
    expect(changed.estimateUsd).toBeCloseTo(8 * 0.084, 6);
  });

  it('a final sequence whose inputs changed waits and spends nothing', async () => {
    const memory = empty();
    const graph = graphOf(rawPlan);
    remember(memory, await planBuild(graph, graph.order, factsOf(memory)));
    memory.final.add('SEQ02');
    const edited = structuredClone(rawPlan);
    const shot = edited.sequences[1]?.shots[0];
    if (shot !== undefined) shot.duration = 5;
    const plan = await planBuild(graphOf(edited), ['SEQ02:take'], factsOf(memory));
    expect(plan.nodes.get('SEQ02:take')?.decision.reason).toEqual({ kind: 'final', sequence: 'SEQ02' });
    expect(plan.estimateUsd).toBe(0);
  });
});
