import type { Argv } from 'yargs';
import type { ExitCode } from '../util/errors.ts';
import type { Io } from './io.ts';
import { reportFailure } from './render-error.ts';
import { fastArgs } from './fast-args.ts';
import { numberFlagsProblem } from './number-flags.ts';

type Handler = () => Promise<ExitCode>;

const epilogue = 'Docs: the clipgraph README. Exit codes: 0 done, 1 a step failed, 2 bad input or usage, 130 interrupted.';

type Choose = (handler: Handler) => void;
type GlobalOptions = { project: string | undefined };

const project = { alias: 'p', type: 'string', describe: 'Project folder under projects/ (default: defaultProject in the config)' } as const;
const json = { type: 'boolean', default: false, describe: 'Print one JSON document on stdout and nothing else' } as const;

/** `cg build` and `cg watch`: the commands that run the graph. */
function buildCommands<T extends GlobalOptions>(y: Argv<T>, io: Io, choose: Choose) {
  return y
    .command(
      'build [targets..]',
      'Build what is out of date (every sequence, or the ones named)',
      (y) =>
        y
          .positional('targets', { type: 'string', array: true, describe: 'Sequences (SEQ08) or nodes (SEQ08:take, SEQ08:shot03)' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'Show what would run, why, and what it would cost; run and write nothing' })
          .option('retake', { type: 'boolean', default: false, describe: 'Make one more take with the same inputs (needs targets)' })
          .option('jobs', { alias: 'j', type: 'number', describe: 'Most nodes running at once (per-provider limits still apply)' })
          .option('json', json)
          .option('ndjson', { type: 'boolean', default: false, describe: 'Print one JSON event per line as the build goes (planned, started, queued, progress, finished, failed, summary)' })
          .option('wait', { type: 'boolean', default: true, describe: 'Wait for another cg command on this project (--no-wait fails instead)' })
          .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask before dropping elements over the cap' })
          .option('max-cost', { type: 'number', describe: 'Refuse to start (exit 2) if the estimate is above this many USD; stop submitting once spending reaches it' })
          .option('resubmit', { type: 'boolean', default: false, describe: 'Submit again a take whose earlier submit was interrupted (it may have been billed)' })
          .option('retry-failed', { type: 'boolean', default: false, describe: 'Try again nodes the provider refused last time with the same inputs (may be charged)' })
          .option('mode', { type: 'string', choices: ['individual', 'multi_shot'] as const, describe: "Make the named sequences' takes in this mode (a clip per shot, or one multi-shot call), without editing plan.json" })
          .option('shot-override', { type: 'string', array: true, default: [] as string[], describe: 'N:"prompt" (repeatable): this take with shot N\'s prompt replaced, without editing plan.json (one sequence)' })
          .example('cg build --max-cost 20', 'spend at most $20')
          .example('cg build', 'build every sequence that changed')
          .example('cg build SEQ08 --dry-run', 'what SEQ08 would cost, and why')
          .example('cg build SEQ08 --retake', 'another take of SEQ08 with the same prompts')
          .example('cg build SEQ02 --mode individual', 'a take of SEQ02 as one clip per shot')
          .example('cg build SEQ08 --shot-override 2:"…"', 'a take of SEQ08 with a new prompt for shot 2')
          .example('cg build --json', 'machine-readable report'),
      (a) =>
        choose(async () =>
          // Imported when run, as every command is: in the one bundle, that only puts off running its modules' top level.
          (await import('./commands/build.ts')).buildCommand(io, {
            targets: a.targets ?? [],
            project: a.project,
            dryRun: a.dryRun,
            retake: a.retake,
            jobs: a.jobs,
            json: a.json,
            ndjson: a.ndjson,
            wait: a.wait,
            yes: a.yes,
            maxCost: a.maxCost,
            resubmit: a.resubmit,
            retryFailed: a.retryFailed,
            mode: a.mode,
            shotOverride: a.shotOverride,
          }),
        ),
    )
    .command(
      'watch [targets..]',
      'Rebuild what each save of the plan, bible, decisions, refs or config made stale; ask before spending',
      (y) =>
        y
          .positional('targets', { type: 'string', array: true, describe: 'Sequences to keep built (default: all)' })
          .option('auto-spend', { type: 'number', default: 0, describe: 'USD a cycle may spend without asking (default 0: paid work waits for you)' })
          .option('max-cost', { type: 'number', describe: 'USD this watcher may spend in all' })
          .option('jobs', { alias: 'j', type: 'number', describe: 'Most nodes running at once' })
          .example('cg watch', 'rebuild free nodes at once; ask before each paid cycle')
          .example('cg watch SEQ02 --auto-spend 5', 'spend up to $5 a cycle on SEQ02 without asking'),
      (a) =>
        choose(async () => {
          const { watchCommand } = await import('./commands/watch.ts');
          return watchCommand(io, { targets: a.targets ?? [], project: a.project, autoSpend: a.autoSpend, maxCost: a.maxCost, jobs: a.jobs });
        }),
    )
    .command(
      'cut',
      "The whole video on the song: each sequence's best picture in its slot (approved take, else current take, start frame, grid or a card); spends nothing",
      (y) =>
        y
          .option('overlay', { type: 'boolean', default: false, describe: 'Burn in sequence id, take and state (a review copy; the default is clean for the client)' })
          .option('open', { type: 'boolean', default: false, describe: 'Open the cut in the default player when it is made' })
          .option('jobs', { alias: 'j', type: 'number', describe: 'Most nodes running at once' })
          .option('json', json)
          .option('wait', { type: 'boolean', default: true, describe: 'Wait for another cg command on this project (--no-wait fails instead)' })
          .example('cg cut --open', 'make the cut and play it')
          .example('cg cut --overlay', 'a review copy with sequence ids and takes burnt in'),
      (a) =>
        choose(async () => {
          const { cutCommand } = await import('./commands/cut.ts');
          return cutCommand(io, { project: a.project, overlay: a.overlay, open: a.open, json: a.json, wait: a.wait, jobs: a.jobs });
        }),
    );
}

