import { describe, expect, it } from 'vitest';
import { chooseReporter, wantsColour, type ReporterChoice, type ReporterEnv } from '../src/reporters/choose.ts';

describe('chooseReporter', () => {
  const rows: Array<[string, { json: boolean; ndjson: boolean; isTTY: boolean; env: ReporterEnv }, ReporterChoice]> = [
    ['a terminal', { json: false, ndjson: false, isTTY: true, env: { TERM: 'xterm-256color' } }, 'tty'],
    ['a terminal with no TERM set', { json: false, ndjson: false, isTTY: true, env: {} }, 'tty'],
    ['a terminal under NO_COLOR (colour off, display kept)', { json: false, ndjson: false, isTTY: true, env: { TERM: 'xterm', NO_COLOR: '1' } }, 'tty'],
    ['a pipe', { json: false, ndjson: false, isTTY: false, env: { TERM: 'xterm' } }, 'plain'],
    ['a terminal in CI', { json: false, ndjson: false, isTTY: true, env: { TERM: 'xterm', CI: 'true' } }, 'plain'],
    ['a terminal with CI=1', { json: false, ndjson: false, isTTY: true, env: { CI: '1' } }, 'plain'],
    ['a terminal with CI=false', { json: false, ndjson: false, isTTY: true, env: { CI: 'false' } }, 'tty'],
    ['a terminal with CI=0', { json: false, ndjson: false, isTTY: true, env: { CI: '0' } }, 'tty'],
    ['a terminal with CI empty', { json: false, ndjson: false, isTTY: true, env: { CI: '' } }, 'tty'],
    ['a dumb terminal', { json: false, ndjson: false, isTTY: true, env: { TERM: 'dumb' } }, 'plain'],
    ['--json on a terminal', { json: true, ndjson: false, isTTY: true, env: { TERM: 'xterm' } }, 'json'],
    ['--json piped in CI', { json: true, ndjson: false, isTTY: false, env: { CI: 'true' } }, 'json'],
    ['--ndjson on a terminal', { json: false, ndjson: true, isTTY: true, env: { TERM: 'xterm' } }, 'ndjson'],
    ['--ndjson piped in CI', { json: false, ndjson: true, isTTY: false, env: { CI: 'true', TERM: 'dumb' } }, 'ndjson'],
    ['--json and --ndjson: the stable document wins', { json: true, ndjson: true, isTTY: true, env: {} }, 'json'],
  ];
  it.each(rows)('%s', (_, flags, choice) => {
    expect(chooseReporter(flags)).toBe(choice);
  });

  it('in every combination: flags decide first, and only a capable interactive terminal gets the live display', () => {
    const bools = [false, true];
    for (const json of bools)
      for (const ndjson of bools)
        for (const isTTY of bools)
          for (const CI of [undefined, '', 'true', 'false'])
            for (const TERM of [undefined, 'xterm', 'dumb'])
              for (const NO_COLOR of [undefined, '', '1']) {
                const env = { CI, TERM, NO_COLOR };
                const choice = chooseReporter({ json, ndjson, isTTY, env });
                const where = JSON.stringify({ json, ndjson, isTTY, env });
                if (json) expect(choice, where).toBe('json');
                else if (ndjson) expect(choice, where).toBe('ndjson');
                else expect(choice, where).toBe(isTTY && CI !== 'true' && TERM !== 'dumb' ? 'tty' : 'plain');
                // NO_COLOR never changes the choice, only the colours.
                expect(chooseReporter({ json, ndjson, isTTY, env: { CI, TERM } }), where).toBe(choice);
              }
  });
});

describe('wantsColour', () => {
  it('follows no-color.org: NO_COLOR set and not empty turns colour off', () => {
    expect(wantsColour({})).toBe(true);
    expect(wantsColour({ NO_COLOR: '' })).toBe(true);
    expect(wantsColour({ NO_COLOR: '1' })).toBe(false);
    expect(wantsColour({ NO_COLOR: 'false' })).toBe(false);
  });
});
