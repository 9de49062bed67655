import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { frameToProfiles, readFrame, writeColumnsParquet } from '../../data/io.ts';
import { metaColumn, whereRows } from '../../data/profiles.ts';
import { rolesOf, SET_COLUMN } from '../../data/roles.ts';
import { loadAutoencoder } from '../../model/autoencoder.ts';
import { storedRun } from '../../run/manifest.ts';
import { selectBackend } from '../../runtime/backend.ts';
import { loadSpec } from '../../spec/load.ts';
import { explainAnomalousWells } from '../../stages/explain.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';

/**
 * `ads explain <run-dir>`: SHAP explanations from a complete run's saved model and normalized table, without
 * retraining — e.g. more wells or more coalitions than the run computed. The run itself is left untouched
 * (a complete run's outputs never change); the explanations go to --out.
 */
export const explainCommand: CommandDefinition = {
  name: 'explain',
  usage: 'explain <run-dir> --out FILE.parquet [--set explain.<setting>=value]…',
  options: {
    out: { type: 'string', value: 'FILE', description: 'Where the explanations table is written (.parquet)' },
    set: { ...COMMON_OPTIONS.set, description: "Override an explain setting of the run's spec (e.g. explain.wells_per_group=10)" },
  },
  async run(positionals, options) {
    if (positionals.length !== 1) throw new UserError('ads explain: give exactly one run directory (see ads explain --help)', 2);
    const out = options.out;
    if (typeof out !== 'string' || !out.endsWith('.parquet')) throw new UserError('ads explain: --out must name a .parquet file', 2);
    const dir = resolve(positionals[0]);
    const stored = storedRun(dir);
    if (!stored.complete) throw new UserError(`ads explain: ${dir} is not a complete run (${stored.reason})`, 2);
    if (!existsSync(join(dir, 'model', 'model.json'))) throw new UserError(`ads explain: ${dir} has no saved model (it built no anomaly representation)`, 2);
    const { overrides } = commonValues(options);
    const foreign = overrides.filter((o) => !o.startsWith('explain.'));
    if (foreign.length) throw new UserError(`ads explain: only explain.* settings can change here (${foreign.join(', ')} would not match the saved model)`, 2);
    const { spec } = loadSpec(join(dir, 'spec.yaml'), overrides);
    await selectBackend(spec.runtime);
    const model = await loadAutoencoder(join(dir, 'model'));
    const features = (JSON.parse(readFileSync(join(dir, 'tables', 'features.json'), 'utf8')) as { kept: string[] }).kept;
    const normalized = frameToProfiles(readFrame(join(dir, 'tables', 'normalized.parquet')), features);
    const sets = metaColumn(normalized, SET_COLUMN);
    const rows = (set: string) => whereRows(sets.length, (i) => sets[i] === set);
    try {
      const { metrics, table } = explainAnomalousWells(normalized, rows, model, rolesOf(spec.dataset), spec.explain, spec.seed);
      mkdirSync(dirname(resolve(out)), { recursive: true });
      writeColumnsParquet(table, out);
      console.log(`${out}: ${metrics.records} wells explained, grouped by ${metrics.group_by}`);
      for (const [group, g] of Object.entries(metrics.groups)) {
        const top = g.pairs.slice(0, 3).map((p) => `${p.explained} ← ${p.contributor}`);
        console.log(`  ${group}: ${top.join('; ')}`);
      }
      return 0;
    } finally {
      model.dispose();
    }
  },
};
