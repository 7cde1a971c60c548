/**
 * The helper process of spawner.ts, as source text run with `node -e`: it starts programs for
 * the build process and reports how they ended.
 *
 * Plain JavaScript in a string, not a module of the bundle: it must run in a bare Node with
 * nothing loaded (a small process forks fast, which is its whole point), from the bundle and
 * from the TypeScript sources the tests import alike.
 *
 * Messages in both directions are frames: two uint32 LE lengths (header, body), a JSON header,
 * then the body's bytes.
 *   in:  {op:'run', id, file, args, input}  body = the program's stdin (when input is true)
 *        {op:'kill', id}                    SIGTERM to that program
 *   out: {id, pid}                          the program started (or {id, pid:null} it did not)
 *        {id, code, signal, error, stdoutLength}  body = its stdout then its stderr
 * End of stdin (the build process is gone or done): every program still running is killed, and
 * the helper exits. Ctrl-C reaches the whole process group: the build process decides what
 * stops, so the helper ignores SIGINT.
 */
export const spawnerProgram = `// clipgraph: starts ffmpeg for a build (src/media/spawner-program.ts)
'use strict';
const { spawn } = require('node:child_process');
const running = new Map();
function send(header, body) {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(head.length, 0);
  prefix.writeUInt32LE(body.length, 4);
  process.stdout.write(Buffer.concat([prefix, head, body]));
}
function start(header, input) {
  const id = header.id;
  let child;
  try {
    child = spawn(header.file, header.args, { stdio: [header.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  } catch (error) {
    send({ id, pid: null }, Buffer.alloc(0));
    send({ id, code: null, signal: null, error: String(error && error.message), stdoutLength: 0 }, Buffer.alloc(0));
    return;
  }
  send({ id, pid: child.pid === undefined ? null : child.pid }, Buffer.alloc(0));
  running.set(id, child);
  const out = [];
  const errs = [];
  let failure = null;
  child.stdout.on('data', (chunk) => out.push(chunk));
  child.stderr.on('data', (chunk) => errs.push(chunk));
  child.on('error', (error) => { failure = failure === null ? String(error.message) : failure; });
  child.on('close', (code, signal) => {
    running.delete(id);
    const stdout = Buffer.concat(out);
    send({ id, code, signal, error: failure, stdoutLength: stdout.length }, Buffer.concat([stdout, Buffer.concat(errs)]));
  });
  if (child.stdin) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  }
}
// A frame arrives in many small reads: they are kept apart and joined once the frame is whole
// (joining each read to the last would copy a frame over and over).
const chunks = [];
let buffered = 0;
let needed = 8;
process.stdin.on('data', (chunk) => {
  chunks.push(chunk);
  buffered += chunk.length;
  while (buffered >= needed) {
    let pending = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    chunks.length = 0;
    while (pending.length >= 8) {
      const headLength = pending.readUInt32LE(0);
      const bodyLength = pending.readUInt32LE(4);
      needed = 8 + headLength + bodyLength;
      if (pending.length < needed) break;
      const header = JSON.parse(pending.subarray(8, 8 + headLength).toString('utf8'));
      const body = pending.subarray(8 + headLength, needed);
      pending = pending.subarray(needed);
      needed = 8;
      if (header.op === 'run') start(header, body);
      else if (header.op === 'kill') running.get(header.id)?.kill('SIGTERM');
    }
    if (pending.length > 0) chunks.push(pending);
    buffered = pending.length;
  }
});
function stop() {
  for (const child of running.values()) child.kill('SIGKILL');
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdout.on('error', stop);
process.on('SIGINT', () => undefined);
`;