/** Commands that read and report: status, cost, explain, takes. */
function lookCommands<T extends GlobalOptions>(y: Argv<T>, io: Io, choose: Choose) {
  return y
    .command(
      'status [sequences..]',
      'Where every sequence stands: state, takes, current take, money spent',
      (y) =>
        y
          .positional('sequences', { type: 'string', array: true })
          .option('json', json)
          .example('cg status', 'the table for all sequences')
          .example('cg status SEQ03 --json', 'one sequence, as JSON'),
      (a) =>
        choose(async () => {
          const { statusCommand } = await import('./commands/status.ts');
          return statusCommand(io, { project: a.project, sequences: a.sequences ?? [], json: a.json });
        }),
    )
    .command(
      'cost [sequences..]',
      'Money spent, from the cost ledger: by sequence, provider and day, beside the estimates',
      (y) => y.positional('sequences', { type: 'string', array: true }).option('json', json).example('cg cost', 'the whole project').example('cg cost SEQ08', 'one sequence'),
      (a) =>
        choose(async () => {
          const { costCommand } = await import('./commands/cost.ts');
          return costCommand(io, { project: a.project, sequences: a.sequences ?? [], json: a.json });
        }),
    )
    .command(
      'explain <targets..>',
      'Why each node of a sequence would rebuild: which input changed, old value → new',
      (y) =>
        y
          .positional('targets', { type: 'string', array: true, demandOption: true })
          .option('json', json)
          .example('cg explain SEQ08', 'up to date, or what changed'),
      (a) =>
        choose(async () => {
          const { explainCommand } = await import('./commands/explain.ts');
          return explainCommand(io, { project: a.project, targets: a.targets, json: a.json });
        }),
    )
    .command(
      'takes <sequence>',
      "Every take of a sequence with its state and each shot's prompt history; --use writes a take's shot back into plan.json",
      (y) =>
        y
          .positional('sequence', { type: 'string', demandOption: true })
          .option('use', { type: 'string', describe: "SHOT:TAKE or all:TAKE: write that take's prompt and duration for the shot(s) into plan.json" })
          .option('json', json)
          .example('cg takes SEQ08', 'oldest first, with word diffs between takes')
          .example('cg takes SEQ08 --use 3:SEQ08_take002', "take002's shot 3 back into the plan (its take comes back for free)")
          .example('cg takes SEQ08 --use all:SEQ08_take002', 'every shot of take002'),
      (a) =>
        choose(async () => {
          const { takesCommand } = await import('./commands/takes.ts');
          return takesCommand(io, { project: a.project, sequence: a.sequence, use: a.use, json: a.json });
        }),
    );
}

