import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A sweep as Slurm jobs: an array whose task i runs shard i/n of the planned runs (`ads run --shard`), and a
 * report job that starts once every task has ended, whether it succeeded or not. Shards are disjoint and the
 * run store's lock files keep two tasks off the same run, so tasks share one run store on a shared file system.
 */
export interface SlurmJob {
  experiment: string;
  /** Absolute paths: tasks start in Slurm's working directory, not the submitter's. */
  specFile: string;
  runsDir: string;
  reportsDir: string;
  /** The directory `ads` was called from: relative paths inside the spec resolve against it. */
  projectDir: string;
  /** The Node.js binary and `bin/ads.js` that generated the scripts: no npx, PATH or module load needed. */
  node: string;
  adsBin: string;
  sets: readonly string[];
  /** Where the scripts and `logs/` go. */
  outDir: string;
  shards: number;
  time: string;
  cpus: number;
  partition?: string;
  gpus?: number;
  mem?: string;
}

export interface SlurmScripts {
  array: string;
  report: string;
  submit: string;
}

export interface WrittenScripts {
  array: string;
  report: string;
  submit: string;
  logs: string;
}

/** The report only reads metrics.json files and renders markdown: a short, small job. */
const REPORT_TIME = '00:30:00';

export function slurmScripts(job: SlurmJob): SlurmScripts {
  const { array: arrayPath, report: reportPath, logs } = scriptPaths(job.outDir);
  const common = [...job.sets.flatMap((s) => ['--set', s]), '--runs-dir', job.runsDir, '--reports-dir', job.reportsDir];
  const ads = (args: string[], ...unquoted: string[]) => [...['exec', job.node, job.adsBin, ...args].map(shellQuote), ...unquoted].join(' ');

  const array = [
    '#!/usr/bin/env bash',
    `# ads: the ${job.shards} shard(s) of experiment ${job.experiment}; task i runs shard i/${job.shards} of the planned runs.`,
    ...directives([
      ['job-name', `ads-${job.experiment}`],
      ['array', `1-${job.shards}`],
      ['output', join(logs, '%A_%a.out')],
      ['time', job.time],
      ['cpus-per-task', String(job.cpus)],
      ['partition', job.partition],
      ['gres', job.gpus === undefined ? undefined : `gpu:${job.gpus}`],
      ['mem', job.mem],
    ]),
    'set -euo pipefail',
    `cd ${shellQuote(job.projectDir)}`,
    // The report job aggregates every shard once all have ended; a per-shard report would only race it.
    // A task runs its shard's runs --cpus at a time, each in a worker process (so --mem must hold that many runs).
    ads(['run', job.specFile, ...common, '--no-report', '--plain', '--jobs', String(job.cpus), '--shard'], `"\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}/${job.shards}"`),
    '',
  ].join('\n');

  const report = [
    '#!/usr/bin/env bash',
    `# ads: the report of experiment ${job.experiment}, submitted to start after every task of the run array has ended.`,
    ...directives([
      ['job-name', `ads-${job.experiment}-report`],
      ['output', join(logs, 'report_%j.out')],
      ['time', REPORT_TIME],
      ['cpus-per-task', '1'],
      ['partition', job.partition],
    ]),
    'set -euo pipefail',
    `cd ${shellQuote(job.projectDir)}`,
    ads(['report', job.specFile, ...common]),
    '',
  ].join('\n');

  const submit = [
    '#!/usr/bin/env bash',
    `# ads: submits the run array of experiment ${job.experiment}, then its report job.`,
    'set -euo pipefail',
    `array_id=$(sbatch --parsable ${shellQuote(arrayPath)})`,
    '# --parsable prints "id;cluster" on a federation; the dependency wants the id alone.',
    'array_id=${array_id%%;*}',
    '# afterany, not afterok: the report is written even when some tasks fail, and lists the failed runs.',
    `report_id=$(sbatch --parsable --dependency=afterany:"$array_id" ${shellQuote(reportPath)})`,
    'report_id=${report_id%%;*}',
    `echo "array job $array_id (${job.shards} task(s))"`,
    'echo "report job $report_id (starts once every task of $array_id has ended)"',
    '',
  ].join('\n');

  return { array, report, submit };
}

/** Writes the three scripts and creates the log directory, which Slurm does not create: without it the logs are lost. */
export function writeSlurmScripts(job: SlurmJob): WrittenScripts {
  const paths = scriptPaths(job.outDir);
  const scripts = slurmScripts(job);
  mkdirSync(paths.logs, { recursive: true });
  writeFileSync(paths.array, scripts.array);
  writeFileSync(paths.report, scripts.report);
  writeFileSync(paths.submit, scripts.submit);
  chmodSync(paths.submit, 0o755);
  return paths;
}

function scriptPaths(outDir: string): WrittenScripts {
  return {
    array: join(outDir, 'array.sbatch'),
    report: join(outDir, 'report.sbatch'),
    submit: join(outDir, 'submit.sh'),
    logs: join(outDir, 'logs'),
  };
}

/** `#SBATCH --name=value` lines, leaving out the settings not given. sbatch reads double-quoted values. */
function directives(entries: [string, string | undefined][]): string[] {
  return entries
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([name, value]) => `#SBATCH --${name}=${/\s/.test(value) ? `"${value}"` : value}`);
}

/** One shell word, taken literally: single-quoted unless plainly safe. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
