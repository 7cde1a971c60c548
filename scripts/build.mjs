// Bundles the CLI into dist/cg.mjs: one file starts faster than hundreds of modules.
// Heavy or native packages stay external and are imported lazily where used.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const external = ['sharp', '@ffmpeg-installer/ffmpeg', 'jiti', '@fal-ai/client', '@google/genai', 'listr2', 'chokidar', 'jsonc-parser'];
// Stale chunks from earlier builds would linger beside the new ones.
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cg: 'src/cli/main.ts', ...(existsSync('test/fakes/cli.ts') ? { fakes: 'test/fakes/cli.ts' } : {}) },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  alias: { assert: './scripts/assert-shim.mjs', 'string-width': './scripts/string-width-shim.mjs' },
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  define: { CG_VERSION: JSON.stringify(version), CG_BUILD_ID: JSON.stringify(`${version}+${Date.now().toString(36)}`) },
  banner: { js: "import { createRequire as __cgCreateRequire } from 'node:module'; const require = __cgCreateRequire(import.meta.url);" },
});
