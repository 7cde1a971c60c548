import { createReadStream } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodes, toCgError } from '../../util/errors.ts';
import { messageOf, type ReviewConsole } from './console.ts';
import { admit, projectPath, stillInside, type Refusal } from './guard.ts';
import type { Live } from './live.ts';
import { Posters } from './media.ts';
import type { Ffmpeg } from '../../media/ffmpeg.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
};

/** The page's files beside the sources (src/cli/serve) or, bundled, beside dist/. */
export async function assetsDir(): Promise<string> {
  for (const candidate of ['./assets', '../src/cli/serve/assets']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    try {
      await access(join(dir, 'index.html'));
      return dir;
    } catch {
      // try the next layout
    }
  }
  throw new Error('the review console page is missing from this clipgraph install');
}

/** Project folders the page may read files from (never `.env`, the caches or the lock). */
const served = { files: ['takes/', 'cut/'], posters: ['takes/'] };

export interface ServerOptions {
  console: ReviewConsole;
  live: Live;
  projectDir: string;
  assets: string;
  token: string;
  port: number;
  version: string;
  /** ffmpeg, for the posters of MP4 takes. */
  ffmpeg: () => Promise<Ffmpeg>;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: string | Uint8Array, type: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  response.end(body);
}

function json(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

function refuse(response: ServerResponse, refusal: Refusal): void {
  json(response, refusal.status, { error: refusal.message });
}

async function body(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > 65_536) throw new Error('request too large');
  }
  const value: unknown = text === '' ? {} : JSON.parse(text);
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** A file with HTTP ranges, so a `<video>` can seek. */
async function sendFile(request: IncomingMessage, response: ServerResponse, file: string): Promise<void> {
  const { size } = await stat(file);
  const type = types[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  const headers = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
  if (range !== null && size > 0) {
    const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    const end = range[1] !== '' && range[2] !== '' ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      response.writeHead(416, { 'content-range': `bytes */${size}` });
      response.end();
      return;
    }
    response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    createReadStream(file, { start, end }).pipe(response);
    return;
  }
  response.writeHead(200, { ...headers, 'content-length': size });
  createReadStream(file).pipe(response);
}

type Post = (console: ReviewConsole, sequence: string, input: Record<string, unknown>) => Promise<unknown>;

const num = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The page's buttons, each the CLI command of the same name. */
const posts: Record<string, Post> = {
  approve: async (c, s, input) => ({ message: await c.verdict(s, 'approve', num(input['take']), undefined) }),
  reject: async (c, s, input) => ({ message: await c.verdict(s, 'reject', num(input['take']), text(input['note'])) }),
  final: async (c, s, input) => ({ message: await c.final(s, input['reopen'] === true) }),
  pick: async (c, s, input) => ({ message: await c.pick(s, num(input['cell']), text(input['grid'])) }),
  use: async (c, s, input) => ({ message: await c.use(s, input['shot'] === 'all' ? 'all' : num(input['shot']), text(input['take']) ?? '') }),
  quote: (c, s, input) => c.quote(s, input['retake'] === true),
  build: async (c, s, input) => ({ message: await c.build(s, input['retake'] === true, num(input['confirmedUsd'])) }),
};

/** What an error from the CLI's functions is in HTTP: bad input 400, a busy project 409, a bug 500. */
function failure(response: ServerResponse, error: unknown, version: string): void {
  const kind = toCgError(error).kind;
  const status = kind === 'lock-busy' ? 409 : kind === 'internal' ? 500 : exitCodes[kind] === 2 ? 400 : 500;
  json(response, status, { error: messageOf(error, version) });
}

/** The project file a `/files/` or `/poster/` path names, or undefined once the refusal is sent. */
async function projectFile(request: IncomingMessage, response: ServerResponse, options: ServerOptions, rawPath: string, allowed: readonly string[]): Promise<string | undefined> {
  const file = projectPath(options.projectDir, rawPath);
  const refusal: Refusal | undefined =
    typeof file !== 'string'
      ? file
      : !allowed.some((prefix) => decodeURIComponent(rawPath).startsWith(prefix))
        ? { status: 403, message: 'the page reads takes and cuts only' }
        : request.method !== 'GET' && request.method !== 'HEAD'
          ? { status: 400, message: 'files are read only' }
          : undefined;
  if (refusal !== undefined || typeof file !== 'string') {
    refuse(response, refusal ?? { status: 403, message: 'that path is outside the project' });
    return undefined;
  }
  const inside = await stillInside(options.projectDir, file).catch(() => undefined);
  if (inside !== true) {
    if (inside === undefined) json(response, 404, { error: 'no such file' });
    else refuse(response, { status: 403, message: 'that path is outside the project' });
    return undefined;
  }
  return file;
}

async function route(request: IncomingMessage, response: ServerResponse, options: ServerOptions, posters: Posters): Promise<void> {
  const raw = request.url ?? '/';
  const path = raw.split('?')[0] ?? '/';
  const method = request.method ?? 'GET';
  if (path === '/' && method === 'GET') {
    const page = await readFile(join(options.assets, 'index.html'), 'utf8');
    return send(response, 200, page.replaceAll('__TOKEN__', options.token), types['.html'] ?? '');
  }
  const asset = /^\/assets\/(app\.js|app\.css)$/.exec(path)?.[1];
  if (asset !== undefined) return sendFile(request, response, join(options.assets, asset));
  if (path.startsWith('/files/')) {
    const file = await projectFile(request, response, options, path.slice('/files/'.length), served.files);
    return file === undefined ? undefined : sendFile(request, response, file);
  }
  if (path.startsWith('/poster/')) {
    const file = await projectFile(request, response, options, path.slice('/poster/'.length), served.posters);
    return file === undefined ? undefined : send(response, 200, await posters.of(file), 'image/jpeg');
  }
  if (path === '/api/events') return options.live.attach(response);
  if (path === '/api/board' && method === 'GET') return json(response, 200, await options.console.board());
  const [, sequence, action] = /^\/api\/sequences\/([A-Za-z0-9]+)(?:\/([a-z]+))?$/.exec(path) ?? [];
  if (sequence !== undefined && action === undefined && method === 'GET') return json(response, 200, await options.console.sequence(sequence));
  const post = action === undefined ? undefined : posts[action];
  if (sequence !== undefined && post !== undefined && method === 'POST') {
    // A JSON body cannot be sent across origins without a preflight, which gets no CORS answer.
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return json(response, 415, { error: 'send JSON' });
    return json(response, 200, await post(options.console, sequence, await body(request)));
  }
  json(response, 404, { error: 'no such page' });
}

/** Listens on 127.0.0.1 only; every request needs the token, and files come from the project's takes and cuts. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const posters = new Posters(options.ffmpeg);
  // Requests still at work when the server closes are waited for: they may be writing a cache file.
  const working = new Set<Promise<void>>();
  let port = options.port;
  const server = createServer((request, response) => {
    const refusal = admit({ url: request.url ?? '/', host: request.headers.host, origin: request.headers.origin, tokenHeader: request.headers['x-cg-token'] as string | undefined }, options.token, port);
    if (refusal !== undefined) return refuse(response, refusal);
    const work = route(request, response, options, posters).catch((error: unknown) => {
      if (!response.headersSent) failure(response, error, options.version);
      else response.destroy();
    });
    working.add(work);
    void work.finally(() => working.delete(work));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${options.token}`,
    port,
    close: async () => {
      await options.live.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(working);
    },
  };
}
