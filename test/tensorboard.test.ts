import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from '../src/tensorboard/crc32c.ts';
import {
  fileVersionEvent,
  histogramOf,
  histogramValue,
  scalarValue,
  summaryEvent,
  textValue,
} from '../src/tensorboard/events.ts';
import {
  type ExperimentConfig,
  sessionEndValue,
  sessionStartValue,
  writeHParamsExperiment,
  writeSessionEnd,
  writeSessionStart,
} from '../src/tensorboard/hparams.ts';
import {
  bytesField,
  doubleField,
  floatField,
  message,
  messageField,
  packedDoubleField,
  varint,
  varintField,
} from '../src/tensorboard/protobuf.ts';
import { frameRecord, SummaryWriter } from '../src/tensorboard/writer.ts';
import { ads } from './support/cli.ts';
import { describeWithShared, sharedPath } from './support/shared.ts';

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Splits a TFRecord file, checking both masked CRCs of every record with our implementation. */
function readRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < file.length) {
    const n = Number(view.getBigUint64(i, true));
    expect(view.getUint32(i + 8, true), `length CRC at byte ${i}`).toBe(maskedCrc32c(file.subarray(i, i + 8)));
    const data = file.subarray(i + 12, i + 12 + n);
    expect(view.getUint32(i + 12 + n, true), `data CRC at byte ${i}`).toBe(maskedCrc32c(data));
    out.push(data);
    i += 16 + n;
  }
  expect(i).toBe(file.length);
  return out;
}

/** A clock that returns the given times in order and fails if read more often than expected. */
function sequenceClock(...times: number[]): () => number {
  let k = 0;
  return () => {
    if (k >= times.length) throw new Error(`clock read ${k + 1} times, only ${times.length} scripted`);
    return times[k++];
  };
}

const tmpDirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tb-test-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('crc32c', () => {
  it('matches the standard check value and RFC 3720 vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it('masks as (crc >>> 15 | crc << 17) + 0xa282ead8', () => {
    const c = 0xe3069283;
    expect(maskedCrc32c(ascii('123456789'))).toBe((((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0);
    expect(maskedCrc32c(ascii('123456789'))).toBe(0xc78ab0e5);
    // The header of a 24-byte record (the file_version event): bytes a37f4b22 in every golden file.
    expect(maskedCrc32c(Uint8Array.of(24, 0, 0, 0, 0, 0, 0, 0))).toBe(0x224b7fa3);
  });
});

describe('protobuf encoder', () => {
  it('encodes varints, including 64-bit and negative values', () => {
    expect(hex(varint(0))).toBe('00');
    expect(hex(varint(1))).toBe('01');
    expect(hex(varint(300))).toBe('ac02');
    expect(hex(varint(2 ** 35))).toBe('8080808080' + '01');
    expect(hex(varint(-1))).toBe('ffffffffffffffffff01');
    expect(hex(varint(2n ** 63n))).toBe('80808080808080808001');
    expect(() => varint(1.5)).toThrow(RangeError);
  });

  it('encodes each wire type with its key', () => {
    expect(hex(varintField(2, 5))).toBe('1005');
    expect(hex(varintField(4, true))).toBe('2001');
    expect(hex(varintField(4, false))).toBe('2000');
    expect(hex(doubleField(1, 1700000000))).toBe('0900000040fc54d941');
    expect(hex(floatField(2, 0.5))).toBe('150000003f');
    expect(hex(bytesField(1, 'é'))).toBe('0a02c3a9');
    expect(hex(bytesField(16, 'a'))).toBe('820101' + '61');
    expect(hex(packedDoubleField(6, [1, 2]))).toBe('3210' + '000000000000f03f' + '0000000000000040');
  });

  it('nests messages, keeps empty ones and skips absent fields', () => {
    expect(hex(messageField(2))).toBe('1200');
    expect(hex(messageField(5, bytesField(1, 'a'), false, undefined, varintField(2, 1)))).toBe('2a05' + '0a0161' + '1001');
    expect(hex(message(false, undefined))).toBe('');
  });
});

describe('histogramOf', () => {
  it('uses equal-width buckets with the last one closed, as histogram summary_v2 does', () => {
    const h = histogramOf([0, 1, 2, 3], 2);
    expect(Array.from(h.bucketLimit)).toEqual([1.5, 3]);
    expect(Array.from(h.bucket)).toEqual([2, 2]);
    expect([h.min, h.max, h.num, h.sum, h.sumSquares]).toEqual([0, 3, 4, 6, 14]);
  });

  it('defaults to 30 buckets ending exactly at max and counting every value', () => {
    const values = Array.from({ length: 100 }, (_, i) => i * 0.1);
    const h = histogramOf(values);
    expect(h.bucket.length).toBe(30);
    expect(h.bucketLimit[29]).toBe(h.max);
    expect(Array.from(h.bucket).reduce((a, b) => a + b, 0)).toBe(100);
    expect(h.bucket[29]).toBeGreaterThan(0);
  });

  it('handles constant, empty and non-finite data', () => {
    expect(histogramOf([5, 5, 5])).toMatchObject({ min: 5, max: 5, num: 3, bucketLimit: [5], bucket: [3] });
    expect(histogramOf([])).toMatchObject({ num: 0, bucketLimit: [], bucket: [] });
    expect(histogramOf([NaN, 1, Infinity, 2], 1)).toMatchObject({ min: 1, max: 2, num: 2, sum: 3 });
    expect(() => histogramOf([1], 0)).toThrow(RangeError);
  });
});

describe('SummaryWriter', () => {
  it('names the file like TensorFlow and starts it with a file_version event', () => {
    const dir = tempDir();
    const w = new SummaryWriter(join(dir, 'a', 'b'), { clock: () => 1700000000.25, hostname: 'box', filenameSuffix: 'v2' });
    w.close();
    expect(basename(w.path)).toBe('events.out.tfevents.1700000000.box.v2');
    const records = readRecords(readFileSync(w.path));
    expect(records.map(hex)).toEqual([hex(fileVersionEvent(1700000000.25))]);
  });

  it('has every record on disk before close, and refuses to write after it', () => {
    const dir = tempDir();
    const w = new SummaryWriter(dir, { clock: sequenceClock(10, 11, 12), hostname: 'h' });
    w.scalar('loss', 0.25, 1);
    w.scalar('loss', 0.125, 2 ** 40);
    expect(readRecords(readFileSync(w.path)).map(hex)).toEqual(
      [fileVersionEvent(10), summaryEvent(11, 1, [scalarValue('loss', 0.25)]), summaryEvent(12, 2 ** 40, [scalarValue('loss', 0.125)])].map(hex),
    );
    w.close();
    expect(() => w.scalar('loss', 1, 3)).toThrow(/closed/);
  });
});

describeWithShared('golden event files (TensorBoard 2.21 reads these)', () => {
  const golden = (...p: string[]) => sharedPath('golden', 'tensorboard', ...p);
  const goldenRecords = (...p: string[]) => readRecords(readFileSync(golden(...p)));

  /** Both the records (for a readable diff) and the whole file must match. */
  function expectSameFile(ours: string, theirs: string): void {
    expect(basename(ours)).toBe(basename(theirs));
    const a = readFileSync(ours);
    const b = readFileSync(theirs);
    expect(readRecords(a).map(hex)).toEqual(readRecords(b).map(hex));
    expect(hex(a)).toBe(hex(b));
  }

  it('frames every golden record exactly as frameRecord does', () => {
    const file = readFileSync(golden('hparams_logdir', 'run0', 'events.out.tfevents.1700000000.hp'));
    const records = readRecords(file);
    expect(records).toHaveLength(4);
    expect(hex(Buffer.concat(records.map(frameRecord)))).toBe(hex(file));
  });

  it('reproduces the scalar run file byte for byte', () => {
    const dir = tempDir();
    const w = new SummaryWriter(dir, { clock: sequenceClock(1700000000, 1700000001), hostname: 'golden' });
    w.scalar('loss', 0.5, 5);
    w.close();
    expectSameFile(w.path, golden('run1', 'events.out.tfevents.1700000000.golden'));
  });

  it('reproduces the experiment summary at the log root', () => {
    const dir = tempDir();
    const config: ExperimentConfig = {
      hparams: [
        { name: 'lr', type: 'number' },
        { name: 'encoder_type', type: 'string', values: ['default', 'shallow', 'deep'] },
      ],
      metrics: [{ tag: 'percent_replicating' }, { tag: 'loss', group: 'train' }],
    };
    const path = writeHParamsExperiment(dir, config, { clock: () => 1700000000, hostname: 'exp' });
    expectSameFile(path, golden('hparams_logdir', 'events.out.tfevents.1700000000.exp'));
  });

  for (const [run, encoder, lr, pr] of [
    ['run0', 'shallow', 0.005, 61.5],
    ['run1', 'deep', 0.001, 55],
  ] as const) {
    it(`reproduces ${run}: session start, metric, session end; and its train scalars`, () => {
      const dir = tempDir();
      const w = new SummaryWriter(join(dir, run), {
        clock: sequenceClock(1700000000, 1700000000, 1700000050, 1700000100),
        hostname: 'hp',
      });
      writeSessionStart(w, { lr, encoder_type: encoder });
      w.scalar('percent_replicating', pr, 1);
      writeSessionEnd(w, 'success');
      w.close();
      expectSameFile(w.path, golden('hparams_logdir', run, 'events.out.tfevents.1700000000.hp'));

      const train = new SummaryWriter(join(dir, run, 'train'), {
        clock: sequenceClock(1700000000, 1700000001, 1700000002, 1700000003),
        hostname: 'train',
      });
      [1, 0.5, 1 / 3].forEach((loss, i) => train.scalar('loss', loss, i + 1));
      train.close();
      expectSameFile(train.path, golden('hparams_logdir', run, 'train', 'events.out.tfevents.1700000000.train'));
    });
  }

  it('re-encodes the text (rank-1, torch style) and legacy histogram records', () => {
    // Record-level only: this file's name (…1700000001) and header time (…0000) differ, which a
    // single-clock writer never produces.
    const records = goldenRecords('hparams_logdir', 'run0', 'events.out.tfevents.1700000001.extra');
    const markdown = '# Report\n| rep | PR |\n|---|---|\n| Anomaly | 61.5 |';
    const ours = [
      fileVersionEvent(1700000000),
      summaryEvent(1700000010, 2, [textValue('report/text_summary', markdown, [1])]),
      summaryEvent(1700000011, 2, [
        histogramValue('recon_error', { min: -0.5, max: 2, num: 6, sum: 7, sumSquares: 11, bucketLimit: [0, 1, 2], bucket: [1, 3, 2] }),
      ]),
    ];
    expect(records.map(hex)).toEqual(ours.map(hex));
  });

  it('encodes hparams values that are not in the golden files with the right field numbers', () => {
    // SessionStartInfo with a bool, a group name; SessionEndInfo with FAILURE (2).
    const start = sessionStartValue({ bn: false }, 1.5, 'g');
    expect(hex(start)).toContain(hex(messageField(1, bytesField(1, 'bn'), bytesField(2, varintField(4, false)))));
    expect(hex(start)).toContain(hex(bytesField(4, 'g')) + hex(doubleField(5, 1.5)));
    expect(hex(sessionEndValue('failure', 2))).toContain(hex(bytesField(4, message(varintField(1, 2), doubleField(2, 2)))));
  });
});

describeWithShared('a full log directory, decoded by tfevents_dump.py', () => {
  interface Row {
    run: string;
    step: number;
    kind: string;
    tag: string;
    value: unknown;
  }

  it('holds the experiment, sessions, scalars, histogram and text we wrote', () => {
    const dir = tempDir();
    writeHParamsExperiment(dir, {
      hparams: [
        { name: 'lr', type: 'number', values: [0.001, 0.005] },
        { name: 'encoder_type', type: 'string', values: ['shallow', 'deep'] },
        { name: 'batch_norm', type: 'boolean' },
      ],
      metrics: [
        { tag: 'loss', group: 'train' },
        { tag: 'loss', group: 'val' },
        { tag: 'percent_replicating', displayName: 'Percent replicating' },
      ],
      timeCreatedSecs: 1700000000,
    });
    const markdown = '## Summary\n\n| metric | value |\n|---|---|\n| PR | 42.5 |';
    const session = new SummaryWriter(join(dir, 'deep-lr0.001'));
    writeSessionStart(session, { lr: 0.001, encoder_type: 'deep', batch_norm: false }, 'deep');
    session.histogram('recon_error', Array.from({ length: 200 }, (_, i) => Math.sin(i)), 7);
    session.text('report', markdown, 7);
    session.scalar('percent_replicating', 42.5, 7);
    for (const [split, losses] of [
      ['train', [0.9, 0.4]],
      ['val', [1.1, 0.6]],
    ] as const) {
      const w = new SummaryWriter(join(dir, 'deep-lr0.001', split));
      losses.forEach((loss, i) => w.scalar('loss', loss, (i + 1) * 2 ** 32));
      w.close();
    }
    writeSessionEnd(session, 'success');
    session.close();

    const out = execFileSync('python3', [sharedPath('tools', 'tfevents_dump.py'), dir, '--json'], { encoding: 'utf8' });
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row)
      .filter((r) => r.kind !== 'file_version');
    const f = Math.fround;
    const run = 'deep-lr0.001';
    // The dump lists files in path order, so the root's experiment is compared on its own.
    expect(rows.filter((r) => r.run === '.')).toEqual([
      {
        run: '.',
        step: 0,
        kind: 'hparams:experiment',
        tag: '_hparams_/experiment',
        value: {
          hparam_infos: ['lr', 'encoder_type', 'batch_norm'],
          metric_infos: [
            ['train', 'loss'],
            ['val', 'loss'],
            ['', 'percent_replicating'],
          ],
        },
      },
    ]);
    expect(rows.filter((r) => r.run !== '.')).toEqual([
      {
        run,
        step: 0,
        kind: 'hparams:session_start_info',
        tag: '_hparams_/session_start_info',
        value: { hparams: { batch_norm: false, encoder_type: 'deep', lr: 0.001 }, group_name: 'deep' },
      },
      { run, step: 7, kind: 'histogram', tag: 'recon_error', value: { num: 200, buckets: 30 } },
      { run, step: 7, kind: 'text', tag: 'report', value: markdown },
      { run, step: 7, kind: 'scalar', tag: 'percent_replicating', value: 42.5 },
      { run, step: 0, kind: 'hparams:session_end_info', tag: '_hparams_/session_end_info', value: { status: 1 } },
      { run: `${run}/train`, step: 2 ** 32, kind: 'scalar', tag: 'loss', value: f(0.9) },
      { run: `${run}/train`, step: 2 ** 33, kind: 'scalar', tag: 'loss', value: f(0.4) },
      { run: `${run}/val`, step: 2 ** 32, kind: 'scalar', tag: 'loss', value: f(1.1) },
      { run: `${run}/val`, step: 2 ** 33, kind: 'scalar', tag: 'loss', value: f(0.6) },
    ]);
  });
});

/** A Python with TensorBoard installed (ADS_TENSORBOARD_PYTHON, else python3), or null: the real-TensorBoard checks then skip, saying so. */
const tensorboardPython = (() => {
  const python = process.env.ADS_TENSORBOARD_PYTHON ?? 'python3';
  try {
    execFileSync(python, ['-c', 'import tensorboard'], { stdio: 'ignore' });
    return python;
  } catch {
    return null;
  }
})();

describeWithShared('the run store of a sweep, as TensorBoard shows it', () => {
  const work = tempDir();
  const runsDir = join(work, 'runs');
  const logdir = join(runsDir, 'tbx');
  let rows: { run: string; step: number; kind: string; tag: string; value: unknown }[] = [];
  let runIds: string[] = [];

  beforeAll(async () => {
    const spec = join(work, 'tbx.yaml');
    writeFileSync(
      spec,
      [
        'experiment: tbx',
        'dataset: { source: synthetic, synthetic: { plates: 4, moas: 4, compounds_per_moa: 3, features: 30, factors: 6 } }',
        // 25 epochs: histograms every ⌈25 / 20⌉ = 2 epochs, 0 to 24.
        'training: { max_epochs: 25, early_stopping: { enabled: false } }',
        'evaluation: { moa: { enabled: false }, map: { enabled: false } }',
        'sweep:',
        '  grid: { model.latent: [4, 16], model.activation: [relu, tanh], training.lr: [0.001, 0.005] }',
        '  seeds: [1]',
        '',
      ].join('\n'),
    );
    const r = await ads(['run', spec, '--runs-dir', runsDir, '--no-report', '--plain']);
    if (r.code !== 0) throw new Error(`ads run failed (${r.code}): ${r.stderr}`);
    runIds = readdirSync(logdir).filter((d) => existsSync(join(logdir, d, 'manifest.json')));
    rows = execFileSync('python3', [sharedPath('tools', 'tfevents_dump.py'), logdir, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  }, 300_000);

  const manifestOf = (id: string) => JSON.parse(readFileSync(join(logdir, id, 'manifest.json'), 'utf8'));
  const nameOf = (id: string) => {
    const m = manifestOf(id);
    return `tb/model.latent=${m.point['model.latent']},model.activation=${m.point['model.activation']},training.lr=${m.point['training.lr']},seed=1,run=${id}`;
  };

  it('names every run by its sweep point and seed, the run id last', () => {
    expect(runIds).toHaveLength(8);
    const runs = new Set(rows.map((r) => r.run));
    for (const id of runIds) for (const sub of ['', '/train', '/val']) expect(runs, `${nameOf(id)}${sub}`).toContain(`${nameOf(id)}${sub}`);
    expect(runs.size).toBe(1 + 3 * 8);
  });

  it('keeps weight histograms in train and reconstruction-error histograms in val, every 2 epochs', () => {
    const run = nameOf(runIds[0]);
    const steps = (sub: string, tag: string) => rows.filter((r) => r.run === `${run}${sub}` && r.kind === 'histogram' && r.tag === tag).map((r) => r.step);
    const every2 = Array.from({ length: 13 }, (_, i) => 2 * i);
    expect(steps('/train', 'weights/latent/kernel')).toEqual(every2);
    expect(steps('/val', 'reconstruction_error/per_feature')).toEqual(every2);
    expect(rows.filter((r) => r.run === `${run}/train` && r.tag.startsWith('reconstruction_error'))).toEqual([]);
    expect(rows.filter((r) => r.run === `${run}/val` && r.tag.startsWith('weights/'))).toEqual([]);
    // Each sub-run holds its own curves: 25 epochs of training loss in train, of validation loss in val.
    expect(rows.filter((r) => r.run === `${run}/train` && r.kind === 'scalar' && r.tag === 'loss')).toHaveLength(25);
    expect(rows.filter((r) => r.run === `${run}/val` && r.kind === 'scalar' && r.tag === 'loss')).toHaveLength(25);
  });

  describe.skipIf(!tensorboardPython)(
    `read by TensorBoard itself${tensorboardPython ? '' : ' [skipped: no Python with tensorboard; set ADS_TENSORBOARD_PYTHON or pip install tensorboard]'}`,
    () => {
      it('types the HParams columns by the schema: integers as integers, choices over every allowed value', () => {
        const out = JSON.parse(execFileSync(tensorboardPython!, [join(import.meta.dirname, 'oracles', 'tensorboard_read.py'), logdir], { encoding: 'utf8', maxBuffer: 64 << 20 }));
        // TensorBoard prints float64 to 5 digits (16 → "16.000"): integer settings are strings over their values in numeric order.
        expect(out.experiment).toEqual([
          { name: 'model.latent', type: 'string', domain: ['4', '16'] },
          { name: 'model.activation', type: 'string', domain: ['relu', 'leaky_relu', 'elu', 'tanh', 'linear'] },
          { name: 'training.lr', type: 'float64', domain: [0.001, 0.005] },
          { name: 'seed', type: 'string', domain: ['1'] },
        ]);
        for (const id of runIds) {
          const m = manifestOf(id);
          expect(out.sessions[nameOf(id)]).toEqual({ 'model.latent': String(m.point['model.latent']), 'model.activation': m.point['model.activation'], 'training.lr': m.point['training.lr'], seed: '1' });
          expect(out.runs[`${nameOf(id)}/train`]['weights/latent/kernel']).toEqual({ plugin: 'histograms', steps: Array.from({ length: 13 }, (_, i) => 2 * i) });
          expect(out.runs[`${nameOf(id)}/val`]['reconstruction_error/per_feature'].plugin).toBe('histograms');
          expect(out.runs[nameOf(id)].spec.plugin).toBe('text');
        }
      });
    },
  );
});
