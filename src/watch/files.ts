import { resolve } from 'node:path';

/** The project's inputs, relative to its folder; `refs` is a folder and everything in it counts. */
const projectInputs = new Set(['plan.json', 'bible.json', 'decisions.json', 'refs']);

/** A song beside plan.json (plan.json's `song.file`): any audio file at the project's top. */
const songFile = /^[^/]+\.(m4a|mp3|wav|aac|flac|ogg|opus|aiff?)$/i;

/** Vim (`*.swp`, and `4913`, the file it writes to test that a folder is writable), Emacs (`*~`, `.#*`). */
const editorTemp = /\.swp$|~$|^\.#|^4913$/;

/** Absolute paths with `/`, the form chokidar hands to `ignored`. */
export interface WatchedPaths {
  readonly projectDir: string;
  readonly configFile: string;
}

/**
 * Whether the watcher ignores `path` (chokidar's `ignored`, which also keeps chokidar out of
 * ignored folders). Watched: the project folder and its inputs (`plan.json`, `bible.json`,
 * `decisions.json`, `refs/**`, a song file beside them), and the config file with the folder holding it. Everything
 * else is ignored: above all what a build writes (`takes/`, `state/`, `.cg/`), so a build
 * never wakes the watcher, and editors' temp files, which are not inputs (the real save
 * follows them).
 */
export function isIgnoredPath(path: string, watched: WatchedPaths): boolean {
  if (path === watched.configFile || path === watched.projectDir) return false;
  if (path.startsWith(`${watched.projectDir}/`)) {
    const parts = path.slice(watched.projectDir.length + 1).split('/');
    const input = projectInputs.has(parts[0] ?? '') || (parts.length === 1 && songFile.test(parts[0] ?? ''));
    return !input || editorTemp.test(parts[parts.length - 1] ?? '');
  }
  // The config's folder is watched (not the file alone) so that a save by rename, or a delete
  // and re-create, is seen; its other entries, the project's own ancestors among them, are not.
  return path !== configDir(watched);
}

function configDir(watched: WatchedPaths): string {
  return watched.configFile.slice(0, watched.configFile.lastIndexOf('/'));
}

export interface WatchProjectOptions {
  readonly projectDir: string;
  /** The root's `pipeline.config.ts` (the files it imports are not watched). */
  readonly configFile: string;
  /** An input was added, changed or removed; `path` is absolute, with `/`. */
  readonly onChange: (path: string) => void;
  readonly onError: (error: Error) => void;
}

export interface ProjectWatcher {
  /** Resolves once chokidar has read the folders: a save after this is seen. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Watches a project's inputs with chokidar 4 (imported here, so `cg --help` never loads it). */
export function watchProject(options: WatchProjectOptions): ProjectWatcher {
  const watched: WatchedPaths = { projectDir: slashes(options.projectDir), configFile: slashes(options.configFile) };
  const watcher = import('chokidar').then(({ watch }) => {
    const files = watch([watched.projectDir, configDir(watched)], {
      ignored: (path) => isIgnoredPath(path, watched),
      // The files exist when the watch starts; only what happens after is a change.
      ignoreInitial: true,
      // Off: it polls each file until it stops growing, and the driver's debounce already waits out a burst.
      awaitWriteFinish: false,
    });
    files.on('all', (event, path) => {
      // A new empty folder changes no input; whatever lands in it is reported by itself.
      if (event !== 'addDir') options.onChange(path);
    });
    files.on('error', (error) => options.onError(error instanceof Error ? error : new Error(String(error))));
    const ready = new Promise<void>((done) => files.once('ready', done));
    return { files, ready };
  });
  return {
    ready: watcher.then(({ ready }) => ready),
    close: async () => (await watcher).files.close(),
  };
}

function slashes(path: string): string {
  return resolve(path).replaceAll('\\', '/');
}
