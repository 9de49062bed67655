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

/**
 * A command as its module defines it. Its one-line summary lives in main.ts's list of commands instead, so
 * `ads --help` lists every command without loading any (and with them tfjs, polars, vega).
 */
export type CommandDefinition = Omit<Command, 'summary'>;

/** Options several commands share, stated once so their meaning and help text never drift apart. */
export const COMMON_OPTIONS = {
  set: { type: 'string', multiple: true, value: 'PATH=VALUE', description: 'Override a setting of the spec, typed by the schema' },
  'runs-dir': { type: 'string', value: 'DIR', description: 'Where runs are stored (default: runs)' },
  'reports-dir': { type: 'string', value: 'DIR', description: 'Where the report is written (default: reports)' },
} as const satisfies Record<string, OptionSpec>;

/** The `--set` overrides, the runs directory and the reports directory a command was given. */
export function commonValues(options: Parameters<Command['run']>[1]): { overrides: string[]; runsDir: string; reportsDir: string } {
  return {
    overrides: (options.set as string[] | undefined) ?? [],
    runsDir: (options['runs-dir'] as string | undefined) ?? 'runs',
    reportsDir: (options['reports-dir'] as string | undefined) ?? 'reports',
  };
}

export function parseCommandArgs(cmd: Command, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: withNegativeValues(cmd, argv),
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: Object.fromEntries(
        // util.parseArgs rejects keys set to undefined, so absent settings are left out.
        Object.entries(cmd.options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
        ]),
      ),
    });
  } catch (err) {
    // Node's message for an unknown option goes on about positionals after '--', with a quote left open.
    const unknown = (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']*)'/.exec((err as Error).message) : null;
    const message = unknown ? `unknown option ${unknown[1]}` : (err as Error).message;
    throw new UserError(`ads ${cmd.name}: ${message}\n\n${commandHelp(cmd)}`, 2);
  }
  // util.parseArgs keeps the last of two values of a one-value option: `--shard 1/4 … --shard 3/4` would
  // run another shard than the first one read.
  const given = new Map<string, string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || token.value === undefined || cmd.options[token.name]?.multiple) continue;
    const before = given.get(token.name);
    if (before !== undefined && before !== token.value) {
      throw new UserError(`ads ${cmd.name}: --${token.name} is given twice ('${before}', then '${token.value}'); give it once`, 2);
    }
    given.set(token.name, token.value);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * `--jobs -1` as `--jobs=-1`: util.parseArgs takes a value that starts with '-' for an option and calls it
 * ambiguous, where the command's own check says what a value must be ("a positive whole number").
 */
function withNegativeValues(cmd: Command, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : null;
    if (name !== null && cmd.options[name]?.type === 'string' && i + 1 < argv.length && /^-\d/.test(argv[i + 1])) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
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
