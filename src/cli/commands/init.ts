import { access, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findConfig, loadConfig } from '../../plan/load-config.ts';
import { CgFailure, type ExitCode } from '../../util/errors.ts';
import type { Io } from '../io.ts';
import { must } from '../workspace.ts';

export interface InitArgs {
  name: string;
}

/** The templates folder beside the bundled CLI (dist/) or the sources (src/cli/commands). */
async function templatesDir(): Promise<string> {
  for (const candidate of ['../templates', '../../../templates']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    try {
      await access(join(dir, 'project', 'plan.json'));
      return dir;
    } catch {
      // try the next layout
    }
  }
  throw new Error('the project template is missing from this clipgraph install');
}

/** Creates projects/NAME from the template (and a pipeline.config.ts if there is none yet). */
export async function initCommand(io: Io, args: InitArgs): Promise<ExitCode> {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(args.name)) {
    throw new CgFailure({ kind: 'usage', message: `"${args.name}" cannot be a project name: use lower-case letters, digits, "-" and "_" (it becomes a folder name)` });
  }
  const templates = await templatesDir();
  const found = findConfig(io.cwd);
  let root = io.cwd;
  let projectsDir = 'projects';
  if (found === undefined) {
    const text = (await readFile(join(templates, 'pipeline.config.ts'), 'utf8')).replace('__PROJECT__', args.name);
    await writeFile(join(root, 'pipeline.config.ts'), text, { flag: 'wx' });
    io.stdout.write('Created pipeline.config.ts (providers: sim, offline and free).\n');
  } else {
    root = found.root;
    projectsDir = must(await loadConfig({ file: found.file, root: found.root, displayName: relative(found.root, found.file), cacheFile: undefined, cacheTag: io.cacheTag })).projectsDir;
  }
  const dir = join(root, projectsDir, args.name);
  const exists = await access(dir).then(() => true, () => false);
  if (exists) throw new CgFailure({ kind: 'usage', message: `${relative(io.cwd, dir) || dir} already exists: choose another name` });
  await mkdir(join(root, projectsDir), { recursive: true });
  await cp(join(templates, 'project'), dir, { recursive: true, errorOnExist: true, force: false });
  const rel = relative(io.cwd, dir) || '.';
  io.stdout.write(
    `Created ${rel}: plan.json (2 sequences), bible.json (1 character), refs/characters/hero/.\nNext: cg build --project ${args.name} --dry-run, then cg build --project ${args.name}.\n`,
  );
  return 0;
}
