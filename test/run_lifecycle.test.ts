import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Profiles } from '../src/data/profiles.ts';
import { matrix } from '../src/numeric/matrix.ts';
import { interruptAll } from '../src/run/interrupt.ts';
import { runAll } from '../src/run/runner.ts';
import type { AnyStage } from '../src/run/stage.ts';
import { ExperimentStore } from '../src/run/store.ts';
import { evaluateStage } from '../src/stages/evaluate.ts';
import { representStage } from '../src/stages/represent.ts';
import { trainStage } from '../src/stages/train.ts';
import { loadSpec } from '../src/spec/load.ts';
import { expandRuns, type PlannedRun } from '../src/sweep/expand.ts';
import { scratchDir } from './support/files.ts';

/**
 * The run lifecycle in process, with stand-in stages: whatever goes wrong in a stage, in the manifest
 * writes or in finishing, a started run ends `failed` with the stage and the error, its lock released and
 * its outcome counted; a `done` run is one whose outputs are all there.
 */
const { dir: scratch, write } = scratchDir('ads-lifecycle-');
const specFile = write('life.yaml', 'experiment: life\nsweep: { grid: { model.latent: [4, 8] } }\n');
const planned = (): PlannedRun[] => expandRuns(loadSpec(specFile));
let stores = 0;
const newStore = () => join(scratch, `runs${stores++}`);
const quiet = { force: false, plain: true, warn: () => undefined };

type Stage = AnyStage;
const store = (runsDir: string) => new ExperimentStore(runsDir, 'life');
const runDir = (runsDir: string, run: PlannedRun) => store(runsDir).run(run.runId);
const readManifest = (runsDir: string, run: PlannedRun) => runDir(runsDir, run).readManifest();
const lockOf = (runsDir: string, run: PlannedRun) => store(runsDir).lockPath(run.runId);

/** A stage that returns a table, as the real ones do, so that a done run has outputs to check. */
const writeTable: Stage = {
  name: 'tabulate',
  reads: [],
  uses: () => ({}),
  run: () => ({
    values: {},
    tables: { numbers: { n: Float64Array.from({ length: 100 }, (_, i) => i) } },
    metrics: { percent_replicating: { anomaly: { percent: 50, threshold: 0.2 } } },
  }),
};
const throwing = (name: string, error: Error): Stage => ({
  name,
  reads: [],
  uses: () => ({}),
  run() {
    throw error;
  },
});

