/**
 * Fault injection: faults queued per route (failNext) and seeded random failures (failRandomly).
 * Error bodies are shaped like the real services' (apis.md B.3 for fal, C.2 for Gemini).
 */

/** Routes a fault can be aimed at. */
export type FaultRoute =
  | 'fal-submit' // POST /queue/{endpoint}
  | 'fal-status' // GET  /queue/{owner}/{app}/requests/{id}/status
  | 'fal-result' // GET  /queue/{owner}/{app}/requests/{id}
  | 'fal-cancel' // PUT  /queue/{owner}/{app}/requests/{id}/cancel
  | 'fal-run' //    POST /run/{endpoint} (synchronous fal.run)
  | 'fal-upload' // POST /rest/storage/upload/initiate (the authenticated storage call)
  | 'fal-upload-put' // PUT /upload/{id} (the raw bytes, sent without auth)
  | 'fal-download' // GET /files/{name}
  | 'gemini'; //     POST /v1beta/models/{model}:generateContent

/** Every request is classified as one of these; 'unknown' answers 404. */
export type Route = FaultRoute | 'unknown';

export const FAULT_ROUTES: readonly FaultRoute[] = ['fal-submit', 'fal-status', 'fal-result', 'fal-cancel', 'fal-run', 'fal-upload', 'fal-upload-put', 'fal-download', 'gemini'];

export type Fault =
  | { status: 403 | 404 | 429 | 500 | 502 | 503 | 504 }
  | { status: 422; detail: unknown }
  | { reset: true }
  | { blockPrompt: string }
  | { finishReason: 'IMAGE_SAFETY' | 'NO_IMAGE' }
  | { notAGrid: true }
  | { delayMs: number };

/** What failRandomly draws: an HTTP status from its list. */
export interface StatusFault {
  status: number;
  detail?: unknown;
}

export interface RandomFailures {
  /** Chance (0..1) that a request on one of `routes` fails. 0 turns random failures off. */
  rate: number;
  seed: number;
  statuses: number[];
  routes?: Route[];
}

/** mulberry32: a tiny seeded PRNG, so random failures replay identically for a seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RandomPlan {
  next: () => number;
  rate: number;
  statuses: number[];
  routes: ReadonlySet<Route>;
}

export class FaultPlan {
  private readonly queued = new Map<Route, Fault[]>();
  private random: RandomPlan | undefined;

  failNext(route: FaultRoute, fault: Fault, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a whole number ≥ 1 (got ${times})`);
    const list = this.queued.get(route) ?? [];
    for (let i = 0; i < times; i += 1) list.push(fault);
    this.queued.set(route, list);
  }

  failRandomly(opts: RandomFailures): void {
    if (opts.rate <= 0) {
      this.random = undefined;
      return;
    }
    if (opts.rate > 1 || opts.statuses.length === 0) throw new RangeError('failRandomly needs 0 < rate ≤ 1 and at least one status');
    this.random = { next: mulberry32(opts.seed), rate: opts.rate, statuses: [...opts.statuses], routes: new Set(opts.routes ?? FAULT_ROUTES) };
  }

  /** The fault for this request, if any: queued faults first, then a random draw. */
  take(route: Route): Fault | StatusFault | undefined {
    const list = this.queued.get(route);
    const queued = list?.shift();
    if (queued !== undefined) return queued;
    const r = this.random;
    if (r === undefined || !r.routes.has(route)) return undefined;
    if (r.next() >= r.rate) return undefined;
    const status = r.statuses[Math.floor(r.next() * r.statuses.length)];
    return status === undefined ? undefined : { status };
  }

  clear(): void {
    this.queued.clear();
    this.random = undefined;
  }
}

export interface ErrorReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const FAL_DETAILS: Readonly<Record<number, { detail: string; errorType?: string }>> = {
  400: { detail: 'Bad request' },
  401: { detail: 'Unauthorized: send the header "Authorization: Key <FAL_KEY>".' },
  403: { detail: 'Forbidden' },
  404: { detail: 'Not found' },
  429: { detail: 'Too many requests. Please try again later.', errorType: 'rate_limited' },
  500: { detail: 'Internal server error', errorType: 'internal_server_error' },
  502: { detail: 'Bad gateway', errorType: 'runner_disconnected' },
  503: { detail: 'Service unavailable: no runner could be scheduled', errorType: 'runner_scheduling_failure' },
  504: { detail: 'Request timed out', errorType: 'request_timeout' },
};

/** fal: `{detail: …}` (a string, or for 422 the pydantic list), plus `X-Fal-Error-Type` on infrastructure errors. */
export function falError(status: number, detail?: unknown): ErrorReply {
  const known = FAL_DETAILS[status];
  const headers: Record<string, string> = {};
  if (known?.errorType !== undefined) headers['x-fal-error-type'] = known.errorType;
  if (status === 429 || status >= 500) headers['x-fal-retryable'] = 'true';
  if (status === 422) {
    const body = { detail: detail ?? [{ loc: ['body'], msg: 'Unprocessable input', type: 'value_error' }] };
    return { status, body, headers };
  }
  const body: Record<string, unknown> = { detail: detail ?? known?.detail ?? `HTTP ${status}` };
  if (known?.errorType !== undefined && status >= 500) body.error_type = known.errorType;
  return { status, body, headers };
}

const GOOGLE_STATUS: Readonly<Record<number, { status: string; message: string }>> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: { status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
  403: { status: 'PERMISSION_DENIED', message: 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  500: { status: 'INTERNAL', message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting' },
  502: { status: 'UNAVAILABLE', message: 'Bad Gateway' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

/** Google APIs: `{error: {code, message, status}}`. */
export function googleError(code: number, message?: string): ErrorReply {
  const known = GOOGLE_STATUS[code];
  return { status: code, body: { error: { code, message: message ?? known?.message ?? `HTTP ${code}`, status: known?.status ?? 'UNKNOWN' } }, headers: {} };
}
