import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { planCommand } from '../src/cli/commands/plan.ts';
import { validateCommand } from '../src/cli/commands/validate.ts';
import { SpecError } from '../src/spec/errors.ts';
import { scratchDir } from './support/files.ts';
import { loadSpec } from '../src/spec/load.ts';
import { expandRuns, runId } from '../src/sweep/expand.ts';

/** Spec files are written into a temp dir; messages name them by that absolute path. */
const { dir, write } = scratchDir('ads-sweep-');

const plan = (text: string, overrides: string[] = [], name = 'spec.yaml') => expandRuns(loadSpec(write(name, text), overrides));

describe('expansion', () => {
  it('grid × seeds: every combination, first path slowest, seeds inner', () => {
    const runs = plan('experiment: g\nsweep:\n  grid:\n    model.latent: [4, 8, 16]\n    model.activation: [relu, tanh]\n  seeds: [1, 2]\n');
    expect(runs).toHaveLength(12);
    expect(runs.slice(0, 5).map((r) => [r.point['model.latent'], r.point['model.activation'], r.seed])).toEqual([
      [4, 'relu', 1],
      [4, 'relu', 2],
      [4, 'tanh', 1],
      [4, 'tanh', 2],
      [8, 'relu', 1],
    ]);
    expect(Object.keys(runs[0].point)).toEqual(['model.latent', 'model.activation']);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(12);
  });

  it('a run spec has its point and seed applied, defaults filled and no sweep', () => {
    const [run] = plan('experiment: r\nseed: 9\nsweep:\n  grid:\n    training.reduce_lr: [{enabled: false}]\n  seeds: [3]\n');
    expect(run.seed).toBe(3);
    expect(run.spec.seed).toBe(3);
    expect(run.spec.training.reduce_lr.enabled).toBe(false);
    expect(run.spec.training.reduce_lr.patience).toBeTypeOf('number');
    expect('sweep' in run.spec).toBe(false);
    expect('extends' in run.spec).toBe(false);
  });

  it('no sweep: one run with the spec seed', () => {
    const runs = plan('experiment: one\nseed: 7\n');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ seed: 7, point: {} });
  });

  it('zip advances its lists together, and multiplies with grid', () => {
    const runs = plan('experiment: z\nsweep:\n  grid:\n    model.decoder: [linear, mirror]\n  zip:\n    model.latent: [4, 8, 16]\n    training.lr: [0.1, 0.01, 0.001]\n');
    expect(runs).toHaveLength(6);
    expect(runs.slice(0, 3).map((r) => r.point)).toEqual([
      { 'model.decoder': 'linear', 'model.latent': 4, 'training.lr': 0.1 },
      { 'model.decoder': 'linear', 'model.latent': 8, 'training.lr': 0.01 },
      { 'model.decoder': 'linear', 'model.latent': 16, 'training.lr': 0.001 },
    ]);
  });

  const randomSpec = (seed: number) =>
    `experiment: rnd\nsweep:\n  random:\n    n: 40\n    seed: ${seed}\n    params:\n` +
    '      training.lr: {log_uniform: [0.0001, 0.1]}\n      model.latent: {int_uniform: [2, 5]}\n' +
    '      training.output_l2: {uniform: [0, 0.01]}\n      model.activation: {choices: [relu, tanh]}\n';

  it('random draws are deterministic by seed and within their ranges', () => {
    const a = plan(randomSpec(1));
    expect(a).toHaveLength(40);
    expect(plan(randomSpec(1)).map((r) => r.point)).toEqual(a.map((r) => r.point));
    expect(plan(randomSpec(2)).map((r) => r.point)).not.toEqual(a.map((r) => r.point));
    const lrs = a.map((r) => r.point['training.lr'] as number);
    for (const lr of lrs) expect(lr >= 1e-4 && lr <= 0.1).toBe(true);
    // Log-uniform: about half the draws fall below the geometric midpoint 10^-2.5, far more than a uniform draw would.
    expect(lrs.filter((lr) => lr < 10 ** -2.5).length).toBeGreaterThan(10);
    const latents = a.map((r) => r.point['model.latent'] as number);
    expect(latents.every((l) => Number.isInteger(l) && l >= 2 && l <= 5)).toBe(true);
    expect(new Set(latents)).toEqual(new Set([2, 3, 4, 5]));
    expect(a.every((r) => { const v = r.point['training.output_l2'] as number; return v >= 0 && v <= 0.01; })).toBe(true);
    expect(new Set(a.map((r) => r.point['model.activation']))).toEqual(new Set(['relu', 'tanh']));
  });

  it('grid × zip × random × seeds', () => {
    const runs = plan(
      'experiment: all\nsweep:\n  grid:\n    model.decoder: [linear, mirror]\n  zip:\n    model.latent: [4, 8]\n    training.lr: [0.1, 0.01]\n' +
        '  random:\n    n: 3\n    params:\n      training.batch_size: {int_uniform: [8, 64]}\n  seeds: [1, 2, 3]\n',
    );
    expect(runs).toHaveLength(2 * 2 * 3 * 3);
  });

  it('a random range its setting cannot take is located at its sweep entry when the spec loads, before any draw', () => {
    const cases: [string, RegExp][] = [
      // Fractions for a whole number, and ends outside the setting's bounds (a search's as a random sweep's).
      ['random:\n    n: 2\n    params:\n      model.latent: {uniform: [1, 8]}\n', /:6:31: sweep\.random\.params\.model\.latent\.uniform: uniform draws fractions, but model\.latent takes whole numbers; use int_uniform$/],
      ['search:\n    trials: 4\n    params:\n      training.lr: {uniform: [-1, 1]}\n', /:6:31: sweep\.search\.params\.training\.lr\.uniform\[0\]: must be > 0 \(got -1\)$/],
      ['random:\n    n: 2\n    params:\n      model.dropout: {uniform: [0.5, 3]}\n', /:6:38: sweep\.random\.params\.model\.dropout\.uniform\[1\]: must be < 1 \(got 3\)$/],
      // A setting of whole numbers or null (oneOf) takes int_uniform too.
      ['search:\n    trials: 2\n    params:\n      split.max_train_wells: {uniform: [4, 7]}\n', /sweep\.search\.params\.split\.max_train_wells\.uniform: uniform draws fractions, but split\.max_train_wells takes whole numbers; use int_uniform$/],
    ];
    for (const [sweep, message] of cases) {
      const f = write('bad-range.yaml', `experiment: x\nsweep:\n  ${sweep}`);
      expect(() => loadSpec(f)).toThrow(message);
    }
    // A high end the setting excludes is never drawn (uniform draws below it).
    const edge = write('edge-range.yaml', 'experiment: x\nsweep:\n  random:\n    n: 2\n    params:\n      model.dropout: {uniform: [0, 1]}\n');
    expect(expandRuns(loadSpec(edge))).toHaveLength(2);
  });

  it('points that give the same run are an error', () => {
    const f = write('twins.yaml', 'experiment: x\nsweep:\n  grid:\n    model.latent: [4, 4]\n');
    expect(() => expandRuns(loadSpec(f))).toThrow(`${f}:2:1: sweep: points {model.latent=4} and {model.latent=4} give the same run`);
  });

  it('a swept dataset.path is resolved against the file with the sweep', () => {
    write('paths/a.csv', 'x\n');
    write('paths/b.csv', 'x\n');
    const text = 'experiment: p\ndataset:\n  source: file\n  path: a.csv\nsweep:\n  grid:\n    dataset.path: [a.csv, b.csv]\n';
    const runs = plan(text, [], 'paths/spec.yaml');
    expect(runs.map((r) => r.spec.dataset.path)).toEqual([join(dir, 'paths/a.csv'), join(dir, 'paths/b.csv')]);
    expect(runs.map((r) => r.point['dataset.path'])).toEqual(['a.csv', 'b.csv']);
    const f = join(dir, 'paths/spec.yaml');
    expect(() => plan(text.replace('b.csv]', 'b.csv, c.csv]'), [], 'paths/spec.yaml')).toThrow(
      `${f}:7:34: dataset.path: file not found: c.csv (looked for ${join(dir, 'paths/c.csv')}) (in sweep point dataset.path="c.csv")`,
    );
  });
});

