/** Small HTTP helpers shared by the fake providers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorReply } from './faults.ts';

/** One request as the handlers see it: body already read. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly body: Buffer;
}

const MAX_BODY_BYTES = 200 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<unknown>) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(typeof chunk === 'string' ? chunk : '');
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new RangeError('request body too large for the fake');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Always with `Content-Type: application/json`: the fal SDK parses 2xx bodies only with it. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

export function sendError(res: ServerResponse, reply: ErrorReply): void {
  sendJson(res, reply.status, reply.body, reply.headers);
}

/** Parses a JSON body; undefined for an empty body, a SyntaxError for bad JSON. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  return JSON.parse(body.toString('utf8')) as unknown;
}

export interface StoredFile {
  bytes: Uint8Array;
  contentType: string;
}

/** Answers GET/HEAD for a stored file, with a single `Range: bytes=a-b` honoured (browsers ask for video that way). */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: StoredFile): number {
  const total = file.bytes.length;
  const headers: Record<string, string> = { 'content-type': file.contentType, 'accept-ranges': 'bytes', 'cache-control': 'public, max-age=31536000, immutable' };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = total - 1;
  let status = 200;
  if (range !== null && total > 0) {
    const [, a = '', b = ''] = range;
    start = a === '' ? Math.max(0, total - Number(b)) : Number(a);
    end = a !== '' && b !== '' ? Math.min(Number(b), total - 1) : total - 1;
    if (start > end || start >= total) {
      res.writeHead(416, { 'content-range': `bytes */${total}` });
      res.end();
      return 416;
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${total}`;
  }
  headers['content-length'] = String(end - start + 1);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : Buffer.from(file.bytes.buffer, file.bytes.byteOffset + start, end - start + 1));
  return status;
}
