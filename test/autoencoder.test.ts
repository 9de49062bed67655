import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../src/runtime/tfjs.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../src/numeric/matrix.ts';
import { stream } from '../src/random/streams.ts';
import { buildAutoencoder, loadAutoencoder, type AutoencoderConfig } from '../src/model/autoencoder.ts';
import { BackendUnavailableError, activeThreads, selectBackend } from '../src/runtime/backend.ts';
import { fit, type Callback, type EpochLogs, type EpochSignal, type LoopOptions } from '../src/training/fit.ts';
import { earlyStopping } from '../src/training/callbacks/early_stopping.ts';
import { reduceLrOnPlateau } from '../src/training/callbacks/reduce_lr.ts';
import { progress } from '../src/training/callbacks/progress.ts';
import { nonFiniteGuard, TrainingDivergedError } from '../src/training/callbacks/nonfinite.ts';
import { UserError } from '../src/errors.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';
import { trainAutoencoder } from '../src/stages/train.ts';
import { ads } from './support/cli.ts';

const base: AutoencoderConfig = { encoder: 'default', latent: 16, decoder: 'linear', activation: 'relu', dropout: 0, batch_norm: false };
const loop: LoopOptions = { lr: 0.005, beta1: 0.9, beta2: 0.999, weight_decay: 0, batch_size: 32, max_epochs: 3, output_l2: 0.007, latent_l1: 0 };

function gaussian(rows: number, cols: number, seed: number): Matrix {
  const rs = stream(seed, 'test/data');
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rs.normal()));
}

/** Rows = mean + Σ_r s_r·u_r·v_rᵀ + noise: known rank-`scales.length` structure. */
function lowRank(rows: number, cols: number, scales: number[], noise: number, seed: number): Matrix {
  const rs = stream(seed, 'test/lowrank');
  const means = Array.from({ length: cols }, () => 0.5 * rs.normal());
  const dirs = scales.map(() => Array.from({ length: cols }, () => rs.normal() / Math.sqrt(cols)));
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const u = scales.map((s) => s * rs.normal());
    for (let j = 0; j < cols; j++) {
      let v = means[j] + noise * rs.normal();
      for (let r = 0; r < scales.length; r++) v += u[r] * dirs[r][j];
      data[i * cols + j] = v;
    }
  }
  return matrix(rows, cols, data);
}

/** Mean squared residual of the best rank-k affine reconstruction: the discarded covariance eigenvalues / cols. */
function pcaResidualMse(x: Matrix, k: number): number {
  const { rows: n, cols: d } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = x.data[i * d + a] - mean[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += (xa * (x.data[i * d + b] - mean[b])) / n;
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a];
  // Power iteration with deflation for the k leading eigenvalues.
  let kept = 0;
  for (let r = 0; r < k; r++) {
    let v = Float64Array.from({ length: d }, (_, j) => 1 + j / d);
    let lambda = 0;
    for (let it = 0; it < 2000; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a] += cov[a * d + b] * v[b];
      lambda = Math.hypot(...w);
      v = w.map((t) => t / lambda);
    }
    kept += lambda;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] -= lambda * v[a] * v[b];
  }
  return (trace - kept) / d;
}

function mse(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i] - b.data[i]) ** 2;
  return s / a.data.length;
}

/** The training objective computed from reconstructions, independently of fit(). */
function objectiveOf(model: ReturnType<typeof buildAutoencoder>, x: Matrix, options: LoopOptions): number {
  const xhat = model.reconstruct(x);
  const z = model.encode(x);
  const zero = matrix(x.rows, x.cols);
  const l1 = z.data.reduce((s, v) => s + Math.abs(v), 0) / z.data.length;
  return mse(xhat, x) + options.output_l2 * mse(xhat, zero) + options.latent_l1 * l1;
}