describe('run ids', () => {
  const spec = 'experiment: ids\ndescription: first\nsweep:\n  grid:\n    model.latent: [4, 8]\n  seeds: [1, 2]\n';

  it('are 12 hex digits, stable across calls', () => {
    const a = plan(spec);
    expect(a.every((r) => /^[0-9a-f]{12}$/.test(r.runId))).toBe(true);
    expect(plan(spec).map((r) => r.runId)).toEqual(a.map((r) => r.runId));
    expect(runId(a[0].spec)).toBe(a[0].runId);
  });

  it('do not change when seeds are appended, nor with the experiment name or description', () => {
    const before = plan(spec);
    const after = plan(spec.replace('seeds: [1, 2]', 'seeds: [1, 2, 3]').replace('first', 'second').replace('ids', 'renamed'));
    expect(after).toHaveLength(6);
    const afterIds = new Set(after.map((r) => r.runId));
    for (const r of before) expect(afterIds.has(r.runId)).toBe(true);
  });

  it('match between an empty seeds list and the same seed listed', () => {
    const implicit = plan('experiment: s\nseed: 5\n');
    const explicit = plan('experiment: s\nsweep:\n  seeds: [5]\n');
    expect(explicit[0].runId).toBe(implicit[0].runId);
  });

  it('differ when a setting differs', () => {
    const base = plan('experiment: d\n')[0].runId;
    expect(plan('experiment: d\n', ['training.lr=0.001'])[0].runId).not.toBe(base);
    expect(plan('experiment: d\n', ['seed=43'])[0].runId).not.toBe(base);
  });
});