/** A person's decisions: picks, grids, approvals, final. */
function decisionCommands<T extends GlobalOptions>(y: Argv<T>, io: Io, choose: Choose) {
  return y
    .command(
      'pick <sequence>',
      "Choose a grid cell as the sequence's start frame",
      (y) =>
        y
          .positional('sequence', { type: 'string', demandOption: true })
          .option('cell', { type: 'number', describe: 'Cell number, row by row from the top left (1-4 in a 2x2 grid)' })
          .option('quadrant', { type: 'string', choices: ['top_left', 'top_right', 'bottom_left', 'bottom_right'] })
          .option('grid', { type: 'string', describe: 'Pick from an earlier grid of the same inputs: its take id (SEQ03_grid_take001) or hash prefix (default: the newest)' })
          .option('file', { type: 'string', describe: 'Use an image made elsewhere as the start frame (PNG, JPEG or WebP, at least 300 px a side)' })
          .option('shot', { type: 'number', describe: "The start frame of one shot (used when the sequence is built in individual mode), not of the whole sequence" })
          .conflicts('cell', 'quadrant')
          .example('cg pick SEQ03 --cell 2', 'the top-right cell')
          .example('cg pick SEQ03 --quadrant bottom_left', 'the same by name')
          .example('cg pick SEQ03 --cell 4 --grid SEQ03_grid_take001', 'a cell of the first grid, after cg grid --again')
          .example('cg pick SEQ03 --file frames/rooftop.png', 'a start frame painted elsewhere')
          .example('cg pick SEQ03 --shot 3 --cell 4', "shot 3's own start frame, for cg build SEQ03 --mode individual"),
      (a) =>
        choose(async () => {
          const { pickCommand } = await import('./commands/pick.ts');
          return pickCommand(io, { project: a.project, sequence: a.sequence, cell: a.cell, quadrant: a.quadrant, grid: a.grid, file: a.file, shot: a.shot });
        }),
    )
    .command(
      'grid <sequence>',
      "Build the sequence's start-frame grid; --again makes one more beside the earlier ones",
      (y) =>
        y
          .positional('sequence', { type: 'string', demandOption: true })
          .option('again', { type: 'boolean', default: false, describe: 'One more grid of the same inputs (paid); the sequence goes back to grid review, earlier grids stay pickable' })
          .example('cg grid SEQ03', 'make the grid if it is not there')
          .example('cg grid SEQ03 --again', 'another grid to choose from'),
      (a) =>
        choose(async () => {
          const { gridCommand } = await import('./commands/grid.ts');
          return gridCommand(io, { project: a.project, sequence: a.sequence, again: a.again });
        }),
    )
    .command(
      'approve <sequence>',
      'Approve a take (default: the current one)',
      (y) => y.positional('sequence', { type: 'string', demandOption: true }).option('take', { type: 'number', describe: 'Take number, e.g. 3 for SEQ08_take003' }).example('cg approve SEQ08 --take 2', 'approve SEQ08_take002'),
      (a) =>
        choose(async () => {
          const { verdictCommand } = await import('./commands/decide.ts');
          return verdictCommand(io, 'approve', { project: a.project, sequence: a.sequence, take: a.take });
        }),
    )
    .command(
      'reject <sequence>',
      'Reject a take (default: the current one)',
      (y) =>
        y
          .positional('sequence', { type: 'string', demandOption: true })
          .option('take', { type: 'number' })
          .option('note', { type: 'string', describe: 'Why, in your words: kept in decisions.json beside the rejection' })
          .example('cg reject SEQ08 --take 1', 'reject SEQ08_take001')
          .example('cg reject SEQ08 --note "the car drifts out of frame"', 'reject the current take, saying why'),
      (a) =>
        choose(async () => {
          const { verdictCommand } = await import('./commands/decide.ts');
          return verdictCommand(io, 'reject', { project: a.project, sequence: a.sequence, take: a.take, note: a.note });
        }),
    )
    .command(
      'final <sequence>',
      'Freeze an approved sequence: later plan edits warn and do not spend',
      (y) => y.positional('sequence', { type: 'string', demandOption: true }).option('reopen', { type: 'boolean', default: false, describe: 'Unfreeze it' }).example('cg final SEQ08', 'freeze SEQ08'),
      (a) =>
        choose(async () => {
          const { finalCommand } = await import('./commands/decide.ts');
          return finalCommand(io, { project: a.project, sequence: a.sequence, reopen: a.reopen });
        }),
    );
}

