import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isLock, tryLock } from '../src/run/lock.ts';
import type { Manifest } from '../src/run/manifest.ts';
import { RunDir } from '../src/run/store.ts';
import { canonicalJson, writeFileAtomic } from '../src/run/files.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'ads-store-'));

describe('run store', () => {
  it('a lock is exclusive while its holder lives', () => {
    const path = join(tmp(), 'locks', 'r1.lock');
    const first = tryLock(path);
    expect(isLock(first)).toBe(true);
    const second = tryLock(path);
    expect(isLock(second)).toBe(false);
    if (!isLock(second)) expect(second.pid).toBe(process.pid);
    if (isLock(first)) first.release();
    expect(isLock(tryLock(path))).toBe(true);
  });

  it('a lock left by a dead process on this host is taken over; one from another host is respected', () => {
    const dir = tmp();
    // A pid that has surely exited: a finished child's.
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    writeFileSync(join(dir, 'a.lock'), JSON.stringify({ pid: dead, host: hostname(), since: '' }));
    expect(isLock(tryLock(join(dir, 'a.lock')))).toBe(true);
    writeFileSync(join(dir, 'b.lock'), JSON.stringify({ pid: dead, host: 'another-node', since: '' }));
    expect(isLock(tryLock(join(dir, 'b.lock')))).toBe(false);
  });

  it("a lock whose pid now names a process started after the lock was taken is a dead holder's, taken over", () => {
    const dir = tmp();
    // This process lives, but it started long after 2020: the holder of that lock died and its pid was reused.
    writeFileSync(join(dir, 'reused.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: '2020-01-01T00:00:00.000Z' }));
    expect(isLock(tryLock(join(dir, 'reused.lock')))).toBe(true);
    // Taken after this process started, the lock is this process's.
    writeFileSync(join(dir, 'held.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    expect(isLock(tryLock(join(dir, 'held.lock')))).toBe(false);
  });

  it('a lock its holder has created but not yet written is not taken: it is read again until it names its holder', async () => {
    const path = join(tmp(), 'shared.lock');
    // Another process creates the lock as tryLock does (O_EXCL), says so, and writes its record 0.3 s later.
    const holder = spawn(process.execPath, ['-e', [
      `const fs = require('node:fs'); fs.closeSync(fs.openSync(${JSON.stringify(path)}, 'wx')); console.log('created');`,
      `setTimeout(() => fs.writeFileSync(${JSON.stringify(path)}, JSON.stringify({ pid: process.pid, host: require('node:os').hostname(), since: new Date().toISOString() })), 300);`,
      'setTimeout(() => {}, 20000);',
    ].join('\n')]);
    try {
      await once(holder.stdout, 'data');
      const found = tryLock(path);
      expect(isLock(found)).toBe(false);
      if (!isLock(found)) expect(found.pid).toBe(holder.pid);
    } finally {
      holder.kill();
    }
  });

  it('a lock file that stays unreadable is broken once it is 5 s old, and taken over', () => {
    const path = join(tmp(), 'broken.lock');
    writeFileSync(path, '{"pid": 12');
    const old = new Date(Date.now() - 6000);
    utimesSync(path, old, old);
    expect(isLock(tryLock(path))).toBe(true);
  });

  it('only a manifest saying done, with a whole metrics.json and every output it lists, makes a result', () => {
    const dir = tmp();
    expect(new RunDir(dir).stored()).toMatchObject({ complete: false, reason: 'no manifest' });
    const m: Manifest = {
      status: 'running', run_id: 'r', experiment: 'e', seed: 1, point: {}, started_at: '', ended_at: null, seconds: {},
      backend: null, threads: 1, versions: {}, data_fingerprint: null, data: null, host: 'h', pid: 1, error: null, outputs: null,
    };
    new RunDir(dir).writeManifest(m);
    expect(new RunDir(dir).stored()).toMatchObject({ complete: false, reason: 'running' });
    mkdirSync(join(dir, 'tables'));
    writeFileSync(join(dir, 'metrics.json'), '{"percent_replicating": {"anomaly": {"percent": 40}}}');
    writeFileSync(join(dir, 'tables', 't.parquet'), 'abcdef');
    expect(new RunDir(dir).listOutputs()).toEqual({ 'metrics.json': 53, 'tables/t.parquet': 6 });
    new RunDir(dir).writeManifest({ ...m, status: 'done', outputs: new RunDir(dir).listOutputs() });
    expect(new RunDir(dir).stored()).toMatchObject({ complete: true, metrics: { percent_replicating: { anomaly: { percent: 40 } } } });
    writeFileSync(join(dir, 'metrics.json'), '');
    expect(new RunDir(dir).stored()).toMatchObject({ complete: false, reason: 'marked done, but metrics.json is empty' });
    writeFileSync(join(dir, 'metrics.json'), '[]');
    expect(new RunDir(dir).stored()).toMatchObject({ complete: false, reason: 'marked done, but metrics.json is not a JSON object' });
    rmSync(join(dir, 'metrics.json'));
    expect(new RunDir(dir).stored()).toMatchObject({ complete: false, reason: 'marked done, but metrics.json is missing' });
    writeFileSync(join(dir, 'manifest.json'), '{"status": "do'); // torn by hand: not a result
    expect(new RunDir(dir).readManifest()).toBeNull();
    expect(new RunDir(dir).stored()).toMatchObject({ complete: false, reason: 'manifest.json is not valid JSON' });
  });

  it('a failed atomic write leaves the old content and no temporary file', () => {
    const dir = tmp();
    writeFileAtomic(join(dir, 'x.json'), '{"old":1}');
    mkdirSync(join(dir, 'y.json', 'sub'), { recursive: true }); // a folder where the file should go: the rename fails
    expect(() => writeFileAtomic(join(dir, 'y.json'), '{}')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir).sort()).toEqual(['x.json', 'y.json']);
    expect(readFileSync(join(dir, 'x.json'), 'utf8')).toBe('{"old":1}');
  });

  it('atomic writes leave no temporary file and canonical JSON sorts keys', () => {
    const dir = tmp();
    writeFileAtomic(join(dir, 'x.json'), canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } }));
    expect(readFileSync(join(dir, 'x.json'), 'utf8')).toBe('{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
    expect(existsSync(join(dir, `x.json.${process.pid}.tmp`))).toBe(false);
  });
});
