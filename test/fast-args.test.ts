import { describe, expect, it } from 'vitest';
import { fastArgs } from '../src/cli/fast-args.ts';

/** The everyday commands without yargs: what it parses, and everything it leaves to yargs. */
describe('the everyday parser', () => {
  it('reads cg build as yargs would', () => {
    expect(fastArgs(['build', 'SEQ02', 'SEQ04:take', '--dry-run', '-j', '4', '--max-cost=20', '--no-wait', '-p', 'demo', '--mode', 'individual', '--json'])).toEqual({
      command: 'build',
      args: { targets: ['SEQ02', 'SEQ04:take'], project: 'demo', dryRun: true, retake: false, jobs: 4, json: true, ndjson: false, wait: false, yes: false, maxCost: 20, resubmit: false, retryFailed: false, mode: 'individual', shotOverride: [] },
    });
    expect(fastArgs(['build'])).toMatchObject({ command: 'build', args: { targets: [], dryRun: false, wait: true, jobs: undefined, maxCost: undefined } });
  });

  it('reads cg status', () => {
    expect(fastArgs(['status', 'SEQ03', '--json', '--project=demo'])).toEqual({ command: 'status', args: { project: 'demo', sequences: ['SEQ03'], json: true } });
  });

  it('reads cg --version', () => {
    expect(fastArgs(['--version'])).toEqual({ command: 'version' });
  });

  it.each([
    [['build', '--help']],
    [['build', '-h']],
    [['--version', 'build']],
    [['build', '--bogus']],
    [['build', '--max-cost', 'lots']],
    [['build', '--jobs']],
    [['build', '--jobs', '0']],
    [['build', '-j', '1.5']],
    [['build', '--mode', 'sideways']],
    [['build', '--dry-run=false']],
    [['build', '--shot-override', '1:x']],
    [['build', '-p', 'a', '-p', 'b']],
    [['status', '--dry-run']],
    [['pick', 'SEQ03', '--cell', '2']],
    [['--project', 'demo', 'build']],
  ])('leaves %j to yargs', (argv) => {
    expect(fastArgs(argv)).toBeUndefined();
  });
});
