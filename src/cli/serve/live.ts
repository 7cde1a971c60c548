import type { ServerResponse } from 'node:http';
import { join, sep } from 'node:path';

/** Which of the project's files changed: the page re-fetches what shows them (`plan` covers the bible and refs). */
export type Changed = 'records' | 'decisions' | 'plan' | 'cut';

/** What a change under the project folder means to the page; undefined for files it does not show. */
export function changeOf(projectDir: string, path: string): Changed | undefined {
  if (!path.startsWith(projectDir + sep)) return undefined;
  const rest = path.slice(projectDir.length + 1).split(sep);
  const [first, second] = rest;
  if (first === 'state' && second === 'shots' && rest.length === 3 && rest[2]?.endsWith('.json') === true) return 'records';
  if (first === 'decisions.json' && rest.length === 1) return 'decisions';
  if (((first === 'plan.json' || first === 'bible.json') && rest.length === 1) || (first === 'refs' && rest.length > 1)) return 'plan';
  if (first === 'cut' && rest.length === 2 && rest[1]?.endsWith('.mp4') === true) return 'cut';
  return undefined;
}

/** chokidar's `ignored`: the folders that lead to a shown file, and the shown files. */
function ignored(projectDir: string, path: string): boolean {
  if (path === projectDir) return false;
  const inside = path.slice(projectDir.length + 1);
  if (inside === 'state' || inside === join('state', 'shots') || inside === 'cut' || inside === 'refs' || inside.startsWith(`refs${sep}`)) return false;
  return changeOf(projectDir, path) === undefined;
}

export interface Live {
  /** Resolves once the watcher has read the folders: a change after this is sent. */
  ready: Promise<void>;
  /** Adds a page's event stream. */
  attach(response: ServerResponse): void;
  /** Sends an event of the server's own (a build started from the page has ended). */
  notify(event: string, data: unknown): void;
  close(): Promise<void>;
}

/**
 * Server-sent events from the project's state files: whatever writes them (this server, a
 * `cg build` or `cg watch` in another terminal), the page hears `change` with what changed,
 * a burst of writes coming as one event.
 */
export function liveUpdates(projectDir: string, timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout }, on: { change: () => void; error: (error: Error) => void }): Live {
  const streams = new Set<ServerResponse>();
  let pending = new Set<Changed>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = (): void => {
    timer = undefined;
    on.change();
    const data = JSON.stringify({ changed: [...pending].sort() });
    pending = new Set();
    for (const stream of streams) stream.write(`event: change\ndata: ${data}\n\n`);
  };
  const watcher = import('chokidar').then(({ watch }) => {
    const files = watch(projectDir, { ignored: (path) => ignored(projectDir, path), ignoreInitial: true, awaitWriteFinish: false });
    files.on('all', (_event, path) => {
      const changed = changeOf(projectDir, path);
      if (changed === undefined) return;
      pending.add(changed);
      // A build writes a record several times a second: one event per burst is enough.
      timer ??= timers.setTimeout(send, 100);
    });
    files.on('error', (error) => on.error(error instanceof Error ? error : new Error(String(error))));
    return { files, ready: new Promise<void>((done) => files.once('ready', done)) };
  });
  return {
    ready: watcher.then(({ ready }) => ready),
    attach: (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write('retry: 1000\n\n');
      streams.add(response);
      response.on('close', () => streams.delete(response));
    },
    notify: (event, data) => {
      for (const stream of streams) stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: async () => {
      if (timer !== undefined) timers.clearTimeout(timer);
      for (const stream of streams) stream.end();
      await (await watcher).files.close();
    },
  };
}
