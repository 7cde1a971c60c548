#!/usr/bin/env node
// The published entry point: runs the bundled CLI (npm ci / npm run build creates dist/).
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/cg.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('cg: dist/cg.mjs is missing; run `npm run build` in the clipgraph folder first.\n');
  process.exit(2);
}
await import(bundle.href);
