// yargs imports two functions from node:assert; loading that module (and the stream
// and colour machinery it pulls in) costs ~18 ms at every start, so the bundle gets these.
export function strictEqual(actual, expected, message) {
  if (actual !== expected) throw new Error(message ?? `expected ${String(expected)}, got ${String(actual)}`);
}
export function notStrictEqual(actual, expected, message) {
  if (actual === expected) throw new Error(message ?? `did not expect ${String(actual)}`);
}
