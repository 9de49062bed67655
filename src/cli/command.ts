import { parseArgs } from 'node:util';
import { UserError } from '../errors.ts';

export { UserError };

/**
 * One CLI command: its options are declared once and drive both parsing and `--help`.
 * A command returns its exit code; user errors are thrown as `UserError` and printed without a stack.
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly value?: string;
  readonly description: string;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  run(positionals: string[], options: Record<string, string | boolean | string[] | undefined>): Promise<number>;
}

export function parseCommandArgs(cmd: Command, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        // util.parseArgs rejects keys set to undefined, so absent settings are left out.
        Object.entries(cmd.options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
        ]),
      ),
    });
  } catch (err) {
    throw new UserError(`ads ${cmd.name}: ${(err as Error).message}\n\n${commandHelp(cmd)}`, 2);
  }
}

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: ads ${cmd.usage}`, '', cmd.summary, '', 'Options:'];
  const entries = Object.entries(cmd.options);
  const flags = entries.map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    const value = o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : '';
    return `  ${short}--${name}${value}`;
  });
  const width = Math.max(...flags.map((f) => f.length), 0) + 2;
  entries.forEach(([, o], i) => {
    const repeat = o.multiple ? ' (repeatable)' : '';
    lines.push(`${flags[i].padEnd(width)}${o.description}${repeat}`);
  });
  return lines.join('\n');
}
