import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cg, distCli, makeProject, snapshotTree, type TestProject } from './helpers/project.ts';

const question = 'Build anyway, without those elements? [y/N] ';
const capWarning =
  '! SEQ05 lists 5 elements but the model takes 3 with a start frame: dropping neon_car, neon_sign (plan order is the priority; they are described in the prompt instead)';

/**
 * Runs the bundled `cg` on a pseudo-terminal (util-linux `script` gives it a tty for stdin
 * and stdout, as a terminal would), types `answer` once the question is on the screen, and
 * returns the exit code and the screen's text as a person reads it.
 */
async function atTerminal(project: TestProject, args: string[], answer: string): Promise<{ code: number; screen: string }> {
  const command = [process.execPath, distCli, ...args].map((word) => `'${word}'`).join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], { cwd: project.root, stdio: ['pipe', 'pipe', 'inherit'] });
  let raw = '';
  let answered = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    raw += chunk;
    if (!answered && stripVTControlCharacters(raw).includes(question)) {
      answered = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject); // no `script` (util-linux) on this machine
    child.on('close', (exit) => resolve(exit ?? 1));
  });
  child.stdin.end();
  expect(answered, `the question never showed; the screen was:\n${raw}`).toBe(true);
  return { code, screen: stripVTControlCharacters(raw).replaceAll('\r', '') };
}

/** The demo with SEQ05's grid made and a cell picked: its take is next, with 5 elements for a cap of 3. */
async function pickedSeq05(): Promise<TestProject> {
  const project = await makeProject();
  expect((await cg(project, ['build', 'SEQ05'])).code).toBe(0);
  expect((await cg(project, ['pick', 'SEQ05', '--cell', '1'])).code).toBe(0);
  return project;
}

describe('the element-cap question on a terminal', () => {
  it.each([
    ['n', 'n'],
    ['Enter alone', ''],
  ])('answering %s builds nothing and pays nothing', async (_, answer) => {
    const project = await pickedSeq05();
    const before = { takes: await snapshotTree(project.path('takes')), state: await snapshotTree(project.path('state')) };

    const run = await atTerminal(project, ['build', 'SEQ05'], answer);

    expect(run.code).toBe(2);
    expect(run.screen).toBe(`${capWarning}\n${question}${answer}\ncg: nothing was built.\n`);
    expect({ takes: await snapshotTree(project.path('takes')), state: await snapshotTree(project.path('state')) }).toEqual(before);
  });

  it('answering y builds the take without the dropped elements, and says so', async () => {
    const project = await pickedSeq05();

    const run = await atTerminal(project, ['build', 'SEQ05'], 'y');

    expect(run.code).toBe(0);
    expect(run.screen).toContain(`${capWarning}\n${question}y\n`);
    expect(run.screen.split(capWarning)).toHaveLength(2); // the warning is shown once, with the question
    expect(run.screen).toMatch(/✓ SEQ05:take .*→ takes\/SEQ05\/SEQ05_take001\.\w+\n/);
    expect(run.screen).toMatch(/Built 2 nodes in .*, reused 2, 0 waiting, 0 failed\./);
    expect((await readdir(project.path('takes', 'SEQ05'))).filter((name) => name.startsWith('SEQ05_take'))).toHaveLength(1);
  });
});
