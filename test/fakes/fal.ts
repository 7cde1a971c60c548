/**
 * The fal side of the fake: storage upload, the queue (submit → status → result → cancel) and
 * the synchronous `fal.run` route, with lazy validation as fal does it (apis.md B.1).
 */
import { randomUUID } from 'node:crypto';
import { falError, type ErrorReply } from './faults.ts';
import { parseJson, sendError, sendJson, type Exchange, type StoredFile } from './http.ts';
import { droppedFields, isKnownEndpoint, requestedSeconds, validateKlingInput, videoSize, type FieldError } from './kling.ts';
import { makeMp4 } from './mp4.ts';

export interface FalSubmission {
  endpoint: string;
  requestId: string;
  /** The body exactly as sent (fal takes the raw input JSON). */
  input: unknown;
  /** Fields fal would drop silently (unknown to the endpoint), e.g. `elements[0].name`. */
  droppedFields: string[];
  webhookUrl?: string;
}

interface Job extends FalSubmission {
  /** `{owner}/{app}`: the only part the SDK puts in status/result/cancel URLs. */
  app: string;
  polls: number;
  completed: boolean;
  cancelled: boolean;
  errors?: FieldError[];
  output?: unknown;
}

export interface FalFakeOptions {
  origin: () => string;
  files: Map<string, StoredFile>;
  maxReferences: number;
  jobPolls: number;
}

export const LOCKED_DETAIL = 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.';

/** `fal-ai/kling-video/o3/pro/x` → `fal-ai/kling-video` (namespaced ids keep their namespace, like the SDK's parseEndpointId). */
export function appOf(endpoint: string): string {
  const parts = endpoint.split('/');
  const take = parts[0] === 'workflows' || parts[0] === 'comfy' ? 3 : 2;
  return parts.slice(0, take).join('/');
}

