/**
 * Runs the fake providers by hand, for trying `cg` against them without paying:
 *
 *   esbuild test/fakes/cli.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/fakes.mjs
 *   node dist/fakes.mjs [--port 8787] [--polls 1] [--max-references 7]
 *
 * The `export …` lines go to stdout (so `node dist/fakes.mjs > fakes.env &` then `. ./fakes.env`
 * works); one line per request goes to stderr. Ctrl-C (SIGINT) or SIGTERM stops it.
 */
import { parseArgs } from 'node:util';
import { startFakeProviders, type RequestEvent } from './server.ts';

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be a whole number ≥ 0 (got ${value})`);
  return n;
}

function logLine(r: RequestEvent): string {
  const status = r.status === 0 ? 'reset' : String(r.status);
  return `${new Date().toISOString()} ${r.method} ${r.path} → ${status} [${r.route}]`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      polls: { type: 'string' },
      'max-references': { type: 'string' },
    },
  });
  const fake = await startFakeProviders({
    port: wholeNumber('port', values.port, 8787),
    jobPolls: wholeNumber('polls', values.polls, 1),
    maxReferences: wholeNumber('max-references', values['max-references'], 7),
  });
  process.stdout.write(`export CG_FAL_URL=${fake.env.CG_FAL_URL}\nexport CG_GEMINI_URL=${fake.env.CG_GEMINI_URL}\nexport FAL_KEY=fake GEMINI_API_KEY=fake\n`);
  process.stderr.write(`fake fal + Gemini listening on ${fake.origin} (Ctrl-C to stop)\n`);
  fake.onRequest((r) => process.stderr.write(`${logLine(r)}\n`));
  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`fakes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
