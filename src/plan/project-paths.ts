import { join, relative } from 'node:path';

/** Where everything of one project lives (DESIGN.md "Layout"). */
export interface ProjectPaths {
  /** The folder holding pipeline.config.ts. */
  root: string;
  name: string;
  dir: string;
  plan: string;
  bible: string;
  decisions: string;
  refs: string;
  takes: string;
  state: string;
  shots: string;
  sequencesJson: string;
  costs: string;
  /** Caches and the lock: derived, deletable, never edited by hand. */
  cache: string;
  lock: string;
}

export function projectPaths(root: string, projectsDir: string, name: string): ProjectPaths {
  const dir = join(root, projectsDir, name);
  const state = join(dir, 'state');
  const cache = join(dir, '.cg');
  return {
    root,
    name,
    dir,
    plan: join(dir, 'plan.json'),
    bible: join(dir, 'bible.json'),
    decisions: join(dir, 'decisions.json'),
    refs: join(dir, 'refs'),
    takes: join(dir, 'takes'),
    state,
    shots: join(state, 'shots'),
    sequencesJson: join(state, 'client', 'sequences.json'),
    costs: join(state, 'costs.jsonl'),
    cache,
    lock: join(cache, 'lock'),
  };
}

/** A path as a person would type it from the config root. */
export function displayPath(paths: Pick<ProjectPaths, 'root'>, absolute: string): string {
  return relative(paths.root, absolute) || '.';
}
