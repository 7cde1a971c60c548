import { closeSync, fstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';

/**
 * V8's compiled code for the CLI bundle, kept next to it (`dist/cli.cjs.cache`) so a command
 * starts without compiling it again (Node 20 has no module.enableCompileCache).
 *
 * The file is a one-line JSON header, then V8's bytes. The header names what the bytes were
 * made from (the bundle's hash, Node's version and architecture), a checksum of the bytes
 * themselves (CRC-32, made to catch damage), and the commands whose code is in them. Anything
 * that does not match, a torn or corrupted file included, is ignored (V8 is never handed bytes
 * we cannot vouch for), and the cache is written again at exit; a folder that cannot be written
 * is left alone, silently.
 *
 * The header also records the bundle's stat (size, times, inode) when its hash was taken:
 * while the bundle's stat is that one, its hash is not taken again (as the stat cache does for
 * project files), so a start loads neither crypto nor hashes 400 KB.
 */
export interface CodeCacheKey {
  bundle: string;
  node: string;
  arch: string;
  /** The bundle's stat when `bundle` was taken from its bytes. */
  bundleStat?: string;
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
  /** The bundle's stat the header recorded. */
  bundleStat?: string | undefined;
}

/** The bundle's hash (crypto, loaded only when one is taken). */
const digest = (bytes: Uint8Array): string => process.getBuiltinModule('node:crypto').createHash('sha1').update(bytes).digest('hex');
/** The checksum of V8's bytes. */
const checksum = (bytes: Uint8Array): string => process.getBuiltinModule('node:zlib').crc32(bytes).toString(16).padStart(8, '0');

export function cacheKey(bundle: Uint8Array, node: string, arch: string): CodeCacheKey {
  return { bundle: digest(bundle), node, arch };
}

/** The bundle's bytes, and its stat taken from the same open file. */
export function readBundle(file: string): { bytes: Buffer; stat: string } {
  const fd = openSync(file, 'r');
  try {
    const s = fstatSync(fd, { bigint: true });
    return { bytes: readFileSync(fd), stat: [s.size, s.mtimeNs, s.ctimeNs, s.ino].join(':') };
  } finally {
    closeSync(fd);
  }
}

function parse(file: string): { header: Partial<Header>; data: Buffer } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const end = bytes.indexOf(10);
  if (end < 0) return undefined;
  try {
    return { header: JSON.parse(bytes.toString('utf8', 0, end)) as Partial<Header>, data: bytes.subarray(end + 1) };
  } catch {
    return undefined;
  }
}

function check({ header, data }: { header: Partial<Header>; data: Buffer }, key: CodeCacheKey): CachedCode | undefined {
  const matches = header.version === 1 && header.bundle === key.bundle && header.node === key.node && header.arch === key.arch;
  if (!matches || !Array.isArray(header.commands) || data.length === 0 || header.data !== checksum(data)) return undefined;
  const bundleStat = typeof header.bundleStat === 'string' ? header.bundleStat : undefined;
  return { data, commands: header.commands.filter((c): c is string => typeof c === 'string'), bundleStat };
}

/** The cached code for exactly this key, or undefined (missing, stale, torn, corrupted). */
export function readCodeCache(file: string, key: CodeCacheKey): CachedCode | undefined {
  const read = parse(file);
  return read === undefined ? undefined : check(read, key);
}

/**
 * The cache for this bundle and the key it is (or will be) written under. The bundle's hash
 * is the one the header names while the bundle's stat is the one recorded with it; otherwise
 * it is taken from the bytes.
 */
export function openCodeCache(file: string, bundle: { bytes: Uint8Array; stat: string }, node: string, arch: string): { key: CodeCacheKey; cached: CachedCode | undefined } {
  const read = parse(file);
  const known = read !== undefined && read.header.bundleStat === bundle.stat && typeof read.header.bundle === 'string' ? read.header.bundle : undefined;
  const key = { bundle: known ?? digest(bundle.bytes), node, arch, bundleStat: bundle.stat };
  return { key, cached: read === undefined ? undefined : check(read, key) };
}

/** Writes the cache atomically (temp file, rename); any failure leaves things as they were. */
export function writeCodeCache(file: string, key: CodeCacheKey, data: Uint8Array, commands: readonly string[]): void {
  const header: Header = { version: 1, ...key, data: checksum(data), commands: [...commands].sort() };
  const temp = `${file}.${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}.tmp`;
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

/** Compiles the bundle; one the build wrote inside the wrapper already (scripts/build.mjs) is compiled as it is, not copied into one. */
export function compileBundle(source: string, filename: string, cached: Buffer | undefined): CompiledBundle {
  const script = new Script(source.startsWith(wrapperStart) ? source : `${wrapperStart}${source}\n})`, { filename, cachedData: cached });
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

/** Whether the cache should be written again to record the bundle's new stat (its hash was taken again, and matched). */
export function restat(cached: CachedCode | undefined, key: CodeCacheKey): boolean {
  return cached !== undefined && key.bundleStat !== undefined && cached.bundleStat !== key.bundleStat;
}
