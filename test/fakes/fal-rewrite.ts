/**
 * Points @fal-ai/client at a fake by its `fetch` option. The SDK hard-codes its hosts
 * (`buildUrl`, `getRestApiUrl`) and uses `config.fetch` for every call, including the raw
 * upload PUT that skips middleware and proxies, so rewriting there catches everything
 * (apis.md B.2, way 1).
 *
 *   https://queue.fal.run/X → <origin>/queue/X
 *   https://rest.fal.ai/X   → <origin>/rest/X
 *   https://fal.run/X       → <origin>/run/X
 */

const HOSTS: readonly (readonly [string, string])[] = [
  ['https://queue.fal.run/', '/queue/'],
  ['https://rest.fal.ai/', '/rest/'],
  ['https://fal.run/', '/run/'],
];

/** The URL the fake serves for a fal URL; other URLs come back unchanged. */
export function rewriteFalUrl(url: string, origin: string): string {
  const base = origin.replace(/\/+$/, '');
  for (const [from, to] of HOSTS) {
    if (url.startsWith(from)) return `${base}${to}${url.slice(from.length)}`;
  }
  return url;
}

export interface FalFetchOptions {
  /** The fetch to call after rewriting (default: the global one). */
  fetch?: typeof fetch;
  /**
   * Refuse any URL that is not on `origin` after rewriting (default true), so a test can never
   * reach the real fal (a CDN URL, a new host in a later SDK).
   */
  strict?: boolean;
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/** A fetch for `createFalClient({ fetch })` that sends all fal traffic to `origin`. */
export function falFetch(origin: string, options: FalFetchOptions = {}): typeof fetch {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const strict = options.strict ?? true;
  const base = origin.replace(/\/+$/, '');
  return async (input, init) => {
    const target = rewriteFalUrl(urlOf(input), base);
    if (strict && !target.startsWith(`${base}/`)) throw new Error(`falFetch: refusing ${target}: it is not on the fake at ${base}`);
    if (input instanceof Request) return baseFetch(new Request(target, input), init);
    return baseFetch(target, init);
  };
}
