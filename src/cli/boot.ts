import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileBundle, openCodeCache, readBundle, restat, shouldWrite, writeCodeCache } from './code-cache.ts';
import { lazyBuiltins } from './lazy-require.ts';

/**
 * dist/cg.cjs: runs the CLI bundle (dist/cli.cjs, one CommonJS file) with V8's code cache
 * beside it, so each start skips compiling it. A stale, damaged or missing cache only costs
 * that compile once; the cache is written again at exit. `cg build` runs dist/noop.cjs first
 * (src/cli/noop.ts), which serves a no-op build without the rest of the CLI, or hands over.
 *
 * CommonJS, not an ES module: Node 20 starts its ES module loader for an .mjs entry point,
 * and that costs every command time that does nothing for it.
 */
/** Built-in modules Node's own start has loaded: the bundle gets them as they are, the others when first used. */
const loaded = new Set(['node:fs', 'node:path', 'node:url']);
const commands = new Set(['build', 'status', 'watch', 'cost', 'explain', 'takes', 'pick', 'grid', 'approve', 'reject', 'final', 'init', 'schemas', 'serve']);

/**
 * The cache a run uses: each command its own (`build --dry-run` apart from the no-op build it
 * is not), and `cli.cjs.cache` for the rest (--version, --help, …). Every start loads its whole
 * cache, so each loads only the code its command runs.
 */
function cacheFor(bundle: string, argv: readonly string[]): { command: string; file: string } {
  const first = argv[0] ?? '';
  const command = !commands.has(first) ? 'other' : first === 'build' && argv.includes('--dry-run') ? 'build-dry-run' : first;
  return { command, file: command === 'other' ? `${bundle}.cache` : `${bundle}.${command}.cache` };
}

interface BundleExports {
  runNotes?: () => { path: string | undefined; everyday: boolean };
  serveNoop?: (argv: readonly string[]) => Promise<boolean>;
}

/** Runs one bundle of dist/ (its top level) from its code cache, which is written again at exit when it should be. */
function run(bundle: string, command: string, cacheFile: string): BundleExports {
  const read = readBundle(bundle);
  const { key, cached } = openCodeCache(cacheFile, read, process.version, process.arch);
  const compiled = compileBundle(read.bytes.toString('utf8'), bundle, cached?.data);
  const module: { exports: BundleExports } = { exports: {} };
  // Written at exit, when the run has said which path it took and whether that was its command's everyday one (code-paths.ts).
  process.on('exit', () => {
    const notes = module.exports.runNotes?.() ?? { path: undefined, everyday: true };
    if (!notes.everyday) return;
    const path = notes.path ?? command;
    if (!shouldWrite(cached, compiled.fromCache, path) && !restat(cached, key)) return;
    const covered = compiled.fromCache && cached !== undefined ? cached.commands : [];
    writeCodeCache(cacheFile, key, compiled.produce(), [...new Set([...covered, path])]);
  });
  compiled.run([module.exports, lazyBuiltins(createRequire(bundle), loaded), module, bundle, __dirname, pathToFileURL(bundle).href]);
  return module.exports;
}

function boot(): void {
  const argv = process.argv.slice(2);
  const bundle = join(__dirname, 'cli.cjs');
  const { command, file } = cacheFor(bundle, argv);
  const cli = (): void => void run(bundle, command, file);
  if (command !== 'build') return cli();
  // A no-op build is served by the small bundle (src/cli/noop.ts); anything else goes on to the CLI.
  const noop = join(__dirname, 'noop.cjs');
  const served = run(noop, 'build', `${noop}.cache`).serveNoop?.(argv) ?? Promise.resolve(false);
  served.then(
    (done) => (done ? undefined : cli()),
    () => cli(),
  );
}

boot();
