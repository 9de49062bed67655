import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * An exclusive lock file per run, so two processes (two shells, two Slurm tasks on a shared file system)
 * never run the same run at once. Created with O_EXCL, which is atomic on local and NFSv3+ file systems.
 * A lock left by a killed process on this host is taken over; one from another host is respected.
 */
export interface Lock {
  release(): void;
}

export interface Holder {
  pid: number;
  host: string;
  since: string;
}

export function tryLock(path: string): Lock | Holder {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(path);
      if (holder && !processGone(holder)) return holder;
      rmSync(path, { force: true });
    }
  }
  return readHolder(path) ?? { pid: -1, host: 'unknown', since: '' };
}

export function isLock(x: Lock | Holder): x is Lock {
  return 'release' in x;
}

function readHolder(path: string): Holder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return null;
  }
}

/** Whether a process of this host is known to have exited; one of another host cannot be checked (false). */
export function processGone(h: { pid: number; host: string }): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
