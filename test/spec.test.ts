import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SpecError } from '../src/spec/errors.ts';
import { scratchDir } from './support/files.ts';
import { generateSpecTypes } from '../src/spec/generate-types.ts';
import { loadSpec } from '../src/spec/load.ts';
import { experimentSchema, schemaAt } from '../src/spec/schema.ts';

/** Spec files are written into a temp dir; messages name them by that absolute path. */
const { dir, write } = scratchDir('ads-spec-');

/** The SpecError `fn` throws: exit code 2, one line per issue. */
function specError(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).exitCode).toBe(2);
    return err as SpecError;
  }
  throw new Error('expected a SpecError');
}

const defaultOf = (pointer: string) => schemaAt(pointer).default;

describe('broken specs are located at file:line:col with the setting path', () => {
  it('wrong type, at the value', () => {
    const f = write('wrong-type.yaml', 'experiment: x\nmodel:\n  latent: abc\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:3:11: model.latent: must be integer (got "abc")`);
  });

  it('unknown key, at the key, with a did-you-mean', () => {
    const f = write('unknown-key.yaml', 'experiment: x\nmodel:\n  latent: 8\n  latnet: 4\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:4:3: model.latnet: unknown setting; did you mean "latent"?`);
  });

  it('unknown key with nothing close lists the allowed names', () => {
    const f = write('unknown-far.yaml', 'experiment: x\nruntime:\n  zzzzzzzz: 1\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:3:3: runtime.zzzzzzzz: unknown setting; expected one of: backend, threads, training_kernel`);
  });

  it('an enum typo suggests the allowed value', () => {
    const f = write('enum.yaml', 'experiment: x\nmodel:\n  activation: rleu\n');
    expect(specError(() => loadSpec(f)).message).toMatch(new RegExp(`^${f}:3:15: model\\.activation: must be one of "relu", .* \\(got "rleu"\\); did you mean "relu"\\?$`));
  });

  it('a value failing every alternative of a oneOf names them all', () => {
    const f = write('oneof.yaml', 'experiment: x\nmodel:\n  encoder: deeep\n');
    expect(specError(() => loadSpec(f)).message).toBe(
      `${f}:3:12: model.encoder: must be one of "default", "shallow", "deep" or must be array (got "deeep"); did you mean "deep"?`,
    );
  });

  it('an error inside the alternative that fits is reported there', () => {
    const f = write('oneof-deep.yaml', 'experiment: x\nmodel:\n  encoder: [64, 0]\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:3:17: model.encoder[1]: must be >= 1 (got 0)`);
  });

  it('a missing required setting is located at its parent object', () => {
    const f = write('missing.yaml', 'experiment: x\ndataset:\n  source: file\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:2:1: dataset: missing required setting "path"`);
    const g = write('missing-root.yaml', '# no name\nseed: 3\n');
    expect(specError(() => loadSpec(g)).message).toBe(`${g}:2:1: missing required setting "experiment"`);
  });

  it('several problems are all reported, one per line', () => {
    const f = write('several.yaml', 'experiment: x\nseed: -1\nmodel:\n  latent: 0\n');
    expect(specError(() => loadSpec(f)).message.split('\n')).toEqual([
      `${f}:2:7: seed: must be >= 0 (got -1)`,
      `${f}:4:11: model.latent: must be >= 1 (got 0)`,
    ]);
  });

  it('bad sweep path, at the sweep entry, with a did-you-mean over the whole path', () => {
    const f = write('sweep-path.yaml', 'experiment: x\nsweep:\n  grid:\n    model.latnet: [4, 8]\n');
    expect(specError(() => loadSpec(f)).message).toBe(
      `${f}:4:5: sweep.grid.model.latnet: unknown setting "model.latnet"; did you mean "model.latent"?`,
    );
  });

  it('sweep value of the wrong type, at that value', () => {
    const f = write('sweep-value.yaml', 'experiment: x\nsweep:\n  grid:\n    model.latent: [4, "x", 8]\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:4:23: sweep.grid.model.latent[1]: must be integer (got "x")`);
  });

  it('random choices are validated against the setting', () => {
    const f = write('sweep-choices.yaml', 'experiment: x\nsweep:\n  random:\n    n: 2\n    params:\n      model.decoder: {choices: [linear, mirorr]}\n');
    expect(specError(() => loadSpec(f)).message).toBe(
      `${f}:6:41: sweep.random.params.model.decoder.choices[1]: must be one of "linear", "mirror" (got "mirorr"); did you mean "mirror"?`,
    );
  });

  it('a random range with low above high', () => {
    const f = write('sweep-range.yaml', 'experiment: x\nsweep:\n  random:\n    n: 2\n    params:\n      training.lr:\n        log_uniform: [0.1, 0.001]\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:7:22: sweep.random.params.training.lr.log_uniform: low 0.1 is above high 0.001`);
  });

  it('a setting swept twice', () => {
    const f = write('sweep-twice.yaml', 'experiment: x\nsweep:\n  grid:\n    model: [{latent: 4}]\n  zip:\n    model.latent: [4]\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:6:5: sweep.zip.model.latent: overlaps sweep.grid.model; a setting can be swept only once`);
  });

  it('unequal zip lists, at the list that differs', () => {
    const f = write('zip.yaml', 'experiment: x\nsweep:\n  zip:\n    model.latent: [4, 8, 16]\n    training.lr: [0.1, 0.01]\n');
    expect(specError(() => loadSpec(f)).message).toBe(
      `${f}:5:18: sweep.zip.training.lr: has 2 values but sweep.zip.model.latent has 3; zipped lists advance together and must have equal length`,
    );
  });

  it('extends a missing file, at that list entry', () => {
    const f = write('extends-missing.yaml', 'experiment: x\nextends:\n  - base.yaml\n  - nowhere.yaml\n');
    write('base.yaml', 'seed: 1\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:4:5: extends[1]: file not found: nowhere.yaml (looked for ${join(dir, 'nowhere.yaml')})`);
  });

  it('an extends cycle, at the entry that closes it', () => {
    const a = write('cycle/a.yaml', 'experiment: x\nextends: [b.yaml]\n');
    const b = write('cycle/b.yaml', '# b comes back to a\nextends: [a.yaml]\n');
    expect(specError(() => loadSpec(a)).message).toBe(`${b}:2:11: extends[0]: extends cycle: ${a} → ${b} → ${a}`);
  });

  it('an error in an extended file is located in that file', () => {
    const base = write('located/base.yaml', 'model:\n  latent: abc\n  dropout: 0.1\n');
    const f = write('located/child.yaml', 'experiment: x\nextends: [base.yaml]\nmodel:\n  dropout: 0.2\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${base}:2:11: model.latent: must be integer (got "abc")`);
  });

  it('a missing data file, at dataset.path', () => {
    const f = write('data-missing.yaml', 'experiment: x\ndataset:\n  source: file\n  path: data/wells.csv\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:4:9: dataset.path: file not found: data/wells.csv (looked for ${join(dir, 'data/wells.csv')})`);
  });

  it('malformed YAML, at the parser position', () => {
    const f = write('malformed.yaml', 'experiment: x\nmodel:\n  latent: [4, 8\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]`);
    const g = write('duplicate.yaml', 'experiment: x\nseed: 1\nseed: 2\n');
    expect(specError(() => loadSpec(g)).message).toBe(`${g}:3:1: Map keys must be unique`);
    // In the spec's words, not the parser's advice about its own API.
    const h = write('two-docs.yaml', 'experiment: x\n---\nexperiment: y\n');
    expect(specError(() => loadSpec(h)).message).toBe(`${h}:2:1: a second YAML document (after ---): a spec file holds one`);
  });

  it('a key that is a list is an unknown setting, without the parser\'s warning on stderr; .inf is shown as Infinity', () => {
    const warn = vi.spyOn(console, 'warn');
    const emit = vi.spyOn(process, 'emitWarning');
    try {
      const f = write('list-key.yaml', '? [x]\n: 1\nexperiment: x\n');
      expect(specError(() => loadSpec(f)).message).toMatch(new RegExp(`^${f}:1:1: \\[ x \\]: unknown setting`));
      expect(warn).not.toHaveBeenCalled();
      expect(emit).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      emit.mockRestore();
    }
    const g = write('inf.yaml', 'experiment: x\ntraining:\n  lr: .inf\n');
    expect(specError(() => loadSpec(g)).message).toMatch(/training\.lr: .*\(got Infinity\)/);
  });

  it('an empty file, or one that is not a mapping', () => {
    const f = write('empty.yaml', '# nothing here\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:1:1: empty spec`);
    const g = write('list.yaml', '- experiment: x\n');
    expect(specError(() => loadSpec(g)).message).toBe(`${g}:1:1: a spec must be a mapping of settings (got a list)`);
  });

  it('a spec file that does not exist', () => {
    const f = join(dir, 'absent.yaml');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}: cannot read spec: file not found`);
  });

  it('bad --set path, with a did-you-mean over the whole path', () => {
    const f = write('ok.yaml', 'experiment: x\n');
    expect(specError(() => loadSpec(f, ['training.reduce_lr.patince=3'])).message).toBe(
      '--set training.reduce_lr.patince=3: training.reduce_lr.patince: unknown setting; did you mean "training.reduce_lr.patience"?',
    );
    expect(specError(() => loadSpec(f, ['model.latent'])).message).toBe('--set model.latent: expected --set path=value');
    expect(specError(() => loadSpec(f, ['extends=[a.yaml]'])).message).toBe('--set extends=[a.yaml]: extends: cannot be set with --set');
  });

  it('bad --set value, at the override', () => {
    const f = write('ok.yaml', 'experiment: x\n');
    expect(specError(() => loadSpec(f, ['model.latent=abc'])).message).toBe('--set model.latent=abc: model.latent: must be integer (got "abc")');
    expect(specError(() => loadSpec(f, ['dataset.source=file'])).message).toBe('--set dataset.source=file: dataset: missing required setting "path"');
  });
});

describe('what the schema cannot say is checked when the spec loads, before any data is read', () => {
  it('a file named while the source is left synthetic (its default) is an error at the setting, not a run on simulated data', () => {
    const f = write('no-source.yaml', 'experiment: x\ndataset:\n  path: screen.csv.gz\n  features: { prefixes: [Cells_] }\n');
    expect(specError(() => loadSpec(f)).message).toBe(
      `${f}:3:3: dataset.path: is set, but dataset.source is synthetic, its default, so simulated data would run and the file be ignored; add dataset.source: file\n` +
        `${f}:4:3: dataset.features: is set, but dataset.source is synthetic, its default, so simulated data would run and this selection of a file's columns be ignored; add dataset.source: file`,
    );
    // Chosen beside it, not defaulted: a file spec run on the simulated screen on purpose.
    expect(loadSpec(f, ['dataset.source=synthetic']).spec.dataset.source).toBe('synthetic');
    // A parent's choice of the simulated screen is not this file's, nor a --set path's.
    const parent = write('synthetic-parent.yaml', 'experiment: p\ndataset:\n  source: synthetic\n');
    const child = write('file-child.yaml', `extends: [${parent}]\nexperiment: c\ndataset:\n  path: screen.csv.gz\n`);
    expect(specError(() => loadSpec(child)).message).toBe(
      `${child}:4:3: dataset.path: is set, but dataset.source is set to synthetic in ${parent}:3:11, so simulated data would run and the file be ignored; add dataset.source: file`,
    );
    expect(specError(() => loadSpec(parent, ['dataset.path=screen.csv.gz'])).message).toMatch(/^--set dataset\.path=screen\.csv\.gz: dataset\.path: is set, but dataset\.source is set to synthetic in /);
    // A preset names a rosetta file's columns, which the simulated screen does not have.
    const preset = write('preset-only.yaml', 'experiment: x\ndataset: { preset: CDRP }\n');
    expect(specError(() => loadSpec(preset)).message).toBe(
      `${preset}:2:12: dataset.preset: is set, but dataset.source is synthetic, its default, so simulated data would run and the preset's columns be looked for in it, which it does not have; add dataset.source: file`,
    );
  });

  it('a --set of a swept setting is an error at the override (the sweep would set it in every run)', () => {
    const f = write('swept.yaml', 'experiment: x\nsweep:\n  grid:\n    model.latent: [8, 16]\n');
    expect(specError(() => loadSpec(f, ['model.latent=4'])).message).toBe(
      `--set model.latent=4: model.latent: is swept by sweep.grid.model.latent (${f}:4:5), which sets it in every run; change the sweep's values instead`,
    );
    expect(loadSpec(f, ['model.dropout=0.1']).spec.model.dropout).toBe(0.1);
    // A whole section holding it is the same; one that does not hold it is not.
    expect(specError(() => loadSpec(f, ['model={latent: 4}'])).message).toMatch(/^--set model=\{latent: 4\}: model\.latent: is swept by sweep\.grid\.model\.latent/);
    expect(loadSpec(f, ['model={dropout: 0.2}']).spec.model.dropout).toBe(0.2);
    // The seed, when sweep.seeds gives every run its own.
    const seeded = write('seeded.yaml', 'experiment: x\nsweep:\n  seeds: [1, 2]\n');
    expect(specError(() => loadSpec(seeded, ['seed=5'])).message).toBe(
      `--set seed=5: seed: sweep.seeds (${seeded}:3:10) gives every run its seed, so this one would never be used; set the seeds instead (--set 'sweep.seeds=[…]')`,
    );
  });

  it('a regular expression that does not compile, at its list entry, compiled as the stage compiles it', () => {
    const f = write('regex.yaml', 'experiment: x\nfeature_select:\n  blocklist: [Cells_a, "*bad"]\n');
    expect(specError(() => loadSpec(f)).message).toBe(`${f}:3:24: feature_select.blocklist[1]: "*bad" is not a regular expression (Nothing to repeat)`);
    const g = write('regex2.yaml', 'experiment: x\ndataset:\n  source: file\n  path: regex.yaml\n  features: { exclude: ["[unclosed"] }\n');
    expect(specError(() => loadSpec(g)).message).toBe(`${g}:5:25: dataset.features.exclude[0]: "[unclosed" is not a regular expression (Unterminated character class)`);
  });

  it('seeds past 2^53 − 1, and seeds numpy cannot take with reference null sampling', () => {
    const big = write('big-seed.yaml', 'experiment: x\nseed: 9007199254740993\n');
    expect(specError(() => loadSpec(big)).message).toBe(`${big}:2:7: seed: must be <= 9007199254740991 (got 9007199254740992)`);
    const numpy = write('numpy-seed.yaml', 'experiment: x\nevaluation:\n  percent_replicating: { null_sampling: reference, null_draws: 10 }\nsweep:\n  seeds: [1, 4294967287]\n');
    expect(specError(() => loadSpec(numpy)).message).toBe(
      `${numpy}:5:14: sweep.seeds[1]: 4294967287 is too large for evaluation.percent_replicating.null_sampling: reference, which seeds numpy's RandomState with the seed plus each of the 10 null draws' number, below 2^32: at most 4294967286`,
    );
    expect(loadSpec(numpy, ['sweep.seeds=[1, 4294967286]']).spec.sweep.seeds).toEqual([1, 4294967286]);
  });

  it('a simulated screen whose wells do not fit its plates', () => {
    const f = write('crowded.yaml', 'experiment: x\ndataset:\n  synthetic: { wells_per_plate: 2 }\n');
    expect(specError(() => loadSpec(f)).message).toMatch(new RegExp(`^${f}:3:14: dataset\\.synthetic: plate 1 would hold \\d+ wells but a plate has 2; add plates or wells_per_plate$`));
  });
});

describe('composition', () => {
  it('extends deep-merges objects in order, replaces lists and scalars, then applies the file', () => {
    write('merge/base.yaml', 'seed: 1\nmodel:\n  latent: 4\n  dropout: 0.2\nrepresentations: [anomaly, cellprofiler]\n');
    write('merge/mid.yaml', 'extends: [base.yaml]\nmodel:\n  latent: 6\n  activation: tanh\ntraining:\n  lr: 0.01\n');
    write('merge/other.yaml', 'seed: 2\ntraining:\n  batch_size: 8\n');
    const f = write('merge/child.yaml', 'experiment: merged\nextends: [mid.yaml, other.yaml]\nmodel:\n  latent: 8\nrepresentations: [anomaly]\n');
    const { spec } = loadSpec(f);
    expect(spec.seed).toBe(2);
    expect(spec.model).toMatchObject({ latent: 8, dropout: 0.2, activation: 'tanh' });
    expect(spec.training).toMatchObject({ lr: 0.01, batch_size: 8 });
    expect(spec.representations).toEqual(['anomaly']);
    expect('extends' in spec).toBe(false);
  });

  it('a file extended twice (a diamond) is not a cycle', () => {
    write('diamond/root.yaml', 'seed: 5\n');
    write('diamond/left.yaml', 'extends: [root.yaml]\nmodel: {latent: 3}\n');
    write('diamond/right.yaml', 'extends: [root.yaml]\ntraining: {lr: 0.5}\n');
    const f = write('diamond/top.yaml', 'experiment: d\nextends: [left.yaml, right.yaml]\n');
    expect(loadSpec(f).spec).toMatchObject({ seed: 5, model: { latent: 3 }, training: { lr: 0.5 } });
  });

  it('--set values are typed by the schema at their path', () => {
    const f = write('typed.yaml', 'experiment: x\n');
    const { spec } = loadSpec(f, [
      'experiment=123',
      'description=a: b',
      'model.latent=12',
      'model.encoder=[64, 32]',
      'evaluation.split_by=null',
      'dataset.columns.moa=7',
      'training.lr=1e-3',
      'normalize.by_plate=false',
      'sweep.seeds=[1,2]',
    ]);
    expect(spec.experiment).toBe('123');
    expect(spec.description).toBe('a: b');
    expect(spec.model.latent).toBe(12);
    expect(spec.model.encoder).toEqual([64, 32]);
    expect(spec.evaluation.split_by).toBeNull();
    expect(spec.dataset.columns.moa).toBe('7');
    expect(spec.training.lr).toBe(0.001);
    expect(spec.normalize.by_plate).toBe(false);
    expect(spec.sweep.seeds).toEqual([1, 2]);
  });

  it('--set reaches into maps whose keys are dotted paths', () => {
    const f = write('typed.yaml', 'experiment: x\n');
    const { spec } = loadSpec(f, ['sweep.grid.model.latent=[4, 8]', 'sweep.random={n: 2, params: {training.lr: {log_uniform: [1e-4, 1e-2]}}}']);
    expect(spec.sweep.grid).toEqual({ 'model.latent': [4, 8] });
    expect(spec.sweep.random).toEqual({ n: 2, seed: 0, params: { 'training.lr': { log_uniform: [1e-4, 1e-2] } } });
  });

  it('later --set wins and overrides the file', () => {
    const f = write('later.yaml', 'experiment: x\nmodel:\n  latent: 3\n');
    expect(loadSpec(f, ['model.latent=4', 'model.latent=5']).spec.model.latent).toBe(5);
  });

  it('every default is filled from the schema', () => {
    const f = write('minimal.yaml', 'experiment: minimal\n');
    const { spec, file } = loadSpec(f);
    expect(file).toBe(f);
    expect(spec.seed).toBe(defaultOf('/properties/seed'));
    expect(spec.description).toBe(defaultOf('/properties/description'));
    expect(spec.model.latent).toBe(defaultOf('/$defs/model/properties/latent'));
    expect(spec.training.reduce_lr.patience).toBe(defaultOf('/$defs/training/properties/reduce_lr/properties/patience'));
    expect(spec.dataset.synthetic.plates).toBe(defaultOf('/$defs/synthetic/properties/plates'));
    expect(spec.sweep).toEqual({ grid: {}, zip: {}, seeds: [] });
    // Every top-level setting with a default is present; `extends` has been applied and is gone.
    const props = experimentSchema().properties as Record<string, { default?: unknown }>;
    for (const [k, s] of Object.entries(props)) if ('default' in s && k !== 'extends') expect(spec).toHaveProperty(k);
  });

  it('dataset.path is resolved against the file that sets it and stored absolute', () => {
    write('data/base/wells.csv', 'a,b\n');
    write('data/base/base.yaml', 'dataset:\n  source: file\n  path: wells.csv\n');
    const f = write('data/exp.yaml', 'experiment: x\nextends: [base/base.yaml]\n');
    expect(loadSpec(f).spec.dataset.path).toBe(join(dir, 'data/base/wells.csv'));
  });
});

describe('generated types', () => {
  it('src/spec/experiment.generated.ts is in sync with the schema (else: npx tsx scripts/gen-spec-types.ts)', async () => {
    const onDisk = readFileSync(new URL('../src/spec/experiment.generated.ts', import.meta.url), 'utf8');
    expect(onDisk).toBe(await generateSpecTypes(experimentSchema()));
  });
});
