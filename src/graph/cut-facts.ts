import type { Picture } from './key-material.ts';
import type { Graph } from './nodes.ts';
import type { BuildPlan } from './plan.ts';

/** What a segment of the cut shows now; undefined until what it waits for is made. */
export interface SegmentFact {
  id: string;
  sequence: string;
  picture: Picture['kind'] | undefined;
}

/** Where the cut stands: its file when it is up to date, and what each slot shows. */
export interface CutFacts {
  /** The cut's file, relative to the project folder, when the plan reuses it. */
  file: string | null;
  upToDate: boolean;
  segments: SegmentFact[];
  /** Sequences whose slot shows no take yet (a start frame, a grid or a title card). */
  placeholders: string[];
}

/** Reads the cut's state off a plan that selected it; undefined when the plan has no song. */
export function cutFacts(graph: Graph, plan: BuildPlan): CutFacts | undefined {
  const cut = graph.cut === undefined ? undefined : graph.nodes.get(graph.cut);
  if (cut?.kind !== 'cut') return undefined;
  const planned = plan.nodes.get(cut.id);
  const segments = cut.segments.map((id): SegmentFact => {
    const decided = plan.nodes.get(id);
    const params = decided?.decision.material?.params as { picture?: Picture['kind'] } | undefined;
    return { id, sequence: graph.nodes.get(id)?.sequence ?? id, picture: params?.picture };
  });
  const placeholders = segments.filter((s) => s.id.endsWith(':segment') && s.picture !== 'take').map((s) => s.sequence);
  const upToDate = planned?.decision.action === 'reuse' && planned.intact;
  return { file: upToDate ? planned.output : null, upToDate, segments, placeholders };
}