/** The review console in a browser. */
function serveCommands<T extends GlobalOptions>(y: Argv<T>, io: Io, choose: Choose) {
  return y.command(
    'serve',
    'The review console in your browser: the Sequence Board, Dailies and grid review, on 127.0.0.1 with a key in the link',
    (y) =>
      y
        .option('port', { type: 'number', default: 4310, describe: 'Port on 127.0.0.1 (0 takes any free one)' })
        .option('open', { type: 'boolean', default: false, describe: 'Open the page in the default browser' })
        .option('max-cost', { type: 'number', describe: 'USD that builds started from the page may spend in all (each is priced and confirmed first)' })
        .example('cg serve --open', 'start the console and open it')
        .example('cg serve --max-cost 20', 'the page may spend at most $20 on builds'),
    (a) =>
      choose(async () => {
        const { serveCommand } = await import('./commands/serve.ts');
        return serveCommand(io, { project: a.project, port: a.port, open: a.open, maxCost: a.maxCost });
      }),
  );
}

/** A new project, and the generated JSON schemas. */
function setupCommands<T extends GlobalOptions>(y: Argv<T>, io: Io, choose: Choose) {
  return y
    .command(
      'init <name>',
      'Create projects/<name> from a template (and pipeline.config.ts if there is none)',
      (y) => y.positional('name', { type: 'string', demandOption: true }).example('cg init acme-launch', 'a new project with two sequences'),
      (a) =>
        choose(async () => {
          const { initCommand } = await import('./commands/init.ts');
          return initCommand(io, { name: a.name });
        }),
    )
    .command({
      command: 'schemas',
      describe: false,
      handler: () =>
        choose(async () => {
          const { schemasCommand } = await import('./commands/schemas.ts');
          return schemasCommand(io);
        }),
    });
}

/** Declares the commands (light: no heavy imports) and says which handler to run. */
async function parser(io: Io, wantsHelp: boolean, choose: Choose): Promise<Argv> {
  // Loaded only when the everyday commands' own parser (fast-args.ts) is not sure.
  const { default: yargs } = await import('yargs');
  const base = yargs()
    .scriptName('cg')
    .usage('cg <command> [options]\n\nBuilds AI client videos from a plan, paying only for what changed.')
    .exitProcess(false)
    .strict()
    .showHelpOnFail(false)
    // yargs renders (and caches) the help text on every command; unwrapped it costs little.
    .wrap(wantsHelp ? Math.min(110, io.stdout.columns ?? 100) : null)
    .version(io.version)
    .help()
    .alias('h', 'help')
    .option('project', project)
    .check((argv) => {
      const problem = numberFlagsProblem(argv);
      if (problem !== undefined) throw new Error(problem);
      return true;
    });
  return setupCommands(serveCommands(decisionCommands(lookCommands(buildCommands(base, io, choose), io, choose), io, choose), io, choose), io, choose)
    .demandCommand(1, 'say what to do: cg build, cg status, cg --help')
    .recommendCommands()
    .epilogue(epilogue);
}

/** The command to run, from the everyday parser or yargs; undefined when yargs already answered (help, an error). */
async function chooseHandler(argv: readonly string[], io: Io): Promise<Handler | ExitCode> {
  const fast = fastArgs(argv);
  if (fast?.command === 'build') return async () => (await import('./commands/build.ts')).buildCommand(io, fast.args);
  if (fast?.command === 'status') return async () => (await import('./commands/status.ts')).statusCommand(io, fast.args);
  if (fast?.command === 'version') {
    io.stdout.write(`${io.version}\n`);
    return 0;
  }
  let handler: Handler | undefined;
  const yargsParser = await parser(io, argv.includes('--help') || argv.includes('-h'), (chosen) => {
    handler = chosen;
  });
  const parsed = await new Promise<{ error: Error | undefined; output: string }>((resolve) => {
    void yargsParser.parse([...argv], {}, (error, _argv, output) => resolve({ error: error ?? undefined, output }));
  });
  if (parsed.error !== undefined) {
    io.stderr.write(`cg: ${parsed.error.message} (cg --help lists the commands and options)\n`);
    return 2;
  }
  if (handler === undefined) {
    if (parsed.output !== '') io.stdout.write(`${parsed.output}\n`);
    return 0;
  }
  return handler;
}

/** Parses, runs one command, renders any error; returns the exit code (never exits). */
export async function runCli(argv: readonly string[], io: Io): Promise<ExitCode> {
  const handler = await chooseHandler(argv, io);
  if (typeof handler === 'number') return handler;
  try {
    return await handler();
  } catch (error) {
    return reportFailure(io, error);
  }
}
