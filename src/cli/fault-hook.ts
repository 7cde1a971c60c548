import { faultPoints, isFaultPoint, noFaults, type Faults } from '../util/faults.ts';

/**
 * CG_FAULT=<point>[:<n>], for the crash harness only (test/crash.test.ts): `kill` runs the
 * n-th time (default the first) the build reaches that point. Unset, nothing happens.
 * Returns a sentence for a person when the value names no point.
 */
export function faultHook(spec: string | undefined, kill: () => void): Faults | string {
  if (spec === undefined || spec === '') return noFaults;
  const match = /^([a-z:-]+?)(?::(\d+))?$/.exec(spec);
  const point = match?.[1] ?? '';
  if (!isFaultPoint(point)) return `CG_FAULT=${spec} names no fault point (it is for the crash tests only); the points are: ${faultPoints.join(', ')}`;
  const nth = Number(match?.[2] ?? '1');
  let seen = 0;
  return (reached) => {
    if (reached === point && ++seen === nth) kill();
  };
}
