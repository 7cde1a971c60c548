import { randomBytes } from 'node:crypto';
import { CgFailure, type ExitCode } from '../../util/errors.ts';
import type { Io } from '../io.ts';
import { ReviewConsole } from '../serve/console.ts';
import { liveUpdates } from '../serve/live.ts';
import { assetsDir, startServer } from '../serve/server.ts';
import { openFile } from '../open-file.ts';
import { openConfig, openWorkspace } from '../workspace.ts';

export interface ServeArgs {
  project: string | undefined;
  port: number;
  open: boolean;
  maxCost: number | undefined;
}

/** `cg serve`: the review console on 127.0.0.1 until Ctrl-C. */
export async function serveCommand(io: Io, args: ServeArgs): Promise<ExitCode> {
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65_535) throw new CgFailure({ kind: 'usage', message: `--port takes a port number (0 for any free one); got ${args.port}` });
  if (args.maxCost !== undefined && !(args.maxCost >= 0)) throw new CgFailure({ kind: 'usage', message: '--max-cost takes an amount in USD, e.g. --max-cost 20' });
  const config = await openConfig(io);
  // The project is checked before anything listens: a broken plan is said here, as cg build says it.
  const ws = await openWorkspace(io, args.project, { config, readOnly: true });
  const review = new ReviewConsole({ io, project: ws.paths.name, maxCostUsd: args.maxCost, onBuildEnded: (ended) => live.notify('build', ended) });
  const live = liveUpdates(ws.paths.dir, { setTimeout, clearTimeout }, {
    change: () => review.changed(),
    error: (error) => io.stderr.write(`cg: watching the project stopped working: ${error.message}\n`),
  });
  const server = await startServer({ console: review, live, projectDir: ws.paths.dir, assets: await assetsDir(), token: randomBytes(24).toString('base64url'), port: args.port, version: io.version, ffmpeg: ws.media.ffmpeg }).catch((error: unknown) => {
    void live.close();
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') throw new CgFailure({ kind: 'usage', message: `port ${args.port} is in use: choose another with --port N (0 takes any free one)` });
    throw error;
  });
  await live.ready;
  const cap = args.maxCost === undefined ? '' : ` Builds from the page may spend $${args.maxCost.toFixed(2)} in all.`;
  io.stdout.write(`Review console for ${ws.paths.name} (only this machine can reach it; the link carries its key):\n  ${server.url}\n${cap === '' ? '' : `${cap.trim()}\n`}Ctrl-C stops it.\n`);
  if (args.open) void openFile(server.url, process.platform);
  if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
  await server.close();
  await review.idle();
  return 0;
}
