/**
 * One loopback HTTP server that speaks enough fal.ai and Gemini for the real SDKs to run
 * against it unchanged (routes: /work/shared/reference/apis.md, "Summary for building a fake
 * server"). It counts what would have been paid, records what was sent, and injects faults.
 *
 * fal clients reach it through a fetch that rewrites fal's hard-coded hosts (see
 * fal-rewrite.ts); Gemini clients through `httpOptions.baseUrl`. It listens on 127.0.0.1 only
 * and never calls out. It prints nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FalFake, type FalSubmission } from './fal.ts';
import { FaultPlan, falError, googleError, type Fault, type FaultRoute, type RandomFailures, type Route, type StatusFault } from './faults.ts';
import { generateContentReply, parseGenerateContent, type GeminiOverride } from './gemini.ts';
import { parseJson, readBody, sendError, sendFile, sendJson, type Exchange, type StoredFile } from './http.ts';

export type { Fault, FaultRoute, RandomFailures, Route } from './faults.ts';
export type { FalSubmission } from './fal.ts';
export { LOCKED_DETAIL } from './fal.ts';

export interface FakeProvidersOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Status polls a job spends IN_QUEUE, and again IN_PROGRESS (default 1 each). */
  jobPolls?: number;
  /**
   * Cap on Kling elements + image_urls. Default 7: apis.md A.2 ("Maximum 7 total (elements +
   * reference images)", fal's O3 4K and O1 reference-to-video docs); 4 when a video element is present.
   */
  maxReferences?: number;
}

/** One answered request; `status` is 0 when the fault reset the connection. */
export interface RequestEvent {
  method: string;
  path: string;
  route: Route;
  status: number;
}

export interface FakeCounts {
  /** Accepted (paid) submissions per endpoint id: queue submits and fal.run calls. */
  falSubmits: Record<string, number>;
  /** Upload PUTs whose bytes were stored. */
  falUploads: number;
  /** Result calls answered 200 with a video. */
  falResults: number;
  /** generateContent calls answered 200 (an image, a blocked prompt or a no-image finish), per model. */
  geminiCalls: Record<string, number>;
  /** GET /files answered 200/206. */
  downloads: number;
}

export interface GeminiRecord {
  model: string;
  body: unknown;
  /** HTTP status answered (0 until answered, or after a reset). */
  status: number;
}

export interface FakeProviders {
  origin: string;
  env: { CG_FAL_URL: string; CG_GEMINI_URL: string };
  counts(): FakeCounts;
  submissions(): FalSubmission[];
  geminiRequests(): GeminiRecord[];
  failNext(route: FaultRoute, fault: Fault, times?: number): void;
  failRandomly(opts: RandomFailures): void;
  /** Drops queued and random faults. */
  clearFaults(): void;
  lockAccount(): void;
  unlockAccount(): void;
  setJobPolls(n: number): void;
  holdJobs(): { release(): void };
  onRequest(listener: (r: RequestEvent) => void): () => void;
  /** Resolves on the next answered request that matches (future requests only). */
  waitForRequest(match: Route | ((r: RequestEvent) => boolean)): Promise<RequestEvent>;
  /** Resolves when a request on that route ARRIVES (before it is answered): for "kill it mid-request" tests. */
  waitForArrival(route: Route): Promise<void>;
  /** Every answered request so far, oldest first. */
  requestLog(): RequestEvent[];
  close(): Promise<void>;
}

interface Routed {
  route: Route;
  /** Path pieces the handler needs: endpoint id, app, request id, upload id, file name or model. */
  params: string[];
}

const QUEUE_REQUEST = /^\/queue\/(.+)\/requests\/([^/]+)(\/status|\/cancel)?$/;

function segments(path: string): string {
  return path.split('/').map((s) => decodeURIComponent(s)).join('/');
}

