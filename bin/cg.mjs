#!/usr/bin/env node
// Kept for whatever still runs bin/cg.mjs: the entry point is bin/cg.cjs (a CommonJS entry
// point starts faster; this one costs the ES module loader first).
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./cg.cjs');
