import { statSync } from 'node:fs';
import { sharedWorkCache } from '../../run/store.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';

/**
 * `ads cache prune`: removes the run store's kept shared work (loaded and preprocessed data, see
 * `runs/.cache/`), all of it or what no run has used for --unused-days days. Runs are never touched: a run
 * whose shared work is gone loads and preprocesses again, to the same bytes.
 */
export const cacheCommand: CommandDefinition = {
  name: 'cache',
  usage: 'cache prune [--runs-dir DIR] [--unused-days N]',
  options: {
    'runs-dir': COMMON_OPTIONS['runs-dir'],
    'unused-days': { type: 'string', value: 'N', description: 'Remove only what no run has used for N days (default 0: everything)' },
  },
  async run(positionals, options) {
    if (positionals.length !== 1 || positionals[0] !== 'prune') throw new UserError('ads cache: the one action is prune (see ads cache --help)', 2);
    const text = (options['unused-days'] as string | undefined) ?? '0';
    if (!/^\d+(\.\d+)?$/.test(text)) throw new UserError(`ads cache prune: --unused-days ${text}: expected a number of days ≥ 0`, 2);
    const { runsDir } = commonValues(options);
    // A mistyped --runs-dir would otherwise report "removed 0 entries", as if the cache were empty.
    const st = statSync(runsDir, { throwIfNoEntry: false });
    if (!st?.isDirectory()) {
      throw new UserError(`ads cache prune: ${runsDir}: ${st ? 'a file, not a directory' : 'no such directory'} (--runs-dir names the runs directory; default: runs)`, 2);
    }
    const cache = sharedWorkCache(runsDir);
    const { entries, bytes, kept, foreign } = cache.prune(Number(text));
    console.log(`${cache.dir}: removed ${entries} entr${entries === 1 ? 'y' : 'ies'} (${(bytes / 2 ** 20).toFixed(1)} MiB), kept ${kept}`);
    if (foreign) console.error(`ads cache prune: left ${foreign} item(s) in ${cache.dir} that are not ads cache entries (is --runs-dir ${runsDir} a runs directory?)`);
    return 0;
  },
};
