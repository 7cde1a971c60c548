import { createHash } from 'node:crypto';

/** A content hash as stored and shown everywhere: `sha256:` + 64 hex digits. */
export type BlobHash = string & { readonly __brand: 'BlobHash' };
/** A node key: sha256 hex over the canonical JSON of a node's key material. */
export type NodeKey = string & { readonly __brand: 'NodeKey' };

export function hashBytes(bytes: Uint8Array): BlobHash {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as BlobHash;
}

export function isBlobHash(value: string): value is BlobHash {
  return /^sha256:[0-9a-f]{64}$/.test(value);
}

/**
 * JSON with object keys sorted at every depth, so that the order in which a
 * person wrote keys never changes a hash. `undefined` members are dropped, as
 * JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  }
  return value;
}

export function hashJson(value: unknown): BlobHash {
  return hashBytes(Buffer.from(canonicalJson(value)));
}

export function computeKey(material: unknown): NodeKey {
  return createHash('sha256').update(canonicalJson(material)).digest('hex') as NodeKey;
}