function epochs(values: number[], cb: Callback, lr = 0.005) {
  cb.onTrainStart?.({ max_epochs: values.length, lr });
  // The callbacks under test answer synchronously.
  return values.map((val_loss, epoch) => (cb.onEpochEnd?.(epoch, { loss: val_loss, val_loss, val_objective: val_loss, lr, seconds: 0 }) as EpochSignal | void) ?? {});
}

beforeAll(async () => {
  expect(await selectBackend({ backend: 'wasm', threads: 1 })).toBe('wasm');
});

describe('backend selection', () => {
  it('is idempotent and reports the threads it really has (Node wasm is single-threaded)', async () => {
    expect(await selectBackend({ backend: 'wasm', threads: 1 })).toBe('wasm');
    expect(activeThreads()).toBe(1);
  });

  const nativeInstalled = (() => {
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(nativeInstalled)('throws BackendUnavailableError for an absent native backend; auto falls back', async () => {
    await expect(selectBackend({ backend: 'tensorflow', threads: 1 })).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(selectBackend({ backend: 'tensorflow-gpu', threads: 1 })).rejects.toThrow(/tfjs-node-gpu/);
    expect(await selectBackend({ backend: 'auto', threads: 1 })).toBe('wasm');
  });
});

describe('architecture', () => {
  const cases: Array<[Partial<AutoencoderConfig>, number[]]> = [
    [{ encoder: 'default' }, [40, 256, 128, 16, 40]],
    [{ encoder: 'shallow' }, [40, 128, 64, 16, 40]],
    [{ encoder: 'deep', latent: 8 }, [40, 256, 128, 64, 8, 40]],
    [{ encoder: [30, 20], decoder: 'mirror' }, [40, 30, 20, 16, 20, 30, 40]],
  ];
  it.each(cases)('%o → %o', (overrides, sizes) => {
    const model = buildAutoencoder({ ...base, ...overrides }, 40, 1);
    expect(model.layerSizes).toEqual(sizes);
    const weights = model.namedWeights();
    const kernels = Object.keys(weights).filter((k) => k.endsWith('/kernel'));
    expect(kernels.map((k) => weights[k].length)).toEqual(sizes.slice(1).map((s, i) => sizes[i] * s));
    const x = gaussian(5, 40, 1);
    expect(model.encode(x).cols).toBe(sizes[sizes.indexOf(model.config.latent)]);
    expect(model.reconstruct(x).cols).toBe(40);
    model.dispose();
  });

  it('adds batch norm, activation and dropout layers to hidden blocks only', () => {
    const model = buildAutoencoder({ ...base, encoder: 'shallow', decoder: 'mirror', batch_norm: true, activation: 'leaky_relu', dropout: 0.1 }, 12, 1);
    const names = Object.keys(model.namedWeights());
    expect(names.filter((n) => n.endsWith('/moving_mean'))).toEqual(['enc_1_bn/moving_mean', 'enc_2_bn/moving_mean', 'dec_1_bn/moving_mean', 'dec_2_bn/moving_mean']);
    expect(model.layerSizes).toEqual([12, 128, 64, 16, 64, 128, 12]);
    model.dispose();
  });
});

describe('determinism', () => {
  const config: AutoencoderConfig = { ...base, encoder: [24, 12], latent: 4, dropout: 0.2, batch_norm: true, decoder: 'mirror' };
  const train = gaussian(200, 30, 1);
  const val = gaussian(40, 30, 2);
  async function run(seed: number) {
    const model = buildAutoencoder(config, 30, seed);
    const result = await fit(model, { train, val }, { ...loop, weight_decay: 0.01 }, seed);
    const weights = model.namedWeights();
    model.dispose();
    return { losses: result.history.map((h) => [h.loss, h.val_loss]), weights };
  }

  it.each(['wasm', 'cpu'] as const)('%s: same seed ⇒ bit-identical losses and weights; another seed ⇒ different', async (backend) => {
    await selectBackend({ backend, threads: 1 });
    try {
      const a = await run(11);
      const b = await run(11);
      const c = await run(12);
      expect(b.losses).toEqual(a.losses);
      for (const name of Object.keys(a.weights)) expect(Buffer.from(b.weights[name].buffer).equals(Buffer.from(a.weights[name].buffer))).toBe(true);
      expect(c.losses).not.toEqual(a.losses);
      expect(c.weights['enc_1/kernel']).not.toEqual(a.weights['enc_1/kernel']);
    } finally {
      await selectBackend({ backend: 'wasm', threads: 1 });
    }
  });
});

describe('fidelity', () => {
  it('a linear autoencoder with latent k matches rank-k PCA reconstruction within 2%', async () => {
    const k = 3;
    const x = lowRank(500, 20, [5, 3, 2], 0.3, 3);
    const oracle = pcaResidualMse(x, k);
    const model = buildAutoencoder({ encoder: [12], latent: k, decoder: 'linear', activation: 'linear', dropout: 0, batch_norm: false }, 20, 5);
    const options: LoopOptions = { ...loop, lr: 0.01, batch_size: 50, max_epochs: 120, output_l2: 0 };
    const callbacks = [reduceLrOnPlateau({ enabled: true, factor: 0.3, patience: 1, min_lr: 1e-5, every: 5 })];
    await fit(model, { train: x, val: x }, options, 5, callbacks);
    const achieved = mse(model.reconstruct(x), x);
    model.dispose();
    expect(achieved).toBeGreaterThan(oracle * (1 - 1e-3));
    expect(achieved).toBeLessThan(oracle * 1.02);
  });
});

describe('fit and callback signals', () => {
  const train = gaussian(120, 10, 4);
  const val = gaussian(30, 10, 5);
  const config: AutoencoderConfig = { ...base, encoder: [8], latent: 3 };

  it('applies lr and stop signals, and reports the history', async () => {
    const model = buildAutoencoder(config, 10, 1);
    const seen: number[] = [];
    const scripted: Callback = {
      onEpochEnd: (epoch) => {
        seen.push(epoch);
        if (epoch === 1) return { lr: 0 };
        if (epoch === 3) return { stop: true };
      },
    };
    const result = await fit(model, { train, val }, { ...loop, max_epochs: 10 }, 1, [scripted]);
    model.dispose();
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(result.history.map((h) => h.lr)).toEqual([0.005, 0.005, 0, 0]);
    // A zero rate freezes the weights: the optimizer really uses the rate the callback set.
    expect(result.history[3].val_loss).toBe(result.history[1].val_loss);
    expect(result.history[1].val_loss).not.toBe(result.history[0].val_loss);
    expect(result.stopped_early).toBe(true);
    expect(result.history.every((h) => h.seconds > 0 && Number.isFinite(h.loss))).toBe(true);
  });

  it('leaves no tensors behind (optimizer state, snapshots and batches are freed)', async () => {
    const model = buildAutoencoder({ ...config, dropout: 0.1, batch_norm: true }, 10, 1);
    const before = tf.memory().numTensors;
    const stopping = earlyStopping({ enabled: true, patience: 2, min_delta: 0, restore_best: true });
    await fit(model, { train, val }, { ...loop, weight_decay: 0.1, latent_l1: 0.01 }, 1, [stopping]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it.each([true, false])('restore_best=%s leaves the best or the final weights in the model', async (restoreBest) => {
    const model = buildAutoencoder(config, 10, 2);
    // A high rate makes validation loss wander, so the best epoch is rarely the last.
    const options = { ...loop, lr: 0.1, max_epochs: 20 };
    const stopping = earlyStopping({ enabled: false, patience: 1, min_delta: 0, restore_best: restoreBest });
    const result = await fit(model, { train, val }, options, 3, [stopping]);
    const now = mse(model.reconstruct(val), val);
    model.dispose();
    expect(result.best_epoch).toBeLessThan(result.history.length - 1);
    const expected = restoreBest ? result.best_val_loss : result.history.at(-1)!.val_loss;
    expect(result.restored_snapshot).toBe(restoreBest);
    expect(now).toBeCloseTo(expected, 5);
    expect(result.best_val_loss).toBe(Math.min(...result.history.map((h) => h.val_loss)));
  });
});

describe('what training watches: val_loss is the reconstruction MSE alone, as the reference logs it', () => {
  const train = gaussian(120, 10, 4);
  const val = gaussian(30, 10, 5);
  const config: AutoencoderConfig = { ...base, encoder: [8], latent: 3 };

  it('with non-zero output_l2 and latent_l1, val_loss equals MSE(x̂, x) computed by hand, val_objective adds the penalties', async () => {
    const model = buildAutoencoder(config, 10, 6);
    const options = { ...loop, output_l2: 0.5, latent_l1: 0.3, max_epochs: 3 };
    const result = await fit(model, { train, val }, options, 6);
    // No callback restores anything: the model holds the weights the last epoch was validated with.
    const last = result.history.at(-1)!;
    const byHand = mse(model.reconstruct(val), val);
    const objective = objectiveOf(model, val, options);
    model.dispose();
    expect(Math.abs(last.val_loss - byHand) / byHand).toBeLessThan(1e-5);
    expect(Math.abs(last.val_objective - objective) / objective).toBeLessThan(1e-5);
    // The penalties are far from negligible here, so comparing with the objective instead would fail.
    expect(objective - byHand).toBeGreaterThan(0.05 * byHand);
    // The best epoch and best_val_loss follow val_loss.
    expect(result.best_val_loss).toBe(Math.min(...result.history.map((h) => h.val_loss)));
  });
});

describe('a non-finite loss (training.on_nonfinite)', () => {
  const train = gaussian(120, 10, 4);
  const val = gaussian(30, 10, 5);
  const config: AutoencoderConfig = { ...base, encoder: [8], latent: 3 };
  // lr 1e300: Adam's first step moves every weight by about ±1e300; the next batch's loss overflows.
  const diverging = { ...loop, lr: 1e300, max_epochs: 5 };

  it('fail: training stops at the first such epoch with a user error naming the epoch, the value and training.lr', async () => {
    const model = buildAutoencoder(config, 10, 1);
    const seen: EpochLogs[] = [];
    const logger: Callback = { onEpochEnd: (_, logs) => void seen.push(logs) };
    const error = await fit(model, { train, val }, diverging, 1, [nonFiniteGuard('fail', diverging), logger]).then(
      () => null,
      (e: unknown) => e,
    );
    model.dispose();
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error).toBeInstanceOf(UserError);
    const e = error as TrainingDivergedError;
    // Epoch 1 (of 5) is the first whose losses are not finite; the other callbacks still logged it, and no more.
    expect(seen).toHaveLength(1);
    expect(e.epoch).toBe(1);
    expect(Number.isFinite(e.value)).toBe(false);
    expect(e.message).toContain(`training diverged at epoch 1/5: training loss ${seen[0].loss}, val_loss ${seen[0].val_loss}`);
    expect(seen[0][e.quantity]).toBe(e.value);
    expect(e.message).toMatch(/training\.lr too high \(1e\+300 here/);
    expect(e.message).toContain('training.on_nonfinite: stop');
  });

  it('stop: training ends at that epoch and fit returns its history', async () => {
    const model = buildAutoencoder(config, 10, 1);
    const result = await fit(model, { train, val }, diverging, 1, [nonFiniteGuard('stop', diverging)]);
    model.dispose();
    expect(result.history).toHaveLength(1);
    expect(result.stopped_early).toBe(true);
    expect(Number.isFinite(result.history[0].val_loss) && Number.isFinite(result.history[0].loss)).toBe(false);
  });

  it('leaves finite training alone', async () => {
    const model = buildAutoencoder(config, 10, 1);
    const result = await fit(model, { train, val }, { ...loop, max_epochs: 3 }, 1, [nonFiniteGuard('fail', loop)]);
    model.dispose();
    expect(result.history).toHaveLength(3);
    expect(result.stopped_early).toBe(false);
  });

  it('the train stage throws it (the runner marks the run failed) and frees the model', async () => {
    const spec = validateExperiment({ experiment: 'x', model: config, training: { lr: 1e300, max_epochs: 5 } }).value as ResolvedSpec;
    const out = mkdtempSync(join(tmpdir(), 'ads-diverge-'));
    const before = tf.memory().numTensors;
    await expect(trainAutoencoder({ train, val }, spec, 1, { tbDir: join(out, 'tb'), report: () => {}, callbacks: [] })).rejects.toThrow(
      /training diverged at epoch 1\/5: training loss (NaN|-?Infinity), val_loss (NaN|-?Infinity)/,
    );
    expect(tf.memory().numTensors).toBe(before);
    rmSync(out, { recursive: true, force: true });
  });

  it('ads run with training.lr=1e300 on the simulated screen: the run ends failed, the manifest naming the epoch and the value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ads-diverge-cli-'));
    const spec = join(dir, 'diverge.yaml');
    writeFileSync(
      spec,
      [
        'experiment: diverge',
        'dataset: { synthetic: { plates: 4, moas: 3, compounds_per_moa: 3, features: 30, factors: 5 } }',
        'training: { max_epochs: 5 }',
        'evaluation: { moa: { enabled: false }, map: { enabled: false } }',
      ].join('\n'),
    );
    const r = await ads(['run', spec, '--set', 'training.lr=1e300', '--runs-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports'), '--no-report']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/\n\s+at .*\.ts:\d+/); // no stack trace
    const exp = join(dir, 'runs', 'diverge');
    const [run] = readdirSync(exp, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'tb');
    const manifest = JSON.parse(readFileSync(join(exp, run.name, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatch(/training diverged at epoch 1\/5: training loss (NaN|-?Infinity), val_loss (NaN|-?Infinity)/);
    expect(manifest.error).toContain('training.lr too high (1e+300 here');
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});

describe('early stopping (scripted val_loss)', () => {
  it('stops once patience epochs in a row fail to improve by more than min_delta', () => {
    const cb = earlyStopping({ enabled: true, patience: 3, min_delta: 0, restore_best: false });
    const signals = epochs([1, 0.9, 0.95, 0.91, 0.92, 0.8], cb);
    expect(signals.map((s) => Boolean(s.stop))).toEqual([false, false, false, false, true, false]);
    const strict = earlyStopping({ enabled: true, patience: 2, min_delta: 0.05, restore_best: false });
    // 0.97 and 0.96 improve on 1 but not by more than 0.05: the count keeps running.
    expect(epochs([1, 0.97, 0.96], strict).map((s) => Boolean(s.stop))).toEqual([false, false, true]);
  });

  it('snapshots every new best and asks for a restore only with restore_best', () => {
    const keep = earlyStopping({ enabled: false, patience: 1, min_delta: 0.5, restore_best: true });
    expect(epochs([1, 0.9, 0.95, 0.85, 2], keep).map((s) => Boolean(s.snapshot))).toEqual([true, true, false, true, false]);
    expect(epochs([1, 0.9, 0.95, 0.85, 2], keep).some((s) => s.stop)).toBe(false);
    expect(keep.onTrainEnd?.({ epochs: 5, stopped_early: false })).toEqual({ restoreSnapshot: true });
    const final = earlyStopping({ enabled: true, patience: 1, min_delta: 0, restore_best: false });
    expect(epochs([1, 0.9], final).some((s) => s.snapshot)).toBe(false);
    expect(final.onTrainEnd?.({ epochs: 2, stopped_early: false })).toEqual({ restoreSnapshot: false });
  });

  it('stops at once on a non-finite val_loss', () => {
    const cb = earlyStopping({ enabled: true, patience: 10, min_delta: 0, restore_best: false });
    expect(epochs([1, NaN], cb).map((s) => Boolean(s.stop))).toEqual([false, true]);
  });
});

describe('reduce LR on plateau (scripted val_loss)', () => {
  function lrChanges(values: number[], options: Parameters<typeof reduceLrOnPlateau>[0], lr0 = 0.005) {
    const cb = reduceLrOnPlateau(options);
    cb.onTrainStart?.({ max_epochs: values.length, lr: lr0 });
    const changes: Array<[number, number]> = [];
    let lr = lr0;
    values.forEach((val_loss, epoch) => {
      const signal = cb.onEpochEnd?.(epoch, { loss: val_loss, val_loss, val_objective: val_loss, lr, seconds: 0 } satisfies EpochLogs) as EpochSignal | void;
      if (signal?.lr !== undefined) {
        lr = signal.lr;
        changes.push([epoch, lr]);
      }
    });
    return changes;
  }

  it('reference settings (every 10, patience 10): first reduction after epoch 120 of a plateau', () => {
    const flat = Array.from({ length: 250 }, (_, e) => (e < 10 ? 1 - e / 100 : 0.91));
    const changes = lrChanges(flat, { enabled: true, factor: 0.1, patience: 10, min_lr: 0, every: 10 });
    expect(changes.map(([e]) => e)).toEqual([119, 229]);
    expect(changes[0][1]).toBeCloseTo(0.0005, 12);
  });

  it('sees only the checked epochs, uses a 1e-4 relative threshold, and respects min_lr', () => {
    // Checks at epochs 1, 3, 5, 7, 9 (every 2). Epoch 2's dip is never seen; 0.99995 is not a 1e-4 improvement.
    const values = [9, 1, 0.1, 0.99995, 9, 0.99, 9, 0.99, 9, 0.99];
    const changes = lrChanges(values, { enabled: true, factor: 0.5, patience: 1, min_lr: 0.002, every: 2 });
    // Check 1 best=1; check 2 bad (1); check 3 improves (0.99); checks 4, 5 bad → reduce at epoch 9.
    expect(changes).toEqual([[9, 0.0025]]);
    const clamped = lrChanges([1, 1, 1, 1, 1, 1], { enabled: true, factor: 0.1, patience: 0, min_lr: 0.002, every: 1 });
    expect(clamped).toEqual([[1, 0.002]]);
    expect(lrChanges([1, 1, 1, 1], { enabled: false, factor: 0.1, patience: 0, min_lr: 0, every: 1 })).toEqual([]);
  });
});

describe('progress', () => {
  it('reports one line per epoch', () => {
    const lines: string[] = [];
    epochs([0.5, 0.25], progress((line) => lines.push(line)));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^epoch 2\/2 {2}loss 0\.2500 {2}val_loss 0\.2500 {2}lr 5\.0e-3/);
  });
});

describe('save and load', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ae-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips to identical reconstructions in tfjs layers format', async () => {
    const config: AutoencoderConfig = { encoder: [16, 8], latent: 4, decoder: 'mirror', activation: 'leaky_relu', dropout: 0.1, batch_norm: true };
    const model = buildAutoencoder(config, 12, 9);
    const train = gaussian(64, 12, 6);
    await fit(model, { train, val: gaussian(16, 12, 7) }, loop, 9);
    await model.save(dir);
    expect(existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'weights.bin'))).toBe(true);
    const loaded = await loadAutoencoder(dir);
    expect(loaded.config).toEqual(config);
    expect(loaded.layerSizes).toEqual(model.layerSizes);
    expect(loaded.reconstruct(train).data).toEqual(model.reconstruct(train).data);
    expect(loaded.encode(train).data).toEqual(model.encode(train).data);
    expect(loaded.namedWeights()).toEqual(model.namedWeights());
    model.dispose();
    loaded.dispose();
  });
});
