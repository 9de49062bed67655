import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { checkReportPlace } from '../../report/place.ts';
import { writeSlurmScripts } from '../../slurm/scripts.ts';
import { loadSpec } from '../../spec/load.ts';
import { expandRuns } from '../../sweep/expand.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';

/** More tasks than this buys little: each task starts Node.js and loads the data, and schedulers cap array sizes. */
const MAX_DEFAULT_SHARDS = 100;
const DEFAULT_TIME = '04:00:00';

export const slurmCommand: CommandDefinition = {
  name: 'slurm',
  usage:
    'slurm <spec.yaml> [--set path=value]… [--shards N] [--partition P] [--time HH:MM:SS] [--gpus N] [--cpus N] [--mem M] [--runs-dir DIR] [--reports-dir DIR] [--out DIR] [--submit]',
  options: {
    set: COMMON_OPTIONS.set,
    shards: { type: 'string', value: 'N', description: `Array tasks, each running every N-th run (default: the number of runs, at most ${MAX_DEFAULT_SHARDS})` },
    partition: { type: 'string', value: 'P', description: 'Slurm partition (default: the cluster default)' },
    time: { type: 'string', value: 'HH:MM:SS', description: `Time limit of each array task (default: ${DEFAULT_TIME})` },
    gpus: { type: 'string', value: 'N', description: 'GPUs per array task (--gres=gpu:N)' },
    cpus: { type: 'string', value: 'N', description: 'CPUs per array task, which runs that many runs at once (ads run --jobs N; default: 1)' },
    mem: { type: 'string', value: 'M', description: 'Memory per array task, in sbatch --mem form (e.g. 8G)' },
    'runs-dir': { type: 'string', value: 'DIR', description: 'Where runs are stored, on a file system every node sees (default: runs)' },
    'reports-dir': COMMON_OPTIONS['reports-dir'],
    out: { type: 'string', value: 'DIR', description: 'Where the scripts and logs/ are written (default: slurm/<experiment>)' },
    submit: { type: 'boolean', description: 'Submit the jobs (runs submit.sh) and print their ids' },
  },
  async run(positionals, options) {
    if (positionals.length !== 1) throw new UserError('ads slurm: give exactly one spec file (see ads slurm --help)', 2);
    const { overrides: sets, runsDir, reportsDir } = commonValues(options);
    const loaded = loadSpec(positionals[0], sets);
    const runs = expandRuns(loaded).length;
    const experiment = loaded.spec.experiment;
    const str = (name: string) => options[name] as string | undefined;

    const shards = positiveInt('shards', str('shards')) ?? Math.min(runs, MAX_DEFAULT_SHARDS);
    if (shards > runs) throw new UserError(`ads slurm: --shards ${shards} is more than the ${runs} planned run(s); tasks past ${runs} would have nothing to do`, 2);
    const time = str('time') ?? DEFAULT_TIME;
    if (!/^(\d+-)?\d+(:\d+){0,2}$/.test(time)) throw new UserError(`ads slurm: --time ${time}: expected [D-]HH:MM:SS, MM:SS or minutes`, 2);
    const [, ...sixties] = time.replace(/^\d+-/, '').split(':').map(Number);
    if (sixties.some((n) => n > 59)) throw new UserError(`ads slurm: --time ${time}: minutes and seconds run from 0 to 59`, 2);
    // To Slurm a time limit of 0 is no limit at all.
    if (time.split(/[-:]/).every((n) => Number(n) === 0)) throw new UserError(`ads slurm: --time ${time}: a time limit of zero means none to Slurm; give the tasks' limit`, 2);
    const mem = str('mem');
    if (mem !== undefined && !/^\d+[KMGT]?$/i.test(mem)) throw new UserError(`ads slurm: --mem ${mem}: expected a size such as 8G or 16000M`, 2);
    const partition = str('partition');
    if (partition !== undefined && !/^[\w.,-]+$/.test(partition)) throw new UserError(`ads slurm: --partition ${partition}: not a partition name`, 2);

    checkReportPlace(runsDir, reportsDir, experiment);
    const outDir = resolve(str('out') ?? `slurm/${experiment}`);
    const written = writeSlurmScripts({
      experiment,
      specFile: loaded.file,
      runsDir: resolve(runsDir),
      reportsDir: resolve(reportsDir),
      projectDir: process.cwd(),
      node: process.execPath,
      adsBin: fileURLToPath(new URL('../../../bin/ads.js', import.meta.url)),
      sets,
      outDir,
      shards,
      time,
      cpus: positiveInt('cpus', str('cpus')) ?? 1,
      partition,
      gpus: positiveInt('gpus', str('gpus')),
      mem,
    });

    console.log(`Slurm jobs for experiment ${experiment}: ${runs} run(s) in ${shards} array task(s)`);
    const width = Math.max(written.array.length, written.report.length, written.submit.length) + 2;
    console.log(`  ${written.array.padEnd(width)}the runs: task i runs shard i/${shards} (ads run --shard i/${shards} --no-report)`);
    console.log(`  ${written.report.padEnd(width)}the report, once every task has ended (sbatch --dependency=afterany)`);
    console.log(`  ${written.submit.padEnd(width)}submits both, the report after the array`);
    console.log(`  ${`${written.logs}/`.padEnd(width)}the jobs' logs`);
    if (!options.submit) {
      console.log(`Submit with: bash ${written.submit}`);
      return 0;
    }
    const submitted = spawnSync('bash', [written.submit], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (submitted.error || submitted.status !== 0) {
      const why = submitted.error?.message ?? submitted.stderr.trim();
      throw new UserError(`ads slurm: submitting failed: ${why}\nThe scripts are written; fix the cause and run: bash ${written.submit}`);
    }
    process.stdout.write(`Submitted:\n${submitted.stdout}`);
    return 0;
  },
};

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UserError(`ads slurm: --${name} ${text}: expected a positive whole number`, 2);
  return Number(text);
}
