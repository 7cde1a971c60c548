import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileBundle, openCodeCache, readBundle, restat, shouldWrite, writeCodeCache } from './code-cache.ts';
import { lazyBuiltins, type BundleRequire } from './lazy-require.ts';

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

/**
 * Runs a file of dist/ (its top level, in the CommonJS wrapper) from its code cache. At exit the
 * cache is written again when `covers` names code the cache lacks (undefined: this run's code is
 * not worth caching), or when the file's stat changed.
 */
function runCached<E extends object>(file: string, cacheFile: string, require: BundleRequire, covers: (exports: E) => string | undefined): E {
  const read = readBundle(file);
  const { key, cached } = openCodeCache(cacheFile, read, process.version, process.arch);
  const compiled = compileBundle(read.bytes.toString('utf8'), file, cached?.data);
  const module: { exports: E } = { exports: {} as E };
  process.on('exit', () => {
    const path = covers(module.exports);
    if (path === undefined) return;
    if (!shouldWrite(cached, compiled.fromCache, path) && !restat(cached, key)) return;
    const covered = compiled.fromCache && cached !== undefined ? cached.commands : [];
    writeCodeCache(cacheFile, key, compiled.produce(), [...new Set([...covered, path])]);
  });
  compiled.run([module.exports, require, module, file, dirname(file), pathToFileURL(file).href]);
  return module.exports;
}

/**
 * The bundle's `require`: built-in modules loaded when first used (lazy-require.ts), and its
 * vendor files (dist/vendor/: zod, yargs, diff) each run from a code cache of its own, once.
 * Compiling zod alone costs a command that validates a plan about 25 ms.
 */
function bundleRequire(bundle: string): BundleRequire {
  const require = lazyBuiltins(createRequire(bundle), loaded);
  const vendors = new Map<string, unknown>();
  const load = (id: string): unknown => {
    if (!id.startsWith('./vendor/')) return require(id);
    const file = join(dirname(bundle), id);
    if (!vendors.has(file)) vendors.set(file, runCached<object>(file, `${file}.cache`, lazyBuiltins(createRequire(file), loaded), () => 'vendor'));
    return vendors.get(file);
  };
  return Object.assign(load, { resolve: require.resolve, cache: require.cache });
}

/** Runs one bundle of dist/ from its code cache; written again when the run took its command's everyday path (code-paths.ts). */
function run(bundle: string, command: string, cacheFile: string): BundleExports {
  return runCached<BundleExports>(bundle, cacheFile, bundleRequire(bundle), (exports) => {
    const notes = exports.runNotes?.() ?? { path: undefined, everyday: true };
    return notes.everyday ? (notes.path ?? command) : undefined;
  });
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
    // Served: exit at once, as the CLI does (src/cli/main.ts), with the code the no-op set.
    (done) => (done ? process.exit() : cli()),
    () => cli(),
  );
}

boot();
