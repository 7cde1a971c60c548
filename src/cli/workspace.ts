import { join } from 'node:path';
import { LocalActionCache } from '../cache/action-cache.ts';
import { LocalBlobStore } from '../cache/blob-store.ts';
import { BuiltIndex } from '../cache/built-index.ts';
import { ProjectFiles } from '../cache/output-files.ts';
import type { StatCache } from '../cache/stat-cache.ts';
import type { TakeJournal } from '../cache/take-journal.ts';
import type { PlanningContext } from '../graph/decide.ts';
import { recordedResult } from '../graph/recorded-result.ts';
import { compileGraph } from '../graph/compile.ts';
import type { CompileOverrides } from '../graph/overrides.ts';
import { gridMaterial, keyOf, variantKeys } from '../graph/key-material.ts';
import type { Graph, NodeId } from '../graph/nodes.ts';
import type { ProjectConfig } from '../plan/config-schema.ts';
import { decisionsFor, loadProject, type LoadedProject, type PreparedPlan } from '../plan/load-project.ts';
import type { ProjectPaths } from '../plan/project-paths.ts';
import type { SongFile } from '../graph/compile-cut.ts';
import { mediaTools } from './media.ts';
import type { MediaTools } from '../media/tools.ts';
import { measureSong } from './song.ts';
import { readAllRecords, type ExecutionRecord } from '../state/records.ts';
import { isComplete } from '../state/take-status.ts';
import { RecordWrites } from '../state/sequences-file.ts';
import { CgFailure } from '../util/errors.ts';
import type { BlobHash, NodeKey } from '../util/hash.ts';
import type { Faults } from '../util/faults.ts';
import type { Io } from './io.ts';
import { blobsDir, builtIndexFile, parsedCacheFile, openConfig, openStatCache, resolveProject, must, type ConfigContext } from './project.ts';

/** The light half (config, project, stat cache): a no-op build served by the memo loads only that (project.ts). */
export { blobsDir, must, openConfig, openStatCache, resolveProject, type ConfigContext } from './project.ts';

export interface Workspace extends ConfigContext {
  paths: ProjectPaths;
  projectConfig: ProjectConfig;
  project: LoadedProject;
  graph: Graph;
  /** All execution records, read on first use (a no-op build does not need them). */
  records: () => Promise<Map<string, ExecutionRecord>>;
  /** Whether `records` has been called. */
  recordsRead: () => boolean;
  blobs: LocalBlobStore;
  actions: LocalActionCache;
  built: BuiltIndex;
  statCache: StatCache;
  /** The project's output files (takes/…), checked by hash through the stat cache. */
  files: ProjectFiles;
  faults: Faults;
  /** The execution records this command writes (the derived state is derived again for their sequences). */
  recordWrites: RecordWrites;
  /** ffmpeg (found on first use) and the scratch folder, for the song and every encode. */
  media: MediaTools;
  /** Compiled with take overrides (cg build --mode, --shot-override): its graph is not the plan's. */
  variant: boolean;
  /** Narrowed to some sequences (`project` and `graph` hold only those): every sequence of the plan, in its order. */
  narrowedFrom: readonly string[] | undefined;
}

/** Up to this many sequences, a narrowed build searches the action index for its keys rather than reading it whole. */
const searchedSequences = 8;

/** A build of some sequences of the plan: those (`changed`), and every sequence of the plan in its order. */
export interface NarrowTo {
  changed: ReadonlySet<string>;
  order: readonly string[];
}

/**
 * plan.json as the caller read it: the whole plan, or only some of its sequences (undefined:
 * the loader reads the file, or loads the whole plan when the part is not JSON).
 */
export type PlanSource = (only?: ReadonlySet<string>) => PreparedPlan | undefined;

/** The project as if its plan and decisions held only the sequences in `only` (all of them when there is none; their nodes compile to the same keys). */
function narrowProject(project: LoadedProject, only: ReadonlySet<string> | undefined): LoadedProject {
  if (only === undefined) return project;
  const { plan, decisions } = project;
  return { ...project, plan: { ...plan, sequences: plan.sequences.filter((sequence) => only.has(sequence.id)) }, decisions: decisionsFor(decisions, only) };
}