describe('the run lifecycle', () => {
  it('a stage that throws leaves a failed manifest naming the stage, releases the lock and counts the failure', async () => {
    const runsDir = newStore();
    const runs = planned();
    const outcomes = await runAll(runs, { ...quiet, runsDir, stages: [writeTable, throwing('evaluate', new Error('boom'))] });
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed']);
    for (const run of runs) {
      const m = readManifest(runsDir, run)!;
      expect(m.status).toBe('failed');
      expect(m.error).toBe('evaluate: boom');
      expect(m.ended_at).not.toBeNull();
      expect(existsSync(lockOf(runsDir, run))).toBe(false);
    }
    // The second run ran too: one failed run does not stop the sweep.
    expect(outcomes[1].error).toBe('evaluate: boom');
  });

  it('an error writing the failed manifest itself is still a counted failure that says so, with the lock released', async () => {
    const runsDir = newStore();
    const [run] = planned();
    // manifest.json turned into a folder: no manifest can be renamed over it any more.
    const blockManifest: Stage = {
      name: 'represent',
      reads: [],
      uses: () => ({}),
      run(_input, ctx) {
        const { manifestPath } = store(runsDir).run(ctx.runId);
        rmSync(manifestPath);
        mkdirSync(join(manifestPath, 'x'), { recursive: true });
        throw new Error('the stage failed');
      },
    };
    const outcomes = await runAll([run], { ...quiet, runsDir, stages: [blockManifest] });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0].status).toBe('failed');
    expect(outcomes[0].error).toMatch(/^represent: the stage failed; the failed manifest could not be written either \(.*EISDIR.*\), so .*manifest\.json may still say 'running'$/);
    expect(existsSync(lockOf(runsDir, run))).toBe(false);
  });

  it("an error in 'finish' (metrics.json cannot be written) fails the run instead of losing it", async () => {
    const runsDir = newStore();
    const [run] = planned();
    const blockMetrics: Stage = {
      name: 'evaluate',
      reads: [],
      uses: () => ({}),
      run: (_input, ctx) => (mkdirSync(join(store(runsDir).run(ctx.runId).dir, 'metrics.json', 'x'), { recursive: true }), { values: {} }),
    };
    const outcomes = await runAll([run], { ...quiet, runsDir, stages: [writeTable, blockMetrics] });
    expect(outcomes.map((o) => o.status)).toEqual(['failed']);
    const m = readManifest(runsDir, run)!;
    expect(m.status).toBe('failed');
    expect(m.error).toMatch(/^finish: .*EISDIR/);
    expect(existsSync(lockOf(runsDir, run))).toBe(false);
  });

  it('a value is let go (disposed) right after the last stage that uses it, not when the run ends', async () => {
    const runsDir = newStore();
    const [run] = planned();
    const log: string[] = [];
    const held = (name: string) => ({ dispose: () => log.push(`dispose ${name}`) });
    const stage = (name: string, uses: string[], values: Record<string, unknown>): Stage => ({
      name,
      reads: [],
      uses: () => Object.fromEntries(uses.map((u) => [u, true])),
      run: (input: Record<string, unknown>) => {
        log.push(`${name} sees ${Object.keys(input).sort().join(' ') || 'nothing'}`);
        return { values };
      },
    });
    const stages = [
      stage('load', [], { table: held('table') }),
      stage('normalize', ['table'], { normalized: held('normalized') }),
      stage('train', ['normalized'], { model: held('model') }),
      stage('represent', ['normalized', 'model'], { reps: held('reps') }),
      stage('evaluate', ['reps'], {}),
      writeTable,
    ];
    expect((await runAll([run], { ...quiet, runsDir, stages }))[0].status).toBe('done');
    expect(log).toEqual([
      'load sees nothing',
      'normalize sees table',
      'dispose table',
      'train sees normalized',
      'represent sees model normalized',
      'dispose normalized',
      'dispose model',
      'evaluate sees reps',
      'dispose reps',
    ]);
  });

  it('a done run records every output with its size; one found empty, unparseable or missing a table is re-done, with a warning', async () => {
    const runsDir = newStore();
    const [run] = planned();
    let executions = 0;
    const counting: Stage = { ...writeTable, run: (s, c) => (executions++, writeTable.run(s, c)) };
    const warnings: string[] = [];
    const opts = { ...quiet, runsDir, stages: [counting], warn: (m: string) => warnings.push(m) };
    expect((await runAll([run], opts))[0].status).toBe('done');
    const dir = runDir(runsDir, run).dir;
    const m = readManifest(runsDir, run)!;
    const tableBytes = readFileSync(join(dir, 'tables', 'numbers.parquet')).length;
    expect(m.outputs).toEqual({
      'metrics.json': readFileSync(join(dir, 'metrics.json')).length,
      'spec.yaml': readFileSync(join(dir, 'spec.yaml')).length,
      'tables/numbers.parquet': tableBytes,
    });
    expect((await runAll([run], opts))[0].status).toBe('skipped');
    expect(executions).toBe(1);

    const spoil: [string, () => void, RegExp][] = [
      ['empty metrics.json', () => writeFileSync(join(dir, 'metrics.json'), ''), /marked done, but metrics\.json is empty/],
      ['torn metrics.json', () => writeFileSync(join(dir, 'metrics.json'), '{"percent_replicating": {"an'), /marked done, but metrics\.json is not valid JSON/],
      ['missing table', () => rmSync(join(dir, 'tables', 'numbers.parquet')), /marked done, but tables\/numbers\.parquet is missing/],
      [
        'truncated table',
        () => writeFileSync(join(dir, 'tables', 'numbers.parquet'), new Uint8Array(10)),
        new RegExp(`tables/numbers\\.parquet has 10 bytes, not the ${tableBytes} it was written with`),
      ],
    ];
    for (const [what, damage, warning] of spoil) {
      damage();
      warnings.length = 0;
      const before = executions;
      const [outcome] = await runAll([run], opts);
      expect(outcome.status, what).toBe('done');
      expect(executions, what).toBe(before + 1);
      expect(warnings, what).toHaveLength(1);
      expect(warnings[0], what).toMatch(warning);
      expect(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')), what).toEqual({ percent_replicating: { anomaly: { percent: 50, threshold: 0.2 } } });
    }
  });

  it('an interruption marks the running run failed ("interrupted") and releases its lock', async () => {
    const runsDir = newStore();
    const [run] = planned();
    let reached!: () => void;
    let release!: () => void;
    const inStage = new Promise<void>((r) => (reached = r));
    // A long stage (a training): the interruption has to end the run from outside, while it waits.
    const waiting: Stage = { name: 'train', reads: [], uses: () => ({}), run: () => (reached(), new Promise((r) => (release = () => r({ values: {} })))) };
    const running = runAll([run], { ...quiet, runsDir, stages: [waiting, writeTable] });
    await inStage;
    expect(existsSync(lockOf(runsDir, run))).toBe(true);
    interruptAll('interrupted (SIGTERM)');
    const expected = { status: 'failed', error: 'train: interrupted (SIGTERM)' };
    expect(readManifest(runsDir, run)).toMatchObject(expected);
    expect(existsSync(lockOf(runsDir, run))).toBe(false);
    // The CLI exits right away; a process that lives on sees the stage end, but the run stays ended.
    release();
    const outcomes = await running;
    expect(outcomes.map((o) => [o.status, o.error])).toEqual([['failed', 'train: interrupted (SIGTERM)']]);
    expect(readManifest(runsDir, run)).toMatchObject(expected);
    expect(existsSync(join(runDir(runsDir, run).dir, 'metrics.json'))).toBe(false);
  });

  it('a disk that fills during a stage fails the run with ENOSPC, and the failed manifest is still written', async (ctx) => {
    const mnt = join(scratch, 'small-disk');
    mkdirSync(mnt, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      return ctx.skip('cannot mount a small tmpfs here (needs root): ENOSPC not exercised in process');
    }
    try {
      const [run] = planned();
      const fill: Stage = { name: 'select', reads: [], uses: () => ({}), run: () => ({ values: {}, json: { big: 'x'.repeat(1 << 20) } }) };
      const outcomes = await runAll([run], { ...quiet, runsDir: mnt, stages: [fill] });
      expect(outcomes.map((o) => o.status)).toEqual(['failed']);
      const m = readManifest(mnt, run)!;
      expect(m.status).toBe('failed');
      expect(m.error).toMatch(/^select: no space left on the device \(ENOSPC\)/);
      expect(existsSync(lockOf(mnt, run))).toBe(false);
      // No temporary file of a failed atomic write is left holding space.
      expect(readdirSync(runDir(mnt, run).dir, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});

describe('what must be finite after a stage (each stage checks its own output)', () => {
  const table = (values: number[], rows: number, features: string[]): Profiles => ({
    metadata: { Metadata_Plate: Array(rows).fill('P1') },
    features,
    values: matrix(rows, features.length, Float64Array.from(values)),
  });

  it('a representation with NaN or Infinity fails the represent stage, with the count of bad values and where they are', () => {
    const anomaly = table([1, NaN, 2, Infinity, 3, NaN], 3, ['f1', 'f2']);
    const problem = representStage.check!({ values: { representations: { cellprofiler: table([1, 2, 3, 4, 5, 6], 3, ['f1', 'f2']), anomaly } } })!;
    expect(problem).toMatch(/^3 of the 6 values of representation anomaly \(3 wells × 2 features\) are not finite \(NaN or ±Infinity\), in 1 feature\(s\) \(f2: 3 of 3 wells\)/);
    expect(representStage.check!({ values: { representations: { cellprofiler: table([1, 2, 3, 4, 5, 6], 3, ['f1', 'f2']) } } })).toBeNull();
  });

  it('percent replicating with an undefined threshold, or an undefined mAP, fails the evaluate stage', () => {
    const metrics = {
      percent_replicating: { anomaly: { percent: 0, threshold: NaN }, cellprofiler: { percent: 22.2, threshold: 0.41 } },
      map: { anomaly: { activity: { mean_map: NaN, percent_retrieved: 0 } }, cellprofiler: { activity: { mean_map: 0.3, percent_retrieved: 40 } } },
    };
    const check = (m: typeof metrics) => evaluateStage.check!({ values: { treated: {}, replicating: [], replicatingSets: {} }, metrics: m as never });
    expect(check(metrics)).toBe(
      '2 of 8 metric(s) not finite (percent_replicating.anomaly.threshold = NaN, map.anomaly.activity.mean_map = NaN); a metric is undefined on these representations',
    );
    metrics.percent_replicating.anomaly.threshold = 0.39;
    metrics.map.anomaly.activity.mean_map = 0.2;
    expect(check(metrics)).toBeNull();
  });

  it('a diverged training (best validation loss NaN or missing) fails the train stage', () => {
    const check = (best_val_loss: unknown) => trainStage.check!({ values: { model: null }, metrics: { training: { best_val_loss } as never } });
    expect(check(NaN)).toMatch(/^1 of 1 metric\(s\) not finite \(training\.best_val_loss = NaN\)/);
    expect(check(null)).toMatch(/training\.best_val_loss = null/);
    expect(check(0.31)).toBeNull();
  });

  it('the runner fails the run at the stage that produced the non-finite value', async () => {
    const runsDir = newStore();
    const [run] = planned();
    const nanRepresentation: Stage = { ...representStage, run: () => ({ values: { representations: { anomaly: table([NaN, NaN, NaN, 1], 2, ['a', 'b']) } } }) };
    const after: Stage = { name: 'evaluate', reads: [], uses: () => ({}), run: () => expect.unreachable('no stage runs after a non-finite representation') };
    const [outcome] = await runAll([run], { ...quiet, runsDir, stages: [nanRepresentation, after] });
    expect(outcome.status).toBe('failed');
    expect(readManifest(runsDir, run)!.error).toMatch(/^represent: 3 of the 4 values of representation anomaly \(2 wells × 2 features\) are not finite/);
  });
});

afterAll(() => interruptAll('test over'));
