import { readFileSync } from 'node:fs';
import { type Command, type CommandDefinition, UserError, commandHelp, parseCommandArgs } from './command.ts';
import { asUserError } from './paths.ts';
import { exitOnSignals } from './signals.ts';

/**
 * Every command with its summary; a command's module is imported only when it runs (or shows its help):
 * `ads --help`, `plan` and `validate` start without the modules the others need (tfjs, polars, vega).
 */
const COMMANDS: readonly { name: string; summary: string; load: () => Promise<CommandDefinition> }[] = [
  { name: 'run', summary: 'Run every run of an experiment spec (skipping complete ones), then write its report.', load: async () => (await import('./commands/run.ts')).runCommand },
  { name: 'validate', summary: 'Check experiment specs, their sweep points and the headers of their data files without running them.', load: async () => (await import('./commands/validate.ts')).validateCommand },
  { name: 'plan', summary: 'List the runs a spec expands to: run id, sweep point and seed.', load: async () => (await import('./commands/plan.ts')).planCommand },
  { name: 'report', summary: "Aggregate an experiment's complete runs into reports/<experiment>/ (report.md, report.html, figures/).", load: async () => (await import('./commands/report.ts')).reportCommand },
  { name: 'explain', summary: "Explain a complete run's anomalies with SHAP from its saved model, without retraining.", load: async () => (await import('./commands/explain.ts')).explainCommand },
  { name: 'simulate', summary: "Write the spec's simulated screen (dataset.synthetic) as a table, with its ground truth (Metadata_moa_kind).", load: async () => (await import('./commands/simulate.ts')).simulateCommand },
  { name: 'convert', summary: 'Convert a per-well table (CSV or CSV.gz) to Parquet once, read faster and in less memory by later runs.', load: async () => (await import('./commands/convert.ts')).convertCommand },
  { name: 'cache', summary: "Remove the loaded and preprocessed data runs keep for one another (runs/.cache), all or what is unused.", load: async () => (await import('./commands/cache.ts')).cacheCommand },
  { name: 'slurm', summary: 'Write an sbatch array (one task per shard of the runs) and a report job that runs after it.', load: async () => (await import('./commands/slurm.ts')).slurmCommand },
];

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: ads <command> [options]',
    '',
    'Anomaly vs classical representations of Cell Painting profiles, as declarative YAML experiments.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (also: ads <command> --help)',
    '  -v, --version  Show the version',
  ].join('\n');
}

/** Runs the CLI and returns the exit code; user errors print as one clear message, never a stack. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '-v' || name === '--version') {
    console.log(version());
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    console.error(`ads: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  const cmd: Command = { ...(await entry.load()), summary: entry.summary };
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(cmd));
    return 0;
  }
  const stopSignals = exitOnSignals(name);
  try {
    const { positionals, values } = parseCommandArgs(cmd, rest);
    return await cmd.run(positionals, values as Parameters<Command['run']>[1]);
  } catch (caught) {
    // A full disk, a read-only mount, a missing permission: the user's to fix, so no 'internal error'.
    const err = asUserError(caught, `ads ${name}: `) ?? caught;
    if (err instanceof UserError) {
      console.error(err.message);
      return err.exitCode;
    }
    // A bug, not bad input: say so in one line; the stack is there for whoever debugs it.
    console.error(`ads ${name}: internal error: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.ADS_DEBUG) console.error(err);
    else console.error('(set ADS_DEBUG=1 to see the stack trace)');
    return 70;
  } finally {
    stopSignals();
  }
}