/** Classifies a request by method and path (after the fal host rewrite). */
export function classify(method: string, pathname: string): Routed {
  const q = QUEUE_REQUEST.exec(pathname);
  if (q !== null) {
    const [, app = '', id = '', tail = ''] = q;
    const params = [segments(app), decodeURIComponent(id)];
    if (tail === '/status' && method === 'GET') return { route: 'fal-status', params };
    if (tail === '/cancel' && method === 'PUT') return { route: 'fal-cancel', params };
    if (tail === '' && method === 'GET') return { route: 'fal-result', params };
    return { route: 'unknown', params: [] };
  }
  const prefixed = (prefix: string): string | undefined => (pathname.startsWith(prefix) && pathname.length > prefix.length ? segments(pathname.slice(prefix.length)) : undefined);
  const submit = prefixed('/queue/');
  if (submit !== undefined && method === 'POST') return { route: 'fal-submit', params: [submit] };
  const run = prefixed('/run/');
  if (run !== undefined && method === 'POST') return { route: 'fal-run', params: [run] };
  if (pathname === '/rest/storage/upload/initiate' && method === 'POST') return { route: 'fal-upload', params: [] };
  const upload = prefixed('/upload/');
  if (upload !== undefined && method === 'PUT') return { route: 'fal-upload-put', params: [upload] };
  const file = prefixed('/files/');
  if (file !== undefined && (method === 'GET' || method === 'HEAD')) return { route: 'fal-download', params: [file] };
  const gemini = /^\/v1beta\/models\/([^/]+?)(?::|%3A)generateContent$/i.exec(pathname);
  if (gemini !== null && method === 'POST') return { route: 'gemini', params: [decodeURIComponent(gemini[1] ?? '')] };
  return { route: 'unknown', params: [] };
}

/** fal wants `Authorization: Key …` on its API routes; Gemini wants `x-goog-api-key` (or `?key=`). */
function authProblem(route: Route, req: IncomingMessage, url: URL): 'fal' | 'gemini' | undefined {
  if (route === 'gemini') {
    const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    return typeof key === 'string' && key !== '' ? undefined : 'gemini';
  }
  const needsKey = route === 'fal-submit' || route === 'fal-status' || route === 'fal-result' || route === 'fal-cancel' || route === 'fal-run' || route === 'fal-upload';
  if (!needsKey) return undefined;
  return /^Key \S+/.test(req.headers.authorization ?? '') ? undefined : 'fal';
}

/** A blocked prompt or unsafe image on fal shows up as a 422 content-policy error (apis.md B.3). */
const CONTENT_POLICY: StatusFault = {
  status: 422,
  detail: [{ loc: ['body', 'prompt'], msg: 'The content could not be processed because it contained material flagged by a content checker.', type: 'content_policy_violation' }],
};

class FakeProvidersServer implements FakeProviders {
  origin = '';
  env = { CG_FAL_URL: '', CG_GEMINI_URL: '' };
  private readonly server: Server;
  private readonly files = new Map<string, StoredFile>();
  private readonly faults = new FaultPlan();
  private readonly fal: FalFake;
  private readonly listeners = new Set<(r: RequestEvent) => void>();
  private readonly arrivals = new Set<(route: Route) => void>();
  private readonly log: RequestEvent[] = [];
  private readonly gemini: GeminiRecord[] = [];
  private readonly geminiCalls: Record<string, number> = {};
  private readonly timers = new Set<NodeJS.Timeout>();
  private downloads = 0;

