import { join } from 'node:path';
import { type RunOutcome, runAll } from '../../src/run/runner.ts';
import type { AnyStage } from '../../src/run/stage.ts';
import { ExperimentStore, type RunDir } from '../../src/run/store.ts';
import { loadSpec } from '../../src/spec/load.ts';
import { expandRuns } from '../../src/sweep/expand.ts';
import { scratchDir } from './files.ts';

/**
 * Runs an experiment spec through the pipeline inside the test process — no CLI, no child process — in a
 * temporary run store, quietly. Returns the outcomes, the progress messages (throttled, as a display gets
 * them) and the store to read the runs back from.
 */
export function pipelineHarness(prefix: string) {
  const { dir, write } = scratchDir(prefix);
  let n = 0;
  return {
    dir,
    async run(name: string, lines: readonly string[], opts: { stages?: readonly AnyStage[]; force?: boolean; cache?: boolean; runsDir?: string } = {}) {
      const file = write(`${name}-${n++}.yaml`, [`experiment: ${name}`, ...lines, ''].join('\n'));
      const runs = expandRuns(loadSpec(file));
      const runsDir = opts.runsDir ?? join(dir, 'runs');
      const warnings: string[] = [];
      const progress: string[] = [];
      const outcomes: RunOutcome[] = await runAll(runs, {
        runsDir,
        force: opts.force ?? false,
        plain: true,
        stages: opts.stages,
        cache: opts.cache,
        warn: (m) => warnings.push(m),
        events: { stage: () => undefined, progress: (m) => progress.push(m), skip: () => undefined },
      });
      const store = new ExperimentStore(runsDir, name);
      const dirs: RunDir[] = runs.map((r) => store.run(r.runId));
      return { runs, outcomes, store, dirs, warnings, progress, runsDir };
    },
  };
}