describe('commands, in process', () => {
  let out = '';
  let err = '';
  const capture = () => {
    out = '';
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  };
  afterEach(() => vi.restoreAllMocks());

  const good = () => write('cmd/good.yaml', 'experiment: good\nsweep:\n  grid:\n    model.latent: [4, 8]\n  seeds: [1, 2, 3]\n');
  const bad = () => write('cmd/bad.yaml', 'experiment: bad\nmodel:\n  latent: abc\n');

  it('validate: ok line per spec, exit 0', async () => {
    const f = good();
    capture();
    const code = await validateCommand.run([f], {});
    expect(code).toBe(0);
    expect(out).toBe(`ok ${f} (6 runs)\n`);
    capture();
    expect(await validateCommand.run([f], { set: ['sweep.seeds=[1]'] })).toBe(0);
    expect(out).toBe(`ok ${f} (2 runs)\n`);
  });

  it('validate: checks every spec, errors to stderr, exit 2', async () => {
    const [g, b] = [good(), bad()];
    capture();
    const code = await validateCommand.run([b, g], {});
    expect(code).toBe(2);
    expect(err).toBe(`${b}:3:11: model.latent: must be integer (got "abc")\n`);
    expect(out).toBe(`ok ${g} (6 runs)\n`);
    capture();
    expect(await validateCommand.run([g], { set: ['model.latent=0'] })).toBe(2);
    expect(err).toMatch(/^--set model\.latent=0: model\.latent: must be >= 1 \(got 0\)/);
  });

  it('validate: no spec is a usage error', async () => {
    await expect(validateCommand.run([], {})).rejects.toMatchObject({ exitCode: 2 });
  });

  it('plan: the count first, then a table of run id, seed and point', async () => {
    const f = good();
    capture();
    expect(await planCommand.run([f], {})).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('6 runs planned for experiment good');
    expect(lines[1].split(/\s{2,}/)).toEqual(['run id', 'seed', 'model.latent']);
    const runs = expandRuns(loadSpec(f));
    expect(lines.slice(2).map((l) => l.split(/\s+/))).toEqual(runs.map((r) => [r.runId, String(r.seed), String(r.point['model.latent'])]));
  });

  it('plan --json', async () => {
    const f = good();
    capture();
    expect(await planCommand.run([f], { json: true, set: ['sweep.seeds=[7]'] })).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.experiment).toBe('good');
    expect(parsed.count).toBe(2);
    expect(parsed.runs).toEqual(expandRuns(loadSpec(f, ['sweep.seeds=[7]'])).map(({ runId, point, seed }) => ({ runId, point, seed })));
  });

  it('plan: a broken spec throws its SpecError (exit 2) for the CLI to print', async () => {
    const b = bad();
    await expect(planCommand.run([b], {})).rejects.toThrow(SpecError);
    await expect(planCommand.run([b], {})).rejects.toMatchObject({ exitCode: 2, message: `${b}:3:11: model.latent: must be integer (got "abc")` });
  });
});
