import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { ads } from './support/cli.ts';

describe('ads explain: SHAP from a saved model, without retraining', () => {
  it('gives exactly the explanations the run itself would have computed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ads-explain-'));
    const spec = join(dir, 'e.yaml');
    const explain = ['explain.wells_per_group=1', 'explain.nsamples=256', 'explain.background_size=50'];
    writeFileSync(
      spec,
      [
        'experiment: e',
        'dataset: { synthetic: { plates: 4, moas: 3, compounds_per_moa: 3, features: 30, factors: 5 } }',
        'training: { max_epochs: 20 }',
        'evaluation: { moa: { enabled: false }, map: { enabled: false } }',
      ].join('\n'),
    );
    const set = (xs: string[]) => xs.flatMap((x) => ['--set', x]);
    // One store explains during the run; the other does not, and is explained afterwards from its saved model.
    const during = await ads(['run', spec, '--runs-dir', join(dir, 'a'), '--reports-dir', join(dir, 'ra'), ...set(['explain.enabled=true', ...explain])]);
    const plain = await ads(['run', spec, '--runs-dir', join(dir, 'b'), '--reports-dir', join(dir, 'rb')]);
    expect(during.code, during.stderr).toBe(0);
    expect(plain.code, plain.stderr).toBe(0);
    const runOf = (store: string) => {
      const exp = join(dir, store, 'e');
      return join(exp, readdirSync(exp, { withFileTypes: true }).find((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'tb')!.name);
    };
    const out = join(dir, 'later.parquet');
    const later = await ads(['explain', runOf('b'), '--out', out, ...set(explain)]);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toMatch(/3 wells explained, grouped by Metadata_moa/);
    const a = pl.readParquet(join(runOf('a'), 'tables', 'explanations.parquet'));
    const b = pl.readParquet(out);
    expect(b.height).toBeGreaterThan(0);
    expect(b.columns).toEqual(a.columns);
    for (const c of a.columns) expect(b.getColumn(c).toArray(), c).toEqual(a.getColumn(c).toArray());
    // explain.mode reads through to the stage: the reference's way explains the same wells differently.
    const refOut = join(dir, 'reference.parquet');
    const ref = await ads(['explain', runOf('b'), '--out', refOut, ...set([...explain, 'explain.mode=reference'])]);
    expect(ref.code, ref.stderr).toBe(0);
    const r = pl.readParquet(refOut);
    expect(new Set(r.getColumn('well').toArray())).toEqual(new Set(b.getColumn('well').toArray()));
    expect(r.getColumn('shap').toArray()).not.toEqual(b.getColumn('shap').toArray());
    // The complete run is not modified.
    expect(readdirSync(join(runOf('b'), 'tables'))).not.toContain('explanations.parquet');
    expect(JSON.parse(readFileSync(join(runOf('b'), 'manifest.json'), 'utf8')).status).toBe('done');
  }, 300_000);

  it('refuses settings that would not match the saved model, and runs that are not complete', async () => {
    const r = await ads(['explain', tmpdir(), '--out', join(tmpdir(), 'x.parquet')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a complete run/);
  });
});
