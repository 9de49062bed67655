import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stream } from '../src/random/streams.ts';
import { medianPruner } from '../src/search/pruner.ts';
import { ads } from './support/cli.ts';
import { randomSuggest, type ScoredTrial, tpeSuggest } from '../src/search/tpe.ts';


describe('TPE sampler', () => {
  // A known optimum: f(lr, k) = (log10 lr + 3)² + (k === 'b' ? 0 : 1), minimal at lr = 1e-3, k = b.
  const space = { lr: { log_uniform: [1e-5, 1e-1] }, k: { choices: ['a', 'b', 'c'] } };
  const f = (p: Record<string, unknown>) => (Math.log10(p.lr as number) + 3) ** 2 + (p.k === 'b' ? 0 : 1);

  function search(useTpe: boolean, seed: number, n = 40): number {
    const rs = stream(seed, 'test');
    const trials: ScoredTrial[] = [];
    for (let t = 0; t < n; t++) {
      const params = useTpe && t >= 8 ? tpeSuggest(space, trials, rs) : randomSuggest(space, rs);
      trials.push({ params, objective: f(params) });
    }
    return Math.min(...trials.map((t) => t.objective));
  }

  it('finds a better optimum than random search with the same budget (over 10 seeds)', () => {
    const seeds = Array.from({ length: 10 }, (_, i) => i);
    const tpe = seeds.map((s) => search(true, s));
    const random = seeds.map((s) => search(false, s));
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    expect(mean(tpe)).toBeLessThan(0.5 * mean(random));
  });

  it('stays in range and is a function of its seed', () => {
    const rs1 = stream(3, 't');
    const rs2 = stream(3, 't');
    const trials = Array.from({ length: 12 }, (_, i) => ({ params: { lr: 10 ** -(1 + (i % 4)), k: ['a', 'b', 'c'][i % 3] }, objective: i }));
    for (let i = 0; i < 50; i++) {
      const a = tpeSuggest(space, trials, rs1);
      expect(tpeSuggest(space, trials, rs2)).toEqual(a);
      expect(a.lr as number).toBeGreaterThanOrEqual(1e-5);
      expect(a.lr as number).toBeLessThanOrEqual(1e-1);
      expect(['a', 'b', 'c']).toContain(a.k);
    }
  });
});

describe('median pruner', () => {
  it('stops a trial that is worse than the median of earlier trials at the same epoch, from after_epochs on', () => {
    const earlier = [
      [1.0, 0.8, 0.6, 0.5, 0.4],
      [1.0, 0.9, 0.7, 0.6, 0.5],
      [1.2, 1.0, 0.9],
    ];
    const prunedAt: number[] = [];
    const cb = medianPruner(earlier, 3, (e) => prunedAt.push(e));
    cb.onTrainStart?.({ max_epochs: 5, lr: 1 });
    const logs = (v: number) => ({ loss: v, val_loss: v, val_objective: v, lr: 1, seconds: 0 });
    expect(cb.onEpochEnd?.(0, logs(2))).toEqual({}); // before after_epochs: never pruned
    expect(cb.onEpochEnd?.(1, logs(2))).toEqual({});
    // Epoch 2: earlier best-so-far 0.6, 0.7, 0.9 → median 0.7; ours is 2 → pruned.
    expect(cb.onEpochEnd?.(2, logs(2))).toEqual({ stop: true });
    expect(prunedAt).toEqual([2]);
    const fine = medianPruner(earlier, 3, () => prunedAt.push(-1));
    fine.onTrainStart?.({ max_epochs: 5, lr: 1 });
    expect(fine.onEpochEnd?.(2, logs(0.65))).toEqual({});
    // Epoch 3: median of 0.5, 0.6 and the third trial's last best 0.9 (it ended at epoch 2) is 0.6.
    expect(fine.onEpochEnd?.(3, logs(0.55))).toEqual({});
    // Epoch 4: median 0.5; our best so far is 0.55 (a later, worse epoch does not undo it) → pruned.
    expect(fine.onEpochEnd?.(4, logs(0.6))).toEqual({ stop: true });
  });
});

describe('hyper-parameter search end to end', () => {
  it('runs the trials, records the best, runs the sweep at its settings, and resumes without redoing trials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ads-search-'));
    const spec = join(dir, 'search.yaml');
    writeFileSync(
      spec,
      [
        'experiment: search',
        'dataset: { synthetic: { plates: 4, moas: 4, compounds_per_moa: 3, features: 40, factors: 6 } }',
        'training: { max_epochs: 12 }',
        'evaluation: { moa: { enabled: false }, map: { enabled: false } }',
        'sweep:',
        '  seeds: [1, 2]',
        '  search:',
        '    trials: 5',
        '    startup: 2',
        '    params: { training.lr: { log_uniform: [1.0e-4, 1.0e-2] }, model.latent: { choices: [4, 8] } }',
        '    prune: { after_epochs: 5 }',
      ].join('\n'),
    );
    const run = async () => {
      const r = await ads(['run', spec, '--runs-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    await run();
    const exp = join(dir, 'runs', 'search');
    const outcome = JSON.parse(readFileSync(join(exp, 'search.json'), 'utf8'));
    expect(outcome.trials).toHaveLength(5);
    const objectives = outcome.trials.map((t: { objective: number }) => t.objective);
    expect(outcome.best.objective).toBe(Math.min(...objectives));
    // Five trial runs, and their TensorBoard logs beside them in trials/tb/.
    expect(readdirSync(join(exp, 'trials')).filter((d) => !d.startsWith('.') && d !== 'tb')).toHaveLength(5);
    expect(readdirSync(join(exp, 'trials', 'tb'))).toHaveLength(5);
    // The sweep's two seeds run in full at the best trial's settings.
    const runs = readdirSync(exp, { withFileTypes: true }).filter((d) => d.isDirectory() && /^[0-9a-f]{12}$/.test(d.name));
    expect(runs).toHaveLength(2);
    for (const r of runs) {
      const runSpec = readFileSync(join(exp, r.name, 'spec.yaml'), 'utf8');
      expect(runSpec).toContain(`latent: ${outcome.best.params['model.latent']}`);
      expect(JSON.parse(readFileSync(join(exp, r.name, 'metrics.json'), 'utf8')).percent_replicating.anomaly.n).toBe(12);
    }
    // Run again: the same trials are suggested, found complete and read back.
    const again = await run();
    expect(again).toContain(`search: best of 5 trials is ${outcome.best.run_id}`);
    expect(again).toContain('2 run(s): 0 done, 2 already complete');
    expect(JSON.parse(readFileSync(join(exp, 'search.json'), 'utf8'))).toEqual(outcome);
  }, 300_000);
});

describe('a search whose every trial fails', () => {
  it('is a user error that says why, not an internal error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ads-search-fail-'));
    const spec = join(dir, 'diverge.yaml');
    writeFileSync(
      spec,
      [
        'experiment: diverge',
        'dataset: { synthetic: { plates: 2, moas: 2, compounds_per_moa: 2, features: 12, factors: 3 } }',
        'training: { max_epochs: 3 }',
        'evaluation: { moa: { enabled: false }, map: { enabled: false } }',
        'sweep:',
        '  search:',
        '    trials: 2',
        '    params: { training.lr: { log_uniform: [1.0e+299, 1.0e+300] } }',
      ].join('\n'),
    );
    const r = await ads(['run', spec, '--runs-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/every one of the 2 trials of the search failed.*sweep\.search.*trial 0 .*diverged/s);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 120_000);
});
