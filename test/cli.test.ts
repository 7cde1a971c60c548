import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../src/plan/json-schemas.ts';
import { buildJson, cg, distCli, makeProject, ran, repoRoot } from './helpers/project.ts';

describe('the command line', () => {
  it('keeps schemas/*.schema.json in sync with the zod schemas (npm run schemas regenerates them)', async () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const onDisk = JSON.parse(await readFile(join(repoRoot, 'schemas', name), 'utf8')) as unknown;
      expect(onDisk, `${name} is stale: run npm run schemas`).toEqual(schema);
    }
    const plan = JSON.parse(await readFile(join(repoRoot, 'projects', 'demo', 'plan.json'), 'utf8')) as { $schema: string };
    expect(plan.$schema).toBe('../../schemas/plan.schema.json');
  });

  it('prints its version and answers --help on every command with examples', () => {
    const version = execFileSync(process.execPath, [distCli, '--version'], { encoding: 'utf8' });
    const pkg = JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: repoRoot, encoding: 'utf8' })) as { version: string };
    expect(version.trim()).toBe(pkg.version);
    for (const command of ['build', 'watch', 'cut', 'status', 'explain', 'pick', 'grid', 'takes', 'approve', 'reject', 'final', 'cost', 'serve', 'init']) {
      const help = execFileSync(process.execPath, [distCli, command, '--help'], { encoding: 'utf8' });
      expect(help, command).toContain('Examples:');
      expect(help, command).toContain('--project');
    }
  });

  it('serves a no-op build from the small bundle (dist/noop.cjs), printing what the whole CLI prints', async () => {
    const project = await makeProject();
    const run = (args: string[]): string => execFileSync(process.execPath, [distCli, ...args], { cwd: project.root, encoding: 'utf8' });
    const withoutTimes = (text: string): string => text.replace(/"(at|durationMs)":("[^"]*"|\d+),?/g, '');
    const noopCache = join(dirname(distCli), 'noop.cjs.cache');
    run(['build']);
    for (const flags of [[], ['--json'], ['--ndjson']]) {
      await rm(project.path('.cg', 'noop.memo'), { force: true });
      const planned = run(['build', ...flags]); // no memo: the small bundle hands over, the CLI plans and writes one
      await rm(noopCache, { force: true });
      const served = run(['build', ...flags]);
      expect(withoutTimes(served)).toBe(withoutTimes(planned));
      // Written again by the small bundle, after a run it served.
      expect(existsSync(noopCache) && readFileSync(noopCache, 'utf8').split('\n', 1)[0]).toContain('"commands":["build:memo"]');
    }
  });

  it('refuses a number an option does not take (a mistyped --max-cost is not "no limit"), before anything runs', async () => {
    const project = await makeProject();
    for (const [args, message] of [
      [['build', '--max-cost', 'lots'], '--max-cost takes an amount of US dollars, 0 or more'],
      [['build', '--max-cost=-5'], '--max-cost takes an amount of US dollars, 0 or more'],
      [['build', '--jobs', '0'], '--jobs takes a whole number of 1 or more'],
      [['watch', '--auto-spend', 'x'], '--auto-spend takes an amount of US dollars, 0 or more'],
      [['serve', '--port', '70000'], '--port takes a port number from 0 to 65535'],
    ] as const) {
      const run = await cg(project, [...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(`cg: ${message}`);
    }
    expect(existsSync(project.path('takes'))).toBe(false);
  });

  it('cg init makes a new project that builds offline', async () => {
    const project = await makeProject();
    const init = await cg(project, ['init', 'acme']);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('Created projects/acme');
    const built = await buildJson(project, ['--project', 'acme']);
    expect(built.code).toBe(0);
    expect(ran(built.nodes)).toEqual(['SEQ01:elements', 'SEQ01:grid', 'SEQ02:elements', 'SEQ02:take']);
    const again = await cg(project, ['init', 'acme']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('approve, reject and final are decisions; a final sequence does not spend on plan edits', async () => {
    const project = await makeProject();
    await buildJson(project);
    expect((await cg(project, ['approve', 'SEQ04'])).stdout).toContain('approved SEQ04_take001');
    expect((await cg(project, ['final', 'SEQ04'])).code).toBe(0);
    await project.editJson<{ sequences: Array<{ shots: Array<{ prompt: string }> }> }>('plan.json', (plan) => {
      const shot = plan.sequences[3]?.shots[0];
      if (shot !== undefined) shot.prompt += ' at night';
    });
    const frozen = await buildJson(project);
    expect(ran(frozen.nodes)).toEqual([]);
    expect(frozen.nodes.find((n) => n.id === 'SEQ04:take')?.reason).toContain('SEQ04 is final');
    const status = JSON.parse((await cg(project, ['status', 'SEQ04', '--json'])).stdout) as { sequences: Array<{ state: string }> };
    expect(status.sequences[0]?.state).toBe('final');
    expect((await cg(project, ['final', 'SEQ04', '--reopen'])).code).toBe(0);
    expect(ran((await buildJson(project)).nodes)).toEqual(['SEQ04:take']);
    const reject = await cg(project, ['reject', 'SEQ04', '--take', '9']);
    expect(reject.code).toBe(2);
    expect(reject.stderr).toContain('SEQ04 has no take 9; it has SEQ04_take001, SEQ04_take002');
  });
});
