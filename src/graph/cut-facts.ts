import type { Picture } from './key-material.ts';
import type { Graph } from './nodes.ts';
import type { BuildPlan, PlanFacts } from './plan.ts';

/** What one slot of the last cut shows. */
export interface SegmentFact {
  id: string;
  sequence: string;
  picture: Picture['kind'] | undefined;
}

/** Where the cut stands: the last one made, whether the plan would remake it, what its slots show. */
export interface CutFacts {
  /** The last cut's file, relative to the project folder (null before the first). */
  file: string | null;
  /** Nothing the cut depends on would change: a build or cg cut would reuse it. */
  upToDate: boolean;
  segments: SegmentFact[];
  /** Sequences whose slot in the last cut shows no take (a start frame, a grid or a title card). */
  placeholders: Array<{ sequence: string; picture: Picture['kind'] | undefined }>;
}

/** Reads the cut's state off a plan that selected it and the last build; undefined when the plan has no song. */
export async function cutFacts(graph: Graph, plan: BuildPlan, facts: Pick<PlanFacts, 'built' | 'material'>): Promise<CutFacts | undefined> {
  const cut = graph.cut === undefined ? undefined : graph.nodes.get(graph.cut);
  if (cut?.kind !== 'cut') return undefined;
  const planned = plan.nodes.get(cut.id);
  const segments = await Promise.all(
    cut.segments.map(async (id): Promise<SegmentFact> => {
      const built = await facts.built.get(id);
      const material = built === undefined ? undefined : ((await facts.material(built.key)) as { params?: { picture?: Picture['kind'] } } | undefined);
      return { id, sequence: graph.nodes.get(id)?.sequence ?? id, picture: material?.params?.picture };
    }),
  );
  const placeholders = segments.filter((s) => s.id.endsWith(':segment') && s.picture !== 'take').map(({ sequence, picture }) => ({ sequence, picture }));
  const last = await facts.built.get(cut.id);
  return { file: last?.output ?? null, upToDate: planned?.decision.action === 'reuse' && planned.intact, segments, placeholders };
}
