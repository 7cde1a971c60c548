import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileBundle, openCodeCache, readBundle, restat, shouldWrite, writeCodeCache } from './code-cache.ts';
import { lazyBuiltins } from './lazy-require.ts';

/**
 * dist/cg.cjs: runs the CLI bundle (dist/cli.cjs, one CommonJS file) with V8's code cache
 * beside it, so each start skips compiling it. A stale, damaged or missing cache only costs
 * that compile once; the cache is written again at exit.
 *
 * CommonJS, not an ES module: Node 20 starts its ES module loader for an .mjs entry point,
 * and that costs every command time that does nothing for it.
 */
/** Built-in modules Node's own start has loaded: the bundle gets them as they are, the others when first used. */
const loaded = new Set(['node:fs', 'node:path', 'node:url']);
const commands = new Set(['build', 'status', 'watch', 'cost', 'explain', 'takes', 'pick', 'grid', 'approve', 'reject', 'final', 'init', 'schemas', 'serve']);

function boot(): void {
  const bundle = join(__dirname, 'cli.cjs');
  const cacheFile = `${bundle}.cache`;
  const read = readBundle(bundle);
  const { key, cached } = openCodeCache(cacheFile, read, process.version, process.arch);
  const compiled = compileBundle(read.bytes.toString('utf8'), bundle, cached?.data);
  const first = process.argv[2] ?? '';
  const command = commands.has(first) ? first : 'other';
  const module: { exports: { runNotes?: () => { paths: readonly string[]; work: boolean } } } = { exports: {} };
  // At exit, what the run ran is known too (code-paths.ts): a new path writes the cache again, work does not.
  process.on('exit', () => {
    const notes = module.exports.runNotes?.() ?? { paths: [], work: false };
    if (notes.work) return;
    const paths = [command, ...notes.paths];
    if (!paths.some((path) => shouldWrite(cached, compiled.fromCache, path)) && !restat(cached, key)) return;
    const covered = compiled.fromCache && cached !== undefined ? cached.commands : [];
    writeCodeCache(cacheFile, key, compiled.produce(), [...new Set([...covered, ...paths])]);
  });
  compiled.run([module.exports, lazyBuiltins(createRequire(bundle), loaded), module, bundle, __dirname, pathToFileURL(bundle).href]);
}

boot();
