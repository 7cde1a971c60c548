import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** Why a request is turned away before any handler sees it. */
export type Refusal = { status: 401 | 403 | 400; message: string };

export interface RequestFacts {
  /** The raw request target, as it came on the wire (before any URL normalisation). */
  url: string;
  host: string | undefined;
  origin: string | undefined;
  /** The token from the `x-cg-token` header, if sent. */
  tokenHeader: string | undefined;
}

/** The hosts the page may be reached by: a DNS name pointed at 127.0.0.1 by someone else is refused (DNS rebinding). */
function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/**
 * The door: the token (query `token` or header `x-cg-token`), a loopback Host, and no other
 * site's Origin. The server sends no CORS headers, so another origin's page can neither read
 * an answer nor, refused here, make one happen.
 */
export function admit(request: RequestFacts, token: string, port: number): Refusal | undefined {
  const hosts = allowedHosts(port);
  if (request.host === undefined || !hosts.has(request.host)) return { status: 403, message: 'this server answers only on 127.0.0.1' };
  if (request.origin !== undefined && !hosts.has(request.origin.replace(/^http:\/\//, ''))) return { status: 403, message: 'requests from other sites are refused' };
  const query = request.url.indexOf('?');
  const given = request.tokenHeader ?? (query === -1 ? undefined : (new URLSearchParams(request.url.slice(query + 1)).get('token') ?? undefined));
  if (given !== token) return { status: 401, message: 'the URL cg serve printed carries the token this page needs' };
  return undefined;
}

/**
 * A project file named by a URL path (`takes/SEQ02/SEQ02_take001.webp`), or a refusal. The raw
 * path is checked before and after percent-decoding: a `..` or `.` segment in either form, a
 * backslash or a NUL is refused outright, not normalised away.
 */
export function projectPath(dir: string, rawPath: string): string | Refusal {
  const refused: Refusal = { status: 403, message: 'that path is outside the project' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, message: 'the path is not valid percent-encoding' };
  }
  for (const form of [rawPath, decoded]) {
    if (form.includes('\\') || form.includes('\0') || form.startsWith('/')) return refused;
    if (form.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) return refused;
  }
  const full = resolve(dir, decoded);
  const inside = relative(dir, full);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? refused : full;
}

/** The same check on the file's real path: a symbolic link inside the project may not lead out of it. */
export async function stillInside(dir: string, file: string): Promise<boolean> {
  const [root, real] = await Promise.all([realpath(dir), realpath(file)]);
  const inside = relative(root, real);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
}
