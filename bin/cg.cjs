#!/usr/bin/env node
// The published entry point: runs the bundled CLI (npm ci / npm run build creates dist/).
// CommonJS: an ES module entry point would start Node's ES module loader on every command.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const boot = join(__dirname, '..', 'dist', 'cg.cjs');
if (!existsSync(boot)) {
  process.stderr.write('cg: dist/cg.cjs is missing; run `npm run build` in the clipgraph folder first.\n');
  process.exit(2);
}
require(boot);
