import { describe, expect, it } from 'vitest';
import { createReporter } from '../src/reporters/choose.ts';
import { bufferStream, buildEvents, fakeClock } from './reporters-fixture.ts';

describe('the plain reporter (piped output, CI)', () => {
  it('prints a line per step of a whole build, with no escape codes, and nothing for planned, reused or summary', async () => {
    const stdout = bufferStream();
    const stderr = bufferStream();
    const reporter = await createReporter('plain', { stdout, stderr, env: { CI: 'true' }, clock: fakeClock().clock });
    for (const event of buildEvents) reporter.listen(event);
    await reporter.close();
    expect(stdout.text + stderr.text).not.toMatch(/\x1b\[/);
    expect(stdout.text).toBe(
      [
        '  … SEQ02:elements running',
        '  ✓ SEQ02:elements 12 ms',
        '  … SEQ02:take running',
        '  ⋯ SEQ02:take submitted as req-7',
        // The repeated position 3 from the status stream is shown once.
        '  ⋯ SEQ02:take queued (position 3)',
        '  ⋯ SEQ02:take queued (position 1)',
        '  … SEQ03:take running',
        '  ⋯ SEQ02:take generating',
        '  ✓ SEQ02:take 72.0 s  $1.26  → takes/SEQ02/SEQ02_take002.mp4',
        '',
      ].join('\n'),
    );
    expect(stderr.text).toBe('  ! the fal queue is slow today\n  ✗ SEQ03:take: 422: the prompt was blocked\n');
  });

  it('--json keeps stdout for the document: only warnings and failures, on stderr', async () => {
    const stdout = bufferStream();
    const stderr = bufferStream();
    const reporter = await createReporter('json', { stdout, stderr, env: {}, clock: fakeClock().clock });
    for (const event of buildEvents) reporter.listen(event);
    await reporter.close();
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('cg: warning: the fal queue is slow today\ncg: SEQ03:take failed: 422: the prompt was blocked\n');
  });
});
