import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';

/**
 * V8's compiled code for the CLI bundle, kept next to it (`dist/cli.cjs.cache`) so a command
 * starts without compiling it again (Node 20 has no module.enableCompileCache).
 *
 * The file is a one-line JSON header, then V8's bytes. The header names what the bytes were
 * made from (the bundle's hash, Node's version and architecture), the hash of the bytes
 * themselves, and the commands whose code is in them. Anything that does not match, a torn or
 * corrupted file included, is ignored (V8 is never handed bytes we cannot vouch for), and the
 * cache is written again at exit; a folder that cannot be written is left alone, silently.
 */
export interface CodeCacheKey {
  bundle: string;
  node: string;
  arch: string;
}

interface Header extends CodeCacheKey {
  version: 1;
  data: string;
  /** The commands that ran with this cache (their functions were compiled into it). */
  commands: string[];
}

export interface CachedCode {
  data: Buffer;
  commands: readonly string[];
}

const digest = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

export function cacheKey(bundle: Uint8Array, node: string, arch: string): CodeCacheKey {
  return { bundle: digest(bundle), node, arch };
}

/** The cached code for exactly this key, or undefined (missing, stale, torn, corrupted). */
export function readCodeCache(file: string, key: CodeCacheKey): CachedCode | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const end = bytes.indexOf(10);
  if (end < 0) return undefined;
  let header: Partial<Header>;
  try {
    header = JSON.parse(bytes.toString('utf8', 0, end)) as Partial<Header>;
  } catch {
    return undefined;
  }
  const data = bytes.subarray(end + 1);
  const matches = header.version === 1 && header.bundle === key.bundle && header.node === key.node && header.arch === key.arch;
  if (!matches || !Array.isArray(header.commands) || data.length === 0 || header.data !== digest(data)) return undefined;
  return { data, commands: header.commands.filter((c): c is string => typeof c === 'string') };
}

/** Writes the cache atomically (temp file, rename); any failure leaves things as they were. */
export function writeCodeCache(file: string, key: CodeCacheKey, data: Uint8Array, commands: readonly string[]): void {
  const header: Header = { version: 1, ...key, data: digest(data), commands: [...commands].sort() };
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), data]));
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
}

/** The CommonJS wrapper the bundle runs in; `__cgUrl` stands for import.meta.url. */
const wrapperStart = '(function (exports, require, module, __filename, __dirname, __cgUrl) {';

export interface CompiledBundle {
  /** Calls the bundle's top level with these module arguments. */
  run: (args: readonly unknown[]) => void;
  /** False when there were no cached bytes, or V8 refused them. */
  fromCache: boolean;
  /** V8's code for everything compiled so far (call late: lazily compiled functions are included). */
  produce: () => Buffer;
}

export function compileBundle(source: string, filename: string, cached: Buffer | undefined): CompiledBundle {
  const script = new Script(`${wrapperStart}${source}\n})`, { filename, cachedData: cached });
  return {
    run: (args) => {
      const fn = script.runInThisContext() as (...a: readonly unknown[]) => void;
      fn(...args);
    },
    fromCache: cached !== undefined && script.cachedDataRejected === false,
    produce: () => script.createCachedData(),
  };
}

/** Whether to write the cache after this run: none was usable, or this command's code is not in it yet. */
export function shouldWrite(cached: CachedCode | undefined, fromCache: boolean, command: string): boolean {
  return cached === undefined || !fromCache || !cached.commands.includes(command);
}
