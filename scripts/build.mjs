// Bundles the CLI into one CommonJS file, dist/cli.cjs, run by dist/cg.cjs (src/cli/boot.ts) with
// V8's code cache kept beside it: one file compiled once starts faster than a graph of modules.
// A no-op cg build is served by a second, small one (dist/noop.cjs) when it can be.
// Both are CommonJS: an ES module entry point would start Node's ES module loader on every command.
// Heavy or native packages stay external and are required lazily where used.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const external = ['sharp', '@ffmpeg-installer/ffmpeg', 'jiti', '@fal-ai/client', '@google/genai', 'listr2', 'chokidar', 'jsonc-parser'];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external,
  alias: { assert: './scripts/assert-shim.mjs', 'string-width': './scripts/string-width-shim.mjs' },
  sourcemap: 'linked',
  legalComments: 'none',
  minifyWhitespace: true,
  logLevel: 'warning',
};
// Large libraries only some commands need, each its own CommonJS file beside the bundle: the
// bundle (and the code cache every start reads) stays the size of what a no-op build runs.
// Each file's exports are what a Node ESM import of the package sees as its default: yargs's
// function, or the namespace of zod and diff (whose named exports are used).
const vendors = { zod: 'require("zod")', yargs: 'require("yargs").default', diff: 'require("diff")' };
const vendorFiles = {
  name: 'vendor-files',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${Object.keys(vendors).join('|')})$`) }, (args) => ({ path: `./vendor/${args.path}.cjs`, external: true }));
  },
};
const define = { CG_VERSION: JSON.stringify(version), CG_BUILD_ID: JSON.stringify(`${version}+${Date.now().toString(36)}`) };
// Stale files from earlier builds would linger beside the new ones.
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await Promise.all([
  // The CLI, and the no-op build without the rest of it (src/cli/noop.ts, run first for cg
  // build). Lazy `import()`s become lazy `require()`s: code run from V8's code cache cannot use
  // import() (Node 20 loses its callback), and every external package can be required.
  ...[
    ['src/cli/main.ts', 'dist/cli.cjs'],
    ['src/cli/noop.ts', 'dist/noop.cjs'],
  ].map(([entry, outfile]) =>
    build({
      ...common,
      entryPoints: [entry],
      outfile,
      format: 'cjs',
      supported: { 'dynamic-import': false },
      define: { ...define, 'import.meta.url': '__cgUrl' },
      plugins: [vendorFiles],
      // Written inside the CommonJS wrapper the boot runs it in (src/cli/code-cache.ts, the same
      // text): the boot then compiles the file as it is read, without a copy of it to wrap.
      banner: { js: '(function (exports, require, module, __filename, __dirname, __cgUrl) {' },
      footer: { js: '})' },
    }),
  ),
  ...Object.entries(vendors).map(([name, expression]) =>
    build({
      ...common,
      stdin: { contents: `module.exports = ${expression};`, resolveDir: '.' },
      outfile: `dist/vendor/${name}.cjs`,
      format: 'cjs',
      sourcemap: false,
      define: { 'import.meta.url': '__cgUrl' },
      // Run by the boot from a code cache of its own, in the same wrapper as the bundle.
      banner: { js: '(function (exports, require, module, __filename, __dirname, __cgUrl) {' },
      footer: { js: '})' },
    }),
  ),
  // The entry point: reads the bundle and its code cache, and runs it.
  build({ ...common, entryPoints: ['src/cli/boot.ts'], outfile: 'dist/cg.cjs', format: 'cjs', sourcemap: false }),
  ...(existsSync('test/fakes/cli.ts')
    ? [
        build({
          ...common,
          entryPoints: ['test/fakes/cli.ts'],
          outfile: 'dist/fakes.mjs',
          format: 'esm',
          define,
          banner: { js: "import { createRequire as __cgCreateRequire } from 'node:module'; const require = __cgCreateRequire(import.meta.url);" },
        }),
      ]
    : []),
]);
