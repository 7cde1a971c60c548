import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheKey, compileBundle, openCodeCache, readBundle, readCodeCache, restat, shouldWrite, writeCodeCache } from '../src/cli/code-cache.ts';
import { distCli } from './helpers/project.ts';

const source = 'module.exports.answer = 6 * 7;';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A bundle compiled and run once, and its code cache written in a fresh folder. */
function cachedBundle(): { file: string; key: ReturnType<typeof cacheKey> } {
  const dir = mkdtempSync(join(tmpdir(), 'cg-code-cache-'));
  dirs.push(dir);
  const file = join(dir, 'bundle.cjs.cache');
  const key = cacheKey(Buffer.from(source), 'v20.0.0', 'x64');
  const compiled = compileBundle(source, join(dir, 'bundle.cjs'), undefined);
  compiled.run([{}, () => undefined, { exports: {} }, '', '', '']);
  writeCodeCache(file, key, compiled.produce(), ['build']);
  return { file, key };
}

function run(compiledFrom: Buffer | undefined, code = source): { answer: unknown; fromCache: boolean } {
  const compiled = compileBundle(code, 'bundle.cjs', compiledFrom);
  const module = { exports: {} as Record<string, unknown> };
  compiled.run([module.exports, () => undefined, module, '', '', '']);
  return { answer: module.exports['answer'], fromCache: compiled.fromCache };
}

describe('the code cache beside the bundle', () => {
  it('is used for the same bundle, Node and architecture, and remembers which commands it covers', () => {
    const { file, key } = cachedBundle();
    const cached = readCodeCache(file, key);
    expect(cached?.commands).toEqual(['build']);
    expect(run(cached?.data)).toEqual({ answer: 42, fromCache: true });
    expect(shouldWrite(cached, true, 'build')).toBe(false);
    expect(shouldWrite(cached, true, 'status')).toBe(true);
  });

  it('is ignored for another bundle, another Node or another architecture', () => {
    const { file, key } = cachedBundle();
    expect(readCodeCache(file, cacheKey(Buffer.from(`${source}\n`), key.node, key.arch))).toBeUndefined();
    expect(readCodeCache(file, { ...key, node: 'v22.0.0' })).toBeUndefined();
    expect(readCodeCache(file, { ...key, arch: 'arm64' })).toBeUndefined();
  });

  it('is not trusted when truncated or corrupted, and the bundle runs without it', () => {
    const { file, key } = cachedBundle();
    const bytes = readFileSync(file);
    truncateSync(file, bytes.length - 10);
    expect(readCodeCache(file, key)).toBeUndefined();
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] ?? 0) ^ 0xff;
    writeFileSync(file, flipped);
    expect(readCodeCache(file, key)).toBeUndefined();
    writeFileSync(file, 'not a cache');
    expect(readCodeCache(file, key)).toBeUndefined();
    expect(shouldWrite(undefined, false, 'build')).toBe(true);
    expect(run(undefined, `${source} // uncached`)).toEqual({ answer: 42, fromCache: false });
  });

  it('falls back silently when V8 refuses the bytes', () => {
    // A source this process has not compiled yet: V8 would otherwise answer from memory.
    expect(run(Buffer.from('these are not V8 code cache bytes'), `${source} // refused`)).toEqual({ answer: 42, fromCache: false });
  });

  it('takes the bundle’s hash again only when the bundle’s stat is not the one recorded with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-code-cache-'));
    dirs.push(dir);
    const bundle = join(dir, 'bundle.cjs');
    const file = `${bundle}.cache`;
    writeFileSync(bundle, source);
    const first = openCodeCache(file, readBundle(bundle), 'v20.0.0', 'x64');
    expect(first.cached).toBeUndefined();
    expect(first.key.bundle).toBe(cacheKey(Buffer.from(source), 'v20.0.0', 'x64').bundle);
    const compiled = compileBundle(source, bundle, undefined);
    compiled.run([{}, () => undefined, { exports: {} }, '', '', '']);
    // Recorded under a hash no bundle has: while the stat holds, the recorded hash is the key.
    writeCodeCache(file, { ...first.key, bundle: 'recorded' }, compiled.produce(), ['build']);
    const again = openCodeCache(file, readBundle(bundle), 'v20.0.0', 'x64');
    expect(again.key.bundle).toBe('recorded');
    expect(again.cached?.commands).toEqual(['build']);
    expect(restat(again.cached, again.key)).toBe(false);
    // Rewritten (same size, its time set apart from the write's): a new stat, so the hash is taken again, and the cache is not this bundle's.
    writeFileSync(bundle, source.replace('6 * 7', '7 * 6'));
    utimesSync(bundle, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const changed = openCodeCache(file, readBundle(bundle), 'v20.0.0', 'x64');
    expect(changed.key.bundle).toBe(cacheKey(Buffer.from(source.replace('6 * 7', '7 * 6')), 'v20.0.0', 'x64').bundle);
    expect(changed.cached).toBeUndefined();
  });

  it('is left alone, silently, where it cannot be written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-code-cache-'));
    dirs.push(dir);
    expect(() => writeCodeCache(join(dir, 'missing', 'bundle.cjs.cache'), cacheKey(Buffer.from(source), 'v20.0.0', 'x64'), Buffer.from('x'), [])).not.toThrow();
  });

  it('the real cg runs the same with a damaged cache, and writes a good one again', () => {
    const cacheFile = join(dirname(distCli), 'cli.cjs.cache');
    const version = execFileSync(process.execPath, [distCli, '--version'], { encoding: 'utf8' });
    // Replaced by rename, as cg writes it: other tests may be starting cg at this moment.
    const damaged = `${cacheFile}.test-${process.pid}.tmp`;
    writeFileSync(damaged, '{"version":1}\ngarbage');
    renameSync(damaged, cacheFile);
    const result = execFileSync(process.execPath, [distCli, '--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(result).toBe(version);
    const header = readFileSync(cacheFile).toString('utf8').split('\n', 1)[0] ?? '';
    expect(JSON.parse(header)).toMatchObject({ version: 1, node: process.version, arch: process.arch });
  });

  it('each vendor file (zod, yargs, diff) runs from a code cache of its own: a damaged one is passed over and written again', () => {
    // cg --help loads yargs.
    const cacheFile = join(dirname(distCli), 'vendor', 'yargs.cjs.cache');
    const help = execFileSync(process.execPath, [distCli, '--help'], { encoding: 'utf8' });
    expect(JSON.parse(readFileSync(cacheFile).toString('utf8').split('\n', 1)[0] ?? '')).toMatchObject({ version: 1, commands: ['vendor'] });
    const damaged = `${cacheFile}.test-${process.pid}.tmp`;
    writeFileSync(damaged, '{"version":1}\ngarbage');
    renameSync(damaged, cacheFile);
    expect(execFileSync(process.execPath, [distCli, '--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe(help);
    expect(JSON.parse(readFileSync(cacheFile).toString('utf8').split('\n', 1)[0] ?? '')).toMatchObject({ version: 1, node: process.version, arch: process.arch, commands: ['vendor'] });
  });
});
