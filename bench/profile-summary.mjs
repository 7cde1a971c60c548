// Summarises a V8 CPU profile (node --cpu-prof) by self time, mapped back to src/ through
// dist's source maps:
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof /path/to/dist/cg.cjs build   (in a project root)
//   node bench/profile-summary.mjs /tmp/prof/CPU.*.cpuprofile [top=25]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { basename, relative } from 'node:path';

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const repo = fileURLToPath(new URL('..', import.meta.url));

const maps = new Map();
function sourceMapFor(url) {
  if (!maps.has(url)) {
    let map = null;
    try {
      const path = url.startsWith('file://') ? fileURLToPath(url) : url;
      if (existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

function where(frame) {
  const { url, lineNumber, columnNumber } = frame;
  if (url === '') return '(native)';
  const map = sourceMapFor(url);
  if (map !== null) {
    const entry = map.findEntry(lineNumber, columnNumber);
    if (entry?.originalSource !== undefined) {
      const source = entry.originalSource.replace(/^file:\/\//, '');
      const shown = source.includes('node_modules') ? source.slice(source.lastIndexOf('node_modules/')) : relative(repo, source.startsWith('/') ? source : new URL(source, url).pathname);
      return `${shown}:${entry.originalLine + 1}`;
    }
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const shown = path.includes('node_modules') ? path.slice(path.lastIndexOf('node_modules/')) : path.startsWith('node:') ? path : basename(path);
  return `${shown}:${lineNumber + 1}`;
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const grouped = new Map();
const byFile = new Map();
for (const [id, us] of selfUs) {
  const frame = byId.get(id).callFrame;
  const at = where(frame);
  const key = `${frame.functionName || '(anonymous)'}  ${at}`;
  grouped.set(key, (grouped.get(key) ?? 0) + us);
  const fileKey = at.startsWith('node_modules/') ? at.split('/').slice(0, at.split('/')[1].startsWith('@') ? 3 : 2).join('/') : at.replace(/:\d+$/, '');
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
}
const rows = [...grouped].sort((a, b) => b[1] - a[1]).slice(0, top);
process.stdout.write(`${basename(file)}: ${(totalUs / 1000).toFixed(0)} ms sampled; top ${rows.length} by self time\n`);
for (const [key, us] of rows) {
  process.stdout.write(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${key}\n`);
}
const files = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12);
process.stdout.write(`\nby file (node_modules by package):\n`);
for (const [key, us] of files) {
  process.stdout.write(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${key}\n`);
}