  constructor(options: FakeProvidersOptions) {
    this.fal = new FalFake({ origin: () => this.origin, files: this.files, maxReferences: options.maxReferences ?? 7, jobPolls: options.jobPolls ?? 1 });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.crash(res, error));
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the fake is not listening on a TCP port');
    this.origin = `http://127.0.0.1:${address.port}`;
    this.env = { CG_FAL_URL: this.origin, CG_GEMINI_URL: this.origin };
  }

  counts(): FakeCounts {
    return { falSubmits: { ...this.fal.submits }, falUploads: this.fal.uploads, falResults: this.fal.results, geminiCalls: { ...this.geminiCalls }, downloads: this.downloads };
  }

  submissions(): FalSubmission[] {
    return this.fal.submissions();
  }

  geminiRequests(): GeminiRecord[] {
    return this.gemini.map((r) => ({ ...r }));
  }

  failNext(route: FaultRoute, fault: Fault, times = 1): void {
    this.faults.failNext(route, fault, times);
  }

  failRandomly(opts: RandomFailures): void {
    this.faults.failRandomly(opts);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  lockAccount(): void {
    this.fal.locked = true;
  }

  unlockAccount(): void {
    this.fal.locked = false;
  }

  setJobPolls(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`polls must be a whole number ≥ 0 (got ${n})`);
    this.fal.jobPolls = n;
  }

  holdJobs(): { release(): void } {
    this.fal.holds += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.fal.holds -= 1;
      },
    };
  }

  onRequest(listener: (r: RequestEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitForRequest(match: Route | ((r: RequestEvent) => boolean)): Promise<RequestEvent> {
    const test = typeof match === 'function' ? match : (r: RequestEvent): boolean => r.route === match;
    return new Promise((resolve) => {
      const off = this.onRequest((r) => {
        if (!test(r)) return;
        off();
        resolve(r);
      });
    });
  }

  waitForArrival(route: Route): Promise<void> {
    return new Promise((resolve) => {
      const listener = (arrived: Route): void => {
        if (arrived !== route) return;
        this.arrivals.delete(listener);
        resolve();
      };
      this.arrivals.add(listener);
    });
  }

  requestLog(): RequestEvent[] {
    return this.log.map((r) => ({ ...r }));
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const { route, params } = classify(req.method ?? 'GET', url.pathname);
    for (const arrival of [...this.arrivals]) arrival(route);
    res.once('close', () => this.emit({ method: req.method ?? 'GET', path: req.url ?? '/', route, status: res.writableFinished ? res.statusCode : 0 }));
    const ex: Exchange = { req, res, url, body: await readBody(req) };
    if (route === 'unknown') return sendError(res, falError(404, `No fake route for ${req.method ?? 'GET'} ${url.pathname}`));
    const auth = authProblem(route, req, url);
    if (auth === 'fal') return sendError(res, falError(401));
    if (auth === 'gemini') return sendError(res, googleError(403));
    const override = await this.applyFault(ex, route);
    if (override === 'answered') return;
    await this.dispatch(ex, route, params, override);
  }

  /** Serves a queued or random fault; 'answered' when the request is done, else what the handler should do instead. */
  private async applyFault(ex: Exchange, route: Route): Promise<'answered' | GeminiOverride | undefined> {
    const fault = this.faults.take(route);
    if (fault === undefined) return undefined;
    if ('delayMs' in fault) {
      await this.sleep(fault.delayMs);
      return undefined;
    }
    if ('reset' in fault) {
      ex.req.socket.destroy();
      return 'answered';
    }
    const modelFault = 'blockPrompt' in fault || 'finishReason' in fault || 'notAGrid' in fault;
    if (modelFault && route === 'gemini') return fault;
    const chosen = modelFault ? CONTENT_POLICY : fault;
    const status = chosen.status;
    const detail = 'detail' in chosen ? chosen.detail : undefined;
    if (route === 'gemini') sendError(ex.res, status === 422 ? googleError(400, JSON.stringify(detail)) : googleError(status));
    else sendError(ex.res, falError(status, detail));
    return 'answered';
  }

  private async dispatch(ex: Exchange, route: Route, params: string[], override: GeminiOverride | undefined): Promise<void> {
    const [a = '', b = ''] = params;
    switch (route) {
      case 'fal-upload':
        return this.fal.initiateUpload(ex);
      case 'fal-upload-put':
        return this.fal.putUpload(ex, a);
      case 'fal-submit':
        return this.fal.submit(ex, a);
      case 'fal-run':
        return this.fal.run(ex, a);
      case 'fal-status':
        return this.fal.status(ex, a, b);
      case 'fal-result':
        return this.fal.result(ex, a, b);
      case 'fal-cancel':
        return this.fal.cancel(ex, a, b);
      case 'fal-download':
        return this.download(ex, a);
      case 'gemini':
        return this.generateContent(ex, a, override);
      case 'unknown':
        return sendError(ex.res, falError(404));
    }
  }

  private download(ex: Exchange, name: string): void {
    const file = this.files.get(name);
    if (file === undefined) return sendError(ex.res, falError(404, `File ${name} not found`));
    const status = sendFile(ex.req, ex.res, file);
    if (status === 200 || status === 206) this.downloads += 1;
  }

  private async generateContent(ex: Exchange, model: string, override: GeminiOverride | undefined): Promise<void> {
    let body: unknown;
    try {
      body = parseJson(ex.body);
    } catch {
      return sendError(ex.res, googleError(400, 'Invalid JSON payload received.'));
    }
    const record: GeminiRecord = { model, body, status: 0 };
    this.gemini.push(record);
    ex.res.once('close', () => {
      record.status = ex.res.writableFinished ? ex.res.statusCode : 0;
    });
    const parsed = await parseGenerateContent(model, body);
    if ('status' in parsed) return sendError(ex.res, parsed);
    const reply = await generateContentReply(parsed, override);
    this.geminiCalls[model] = (this.geminiCalls[model] ?? 0) + 1;
    sendJson(ex.res, 200, reply);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private emit(event: RequestEvent): void {
    this.log.push(event);
    for (const listener of [...this.listeners]) listener(event);
  }

  /** A bug in the fake itself: answer 500 so the test fails loudly instead of hanging. */
  private crash(res: ServerResponse, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!res.headersSent) sendJson(res, 500, { detail: `fake provider crashed: ${message}` });
    else res.destroy();
  }
}

/** Starts the fake on 127.0.0.1 (port 0 by default). Close it with `close()`. */
export async function startFakeProviders(options: FakeProvidersOptions = {}): Promise<FakeProviders> {
  const fake = new FakeProvidersServer(options);
  await fake.listen(options.port ?? 0);
  return fake;
}
