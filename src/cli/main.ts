import { readFileSync } from 'node:fs';
import { type Command, UserError, commandHelp, parseCommandArgs } from './command.ts';
import { explainCommand } from './commands/explain.ts';
import { planCommand } from './commands/plan.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { simulateCommand } from './commands/simulate.ts';
import { slurmCommand } from './commands/slurm.ts';
import { validateCommand } from './commands/validate.ts';

const COMMANDS: readonly Command[] = [runCommand, validateCommand, planCommand, reportCommand, explainCommand, simulateCommand, slurmCommand];

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
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`ads: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(cmd));
    return 0;
  }
  try {
    const { positionals, values } = parseCommandArgs(cmd, rest);
    return await cmd.run(positionals, values as Parameters<Command['run']>[1]);
  } catch (err) {
    if (err instanceof UserError) {
      console.error(err.message);
      return err.exitCode;
    }
    // A bug, not bad input: say so in one line; the stack is there for whoever debugs it.
    console.error(`ads ${name}: internal error: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.ADS_DEBUG) console.error(err);
    else console.error('(set ADS_DEBUG=1 to see the stack trace)');
    return 70;
  }
}
