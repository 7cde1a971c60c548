import { hash } from 'node:crypto';

/** A content hash as stored and shown everywhere: `sha256:` + 64 hex digits. */
export type BlobHash = string & { readonly __brand: 'BlobHash' };
/** A node key: sha256 hex over the canonical JSON of a node's key material. */
export type NodeKey = string & { readonly __brand: 'NodeKey' };

export function hashBytes(bytes: Uint8Array): BlobHash {
  return `sha256:${hash('sha256', bytes)}` as BlobHash;
}

export function isBlobHash(value: string): value is BlobHash {
  return /^sha256:[0-9a-f]{64}$/.test(value);
}

/**
 * JSON with object keys sorted at every depth, so that the order in which a
 * person wrote keys never changes a hash. `undefined` members are dropped, as
 * JSON.stringify does. Built as one string, without copying the value: keys of
 * 10,000-sequence plans are hashed on every command.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashJson(value: unknown): BlobHash {
  return hashBytes(Buffer.from(canonicalJson(value)));
}

/** sha256 of JSON whose members are already in canonical (sorted) order: see graph/key-material.ts. */
export function computeKey(sortedMaterial: unknown): NodeKey {
  return hash('sha256', JSON.stringify(sortedMaterial)) as NodeKey;
}

/**
 * sha1 hex of a text (UTF-8) or bytes, for identifying, not for content addressing. One call, not
 * createHash's object: ten thousand of them (one a sequence) cost a third as much.
 */
export function sha1(data: string | Uint8Array): string {
  return hash('sha1', data);
}