/** Finds the config, loads and checks the project, hashes its references and compiles the graph. */
export async function openWorkspace(
  io: Io,
  projectName: string | undefined,
  options: { readOnly?: boolean; config?: ConfigContext; overrides?: CompileOverrides; overlay?: boolean; statCache?: StatCache; narrow?: NarrowTo; plan?: PlanSource } = {},
): Promise<Workspace> {
  const ctx = options.config ?? (await openConfig(io));
  const { paths, config } = await resolveProject(ctx, projectName);
  let loaded: Promise<Map<string, ExecutionRecord>> | undefined;
  const records = (): Promise<Map<string, ExecutionRecord>> => (loaded ??= readAllRecords(paths.shots));
  const knownTakes = async (): Promise<ReadonlySet<string>> => new Set([...(await records()).values()].flatMap((record) => record.takes.map((take) => take.takeId)));
  const parsedCache = { file: parsedCacheFile(paths), tag: io.cacheTag, write: options.readOnly !== true };
  const statCache = options.statCache ?? openStatCache(io, paths);
  const media = mediaTools(io, config, paths, { writes: options.readOnly !== true });
  let song: SongFile | undefined;
  const checkSong = async (file: string): Promise<string | undefined> => {
    const measured = await measureSong({ file, paths, stats: statCache, media, write: options.readOnly !== true });
    if (measured.ok) song = measured.value;
    return measured.ok ? undefined : measured.error;
  };
  const load = (plan: PreparedPlan | undefined): ReturnType<typeof loadProject> => loadProject({ paths, config, knownTakes, parsedCache, checkSong, plan });
  // Narrowed, only the changed sequences are loaded and checked (the rest of plan.json is as it
  // was when it last loaded); a mistake in them is named by loading the whole project, as a
  // full build would name it.
  const only = options.narrow?.changed;
  const part = only === undefined ? undefined : options.plan?.(only);
  const partLoaded = part === undefined ? undefined : await load(part);
  // Loaded in part, the project holds only the changed sequences already.
  const project = partLoaded?.ok === true ? partLoaded.value : narrowProject(must(await load(options.plan?.())), only);
  const refHashes = new Map<string, BlobHash>();
  const files = [...new Set([...project.refs.values()].flat())];
  await Promise.all(files.map(async (file) => refHashes.set(file, await statCache.hashFile(file))));
  const graph = must(compileGraph({ project, config, refHashes, configFile: ctx.configFile, overrides: options.overrides, song, overlay: options.overlay ?? false }));
  return {
    ...ctx,
    paths,
    projectConfig: config,
    project,
    graph,
    records,
    recordsRead: () => loaded !== undefined,
    blobs: new LocalBlobStore(blobsDir(paths), io.faults),
    // A build of a few sequences searches the action index for their keys (see LocalActionCache):
    // a search through a window costs a few milliseconds, reading the index whole at 10,000 sequences about 60.
    actions: new LocalActionCache(join(paths.cache, 'actions'), io.faults, { search: options.narrow !== undefined && options.narrow.changed.size <= searchedSequences }),
    built: new BuiltIndex(builtIndexFile(paths), io.faults),
    statCache,
    files: new ProjectFiles(paths.dir, statCache, io.faults),
    faults: io.faults,
    media,
    recordWrites: new RecordWrites(),
    variant: options.overrides !== undefined,
    narrowedFrom: options.narrow?.order,
  };
}

export async function planningContext(ws: Workspace, retake: ReadonlySet<NodeId>, records: Pick<TakeJournal, 'made'>): Promise<PlanningContext> {
  const decisions = ws.project.decisions.sequences;
  const variants = new Map<string, number>();
  for (const decision of Object.values(decisions)) for (const [key, variant] of Object.entries(decision.retakes)) variants.set(key, variant);
  return {
    cachedKeys: await ws.actions.present(),
    action: (key) => ws.actions.get(key),
    material: (key) => ws.actions.material(key),
    outputPresent: (output) => ws.blobs.has(output.hash, output.size),
    lastBuilt: async (id) => (await ws.built.get(id))?.key,
    variantFor: (baseKey: NodeKey) => variants.get(baseKey) ?? 0,
    gridChoices: async (id) => {
      const node = ws.graph.nodes.get(id);
      if (node?.kind !== 'grid') return new Set();
      const material = gridMaterial(node);
      const results = await Promise.all(variantKeys(material, variants.get(keyOf(material)) ?? 0).map((key) => ws.actions.get(key)));
      return new Set(results.flatMap((result) => (result === undefined ? [] : [result.output.hash])));
    },
    retakeRequested: retake,
    approvedTake: async (sequence) => {
      const takeId = decisions[sequence]?.approved;
      if (takeId === undefined) return undefined;
      const take = (await ws.records()).get(sequence)?.takes.find((t) => t.takeId === takeId);
      return take?.blob == null || !isComplete(take.status) ? undefined : { takeId, blob: take.blob };
    },
    builtTakeId: async (id) => (await ws.built.get(id))?.takeId ?? null,
    recorded: (node, key) => recordedResult(node, key, { journal: records, blobs: ws.blobs, files: ws.files }),
    finalSequences: new Set(Object.entries(decisions).filter(([, d]) => d.final).map(([id]) => id)),
  };
}

/**
 * Turns `SEQ08` or `SEQ08:shot03` into node ids; no target means every sequence.
 * Unknown names are bad usage, named with what exists.
 */
export function resolveTargets(graph: Graph, targets: readonly string[]): NodeId[] {
  if (targets.length === 0) return [...graph.order];
  const unknown: string[] = [];
  const ids: NodeId[] = [];
  for (const target of targets) {
    const sequence = graph.bySequence.get(target.toUpperCase());
    if (sequence !== undefined) ids.push(...sequence);
    else if (graph.nodes.has(target)) ids.push(target);
    else unknown.push(target);
  }
  if (unknown.length > 0) throw new CgFailure({ kind: 'unknown-sequence', sequences: unknown, available: [...graph.bySequence.keys()] });
  return ids;
}

