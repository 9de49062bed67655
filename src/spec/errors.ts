import { UserError } from '../errors.ts';

/** One problem in a spec: where the user wrote it, which setting, and what was expected. */
export interface SpecIssue {
  /** `file:line:col` of the node that set the value, or `--set path=value` for a command-line override. */
  readonly where: string;
  /** Dotted path of the setting (`model.latent`, `extends[0]`); empty for file-level problems. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: SpecIssue): string {
  return issue.path ? `${issue.where}: ${issue.path}: ${issue.message}` : `${issue.where}: ${issue.message}`;
}

/** A spec the user must fix: one line per issue, exit code 2. */
export class SpecError extends UserError {
  readonly issues: readonly SpecIssue[];

  constructor(issues: SpecIssue | readonly SpecIssue[]) {
    const list = Array.isArray(issues) ? (issues as readonly SpecIssue[]) : [issues as SpecIssue];
    super(list.map(formatIssue).join('\n'), 2);
    this.name = 'SpecError';
    this.issues = list;
  }
}

/** `['model', 'encoder', '0']` → `model.encoder[0]`: array indices are the all-digit segments. */
export function dottedPath(keys: readonly string[]): string {
  return keys.reduce((out, k) => (/^\d+$/.test(k) ? `${out}[${k}]` : out ? `${out}.${k}` : k), '');
}

/** A value quoted for a message, cut short so a large list does not drown the error. */
export function shown(value: unknown): string {
  // JSON has no infinities or NaN (it writes null): YAML's .inf and .nan are shown as numbers.
  const text = value === undefined ? 'nothing' : typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