function extensionOf(fileName: unknown, contentType: string): string {
  const fromName = typeof fileName === 'string' ? /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1] : undefined;
  if (fromName !== undefined) return fromName.toLowerCase();
  const sub = contentType.split('/')[1]?.split(/[-;+]/)[0];
  return sub !== undefined && /^[a-z0-9]+$/i.test(sub) ? sub : 'bin';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class FalFake {
  jobPolls: number;
  holds = 0;
  locked = false;
  readonly submits: Record<string, number> = {};
  uploads = 0;
  results = 0;
  private readonly jobs = new Map<string, Job>();
  private readonly pendingUploads = new Map<string, { name: string; contentType: string }>();

  constructor(private readonly opts: FalFakeOptions) {
    this.jobPolls = opts.jobPolls;
  }

  submissions(): FalSubmission[] {
    return [...this.jobs.values()].map(({ endpoint, requestId, input, droppedFields: dropped, webhookUrl }) => ({ endpoint, requestId, input, droppedFields: [...dropped], ...(webhookUrl === undefined ? {} : { webhookUrl }) }));
  }

  isServedUrl(url: string): boolean {
    const prefix = `${this.opts.origin()}/files/`;
    if (!url.startsWith(prefix)) return false;
    const name = decodeURIComponent(url.slice(prefix.length).split(/[?#]/)[0] ?? '');
    return this.opts.files.has(name);
  }

  // ---- storage ----

  initiateUpload(ex: Exchange): void {
    const body = this.jsonBody(ex);
    if (body === undefined) return;
    const contentType = typeof body.content_type === 'string' ? body.content_type : 'application/octet-stream';
    const id = randomUUID().replaceAll('-', '');
    const name = `${id}.${extensionOf(body.file_name, contentType)}`;
    this.pendingUploads.set(id, { name, contentType });
    const origin = this.opts.origin();
    sendJson(ex.res, 200, { upload_url: `${origin}/upload/${id}`, file_url: `${origin}/files/${name}` });
  }

  putUpload(ex: Exchange, id: string): void {
    const pending = this.pendingUploads.get(id);
    if (pending === undefined) {
      sendError(ex.res, falError(404, 'Upload not found'));
      return;
    }
    this.pendingUploads.delete(id);
    const headerType = ex.req.headers['content-type'];
    this.opts.files.set(pending.name, { bytes: new Uint8Array(ex.body), contentType: headerType ?? pending.contentType });
    this.uploads += 1;
    sendJson(ex.res, 200, {});
  }

  // ---- queue ----

  submit(ex: Exchange, endpoint: string): void {
    const job = this.accept(ex, endpoint);
    if (job === undefined) return;
    sendJson(ex.res, 200, { status: 'IN_QUEUE', request_id: job.requestId, ...this.urls(job), queue_position: 0 });
  }

  status(ex: Exchange, app: string, requestId: string): void {
    const job = this.find(ex, app, requestId);
    if (job === undefined) return;
    job.polls += 1;
    const state = this.advance(job);
    const logs = ex.url.searchParams.get('logs') === '1' && state !== 'IN_QUEUE' ? [{ message: `fake ${job.endpoint}: ${state}`, level: 'INFO', source: 'USER', timestamp: new Date().toISOString() }] : [];
    const base = { status: state, request_id: job.requestId, ...this.urls(job) };
    if (state === 'IN_QUEUE') sendJson(ex.res, 202, { ...base, queue_position: Math.max(0, this.jobPolls - job.polls) });
    else if (state === 'IN_PROGRESS') sendJson(ex.res, 202, { ...base, logs });
    else sendJson(ex.res, 200, { ...base, logs, metrics: { inference_time: job.cancelled ? null : 1.5 } });
  }

  result(ex: Exchange, app: string, requestId: string): void {
    const job = this.find(ex, app, requestId);
    if (job === undefined) return;
    const idHeader = { 'x-fal-request-id': job.requestId };
    if (job.cancelled) return sendJson(ex.res, 400, { detail: 'Request was cancelled' }, idHeader);
    if (!job.completed) return sendJson(ex.res, 400, { detail: 'Request is still in progress' }, idHeader);
    this.answerOutput(ex, job);
  }

  cancel(ex: Exchange, app: string, requestId: string): void {
    const job = this.jobs.get(requestId);
    if (job === undefined || job.app !== app) return sendJson(ex.res, 404, { status: 'NOT_FOUND' });
    if (job.completed) return sendJson(ex.res, 400, { status: 'ALREADY_COMPLETED' });
    job.cancelled = true;
    job.completed = true;
    sendJson(ex.res, 202, { status: 'CANCELLATION_REQUESTED' });
  }

  /** `POST https://fal.run/{endpoint}`: the synchronous call; paid like a queue submission. */
  run(ex: Exchange, endpoint: string): void {
    const job = this.accept(ex, endpoint);
    if (job === undefined) return;
    job.completed = true;
    this.answerOutput(ex, job);
  }

  // ---- internals ----

  /** Checks the lock, the endpoint and the JSON, then records and counts the paid submission. */
  private accept(ex: Exchange, endpoint: string): Job | undefined {
    if (this.locked) {
      sendError(ex.res, falError(403, LOCKED_DETAIL));
      return undefined;
    }
    if (!isKnownEndpoint(endpoint)) {
      sendError(ex.res, falError(404, `Application '${endpoint}' not found`));
      return undefined;
    }
    let input: unknown;
    try {
      input = parseJson(ex.body) ?? {};
    } catch {
      sendError(ex.res, falError(422, [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid', input: ex.body.toString('utf8').slice(0, 200) }]));
      return undefined;
    }
    const requestId = randomUUID();
    const webhookUrl = ex.url.searchParams.get('fal_webhook') ?? undefined;
    const job: Job = { endpoint, requestId, input, droppedFields: droppedFields(endpoint, input), app: appOf(endpoint), polls: 0, completed: false, cancelled: false, ...(webhookUrl === undefined ? {} : { webhookUrl }) };
    this.jobs.set(requestId, job);
    this.submits[endpoint] = (this.submits[endpoint] ?? 0) + 1;
    return job;
  }

  private jsonBody(ex: Exchange): Record<string, unknown> | undefined {
    try {
      const body = parseJson(ex.body);
      if (isRecord(body)) return body;
    } catch {
      // answered below
    }
    sendError(ex.res, falError(422, [{ loc: ['body'], msg: 'Input should be a JSON object', type: 'model_attributes_type' }]));
    return undefined;
  }

  private find(ex: Exchange, app: string, requestId: string): Job | undefined {
    const job = this.jobs.get(requestId);
    if (job !== undefined && job.app === app) return job;
    sendError(ex.res, falError(404, `Request ${requestId} not found`));
    return undefined;
  }

  /** IN_QUEUE for `jobPolls` polls, IN_PROGRESS for as many more (or while held), then COMPLETED for good. */
  private advance(job: Job): 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' {
    if (job.completed) return 'COMPLETED';
    if (job.polls <= this.jobPolls) return 'IN_QUEUE';
    if (job.polls <= 2 * this.jobPolls || this.holds > 0) return 'IN_PROGRESS';
    job.completed = true;
    return 'COMPLETED';
  }

  private urls(job: Job): { response_url: string; status_url: string; cancel_url: string } {
    const base = `${this.opts.origin()}/queue/${job.app}/requests/${job.requestId}`;
    return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
  }

  /** Validates (once, lazily) and answers 422 with the field errors, or 200 with the video. */
  private answerOutput(ex: Exchange, job: Job): void {
    const idHeader = { 'x-fal-request-id': job.requestId };
    job.errors ??= validateKlingInput(job.endpoint, job.input, { isServedUrl: (u) => this.isServedUrl(u), maxReferences: this.opts.maxReferences });
    if (job.errors.length > 0) {
      const reply: ErrorReply = falError(422, job.errors);
      return sendJson(ex.res, reply.status, reply.body, { ...reply.headers, ...idHeader, 'x-fal-retryable': 'false' });
    }
    job.output ??= this.makeVideo(job);
    this.results += 1;
    sendJson(ex.res, 200, job.output, idHeader);
  }

  private makeVideo(job: Job): unknown {
    const name = `${job.requestId}.mp4`;
    const bytes = makeMp4({ seed: job.requestId, durationSec: requestedSeconds(job.input), ...videoSize(job.input) });
    this.opts.files.set(name, { bytes, contentType: 'video/mp4' });
    return { video: { url: `${this.opts.origin()}/files/${name}`, content_type: 'video/mp4', file_name: 'output.mp4', file_size: bytes.length } };
  }
}
