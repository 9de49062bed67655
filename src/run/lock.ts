import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
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
      const found = recordOf(path);
      if (found === null) continue; // released meanwhile
      const holder = parseHolder(found);
      if (holder && !processGone(holder)) return holder;
      // Its holder is gone, or the file is broken: taken over, unless it changed since it was read.
      if (recordOf(path) === found) rmSync(path, { force: true });
    }
  }
  return parseHolder(recordOf(path) ?? '') ?? { pid: -1, host: 'unknown', since: '' };
}

/**
 * A lock file is created empty and its record written after (open with O_EXCL, then write), so for a moment
 * it reads empty. Taken then for a broken file and removed, the lock would be held twice: the same run run by
 * two processes at once, or two `--jobs` workers computing the same shared work. A record that does not parse
 * is therefore read again until the file is this old (by its modification time), and only then counts as
 * broken.
 */
const UNREADABLE_GRACE_MS = 5000;

/** The text of lock file `path` once it parses as a holder or counts as broken; null once the file is gone. */
function recordOf(path: string): string | null {
  for (;;) {
    let text: string;
    let modified: number;
    try {
      text = readFileSync(path, 'utf8');
      modified = statSync(path).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    if (parseHolder(text) || Date.now() - modified > UNREADABLE_GRACE_MS) return text;
    sleepSync(5);
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` milliseconds: the waits on lock files, which run where no event loop may turn. */
export function sleepSync(ms: number): void {
  Atomics.wait(PAUSE, 0, 0, ms);
}

export function isLock(x: Lock | Holder): x is Lock {
  return 'release' in x;
}

/** The holder lock file `path` names now (one read, no waiting), or null: none, or not written yet. */
export function lockHolder(path: string): Holder | null {
  try {
    return parseHolder(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function parseHolder(text: string): Holder | null {
  try {
    const holder = JSON.parse(text) as Holder | null;
    return typeof holder?.pid === 'number' ? holder : null;
  } catch {
    return null;
  }
}

/**
 * Whether a process of this host is known to have exited; one of another host cannot be checked (false). A
 * live process that started after the lock was taken (`since`) is not its holder but a later process given
 * the dead holder's pid, so the holder is gone too.
 */
export function processGone(h: { pid: number; host: string; since?: string }): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const started = processStart(h.pid);
  const since = Date.parse(h.since ?? '');
  return started !== null && Number.isFinite(since) && started > since + START_SLACK_MS;
}

/** Linux's clock ticks per second in /proc (USER_HZ, 100 on every architecture it runs on). */
const USER_HZ = 100;
/** /proc gives a process's start to the boot time's second: a start within this of `since` is the holder's. */
const START_SLACK_MS = 2000;

/** When a process of this host started (ms since the epoch), from /proc; null where there is none (not Linux). */
function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis start at field 3; the start time is field 22.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + (ticks / USER_HZ) * 1000 : null;
  } catch {
    return null;
  }
}
