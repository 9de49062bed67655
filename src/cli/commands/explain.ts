import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeColumnsParquet } from '../../data/io.ts';
import { rolesOf } from '../../data/roles.ts';
import type { FeatureSelection } from '../../preprocess/feature_select.ts';
import { RunDir, TABLES } from '../../run/store.ts';
import { runThreads } from '../../runtime/threads.ts';
import { loadSpec } from '../../spec/load.ts';
import { setRows } from '../../stages/sets.ts';
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
    const run = new RunDir(resolve(positionals[0]));
    const stored = run.stored();
    if (!stored.complete) throw new UserError(`ads explain: ${run.dir} is not a complete run (${stored.reason})`, 2);
    if (!run.hasModel()) throw new UserError(`ads explain: ${run.dir} has no saved model (it built no anomaly representation)`, 2);
    const { overrides } = commonValues(options);
    const foreign = overrides.filter((o) => !o.startsWith('explain.'));
    if (foreign.length) throw new UserError(`ads explain: only explain.* settings can change here (${foreign.join(', ')} would not match the saved model)`, 2);
    const { spec } = loadSpec(run.specPath(), overrides);
    // tfjs and the model's modules load here, once there is a run to explain: `ads explain --help` does without them.
    const [{ selectBackend }, { loadAutoencoder }, { explainAnomalousWells }] = await Promise.all([
      import('../../runtime/backend.ts'),
      import('../../model/autoencoder.ts'),
      import('../../stages/explain.ts'),
    ]);
    const threads = runThreads(spec.runtime.threads, 1);
    await selectBackend({ backend: spec.runtime.backend, threads });
    const model = await loadAutoencoder(run.modelDir);
    const normalized = run.readProfiles(TABLES.normalized, run.readJson<FeatureSelection>(TABLES.features).kept);
    try {
      const { metrics, table } = explainAnomalousWells(normalized, (set) => setRows(normalized, set), model, rolesOf(spec.dataset), spec.explain, spec.seed, {
        training_kernel: spec.runtime.training_kernel,
        threads,
      });
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
