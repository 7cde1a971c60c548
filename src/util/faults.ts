/**
 * Crash points for the test harness (CG_FAULT=<point>:<n>, read only by the CLI): the
 * code calls `faults(point)` at each step of the journal, and the harness's hook kills the
 * process there. Outside that harness the hook does nothing.
 */
export const faultPoints = [
  // A paid take, step by step (executor and journal).
  'registered', // the take is in its record; nothing was sent
  'submitting', // the submit is marked as under way; nothing was sent yet
  'accepted', // fal accepted the submit; its request id is not journaled yet
  'journaled', // the request id is in the record
  'polling', // a status poll of the queued job answered
  'result-url', // the result's URL arrived (and is journaled); nothing downloaded
  'mid-download', // part of the result's bytes arrived
  'landed', // the result's bytes are on disk, named by the node's key
  'blob-stored', // the bytes are in the blob store; no record says so yet
  'action-stored', // the action cache holds the result; the take is not complete yet
  'recorded', // the take is complete; the cost ledger has no line for it yet
  // Mid-write of each state file: half of the bytes are written.
  'write:record',
  'write:decisions',
  'write:sequences',
  'write:built',
  'write:actions',
  'write:material',
  'write:costs',
  'write:take',
  'write:blob',
  'write:landing',
  'write:stat-cache',
] as const;

export type FaultPoint = (typeof faultPoints)[number];
export type Faults = (point: FaultPoint) => void;

export const noFaults: Faults = () => {};

export function isFaultPoint(name: string): name is FaultPoint {
  return (faultPoints as readonly string[]).includes(name);
}
