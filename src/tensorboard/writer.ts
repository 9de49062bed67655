/**
 * A TensorBoard event-file writer with no TensorFlow: one file per writer, TFRecord-framed Event
 * protos, each record written with one synchronous write so that a killed process leaves only whole
 * records behind (both TensorBoard loaders stop cleanly at a truncated tail, but not at garbage).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { maskedCrc32c } from './crc32c.ts';
import { fileVersionEvent, histogramOf, histogramValue, scalarValue, summaryEvent, textValue } from './events.ts';

export interface WriterOptions {
  /** Current time in seconds since the epoch (fractional); inject a fixed clock for deterministic files. */
  readonly clock?: () => number;
  /** Host part of the file name; defaults to os.hostname(). */
  readonly hostname?: string;
  /** Appended to the file name after a dot, to keep two writers of one directory in separate files. */
  readonly filenameSuffix?: string;
}

/**
 * One TFRecord: uint64 LE length, masked CRC-32C of those 8 bytes, data, masked CRC-32C of data
 * (all little-endian uint32).
 */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** `events.out.tfevents.<secs>.<host>[.<suffix>]`, TensorFlow's naming; TensorBoard matches on "tfevents". */
function eventFileName(wallTime: number, host: string, suffix?: string): string {
  const secs = String(Math.floor(wallTime)).padStart(10, '0');
  return `events.out.tfevents.${secs}.${host}${suffix ? `.${suffix}` : ''}`;
}

export class SummaryWriter {
  readonly path: string;
  private readonly clock: () => number;
  private fd: number | undefined;

  /** Creates `logdir` if needed and starts a new event file there with its file_version header. */
  constructor(
    readonly logdir: string,
    options: WriterOptions = {},
  ) {
    this.clock = options.clock ?? (() => Date.now() / 1000);
    const start = this.clock();
    mkdirSync(logdir, { recursive: true });
    this.path = join(logdir, eventFileName(start, options.hostname ?? hostname(), options.filenameSuffix));
    // Append, not truncate: a second writer landing on the same name (same second, same host) then
    // adds whole records to one file, which TensorBoard reads as one run, instead of destroying it.
    this.fd = openSync(this.path, 'a');
    this.append(this.fd, fileVersionEvent(start));
  }

  /** Seconds since the epoch by this writer's clock. */
  now(): number {
    return this.clock();
  }

  scalar(tag: string, value: number, step: number): void {
    this.write([scalarValue(tag, value)], step);
  }

  /** A histogram of `values` in TensorBoard's 30 equal-width buckets (see `histogramOf`). */
  histogram(tag: string, values: ArrayLike<number>, step: number): void {
    this.write([histogramValue(tag, histogramOf(values))], step);
  }

  /** Markdown shown in the Text dashboard. */
  text(tag: string, markdown: string, step: number): void {
    this.write([textValue(tag, markdown)], step);
  }

  /** One event carrying already-encoded Summary.Values (see events.ts and hparams.ts). */
  write(values: readonly Uint8Array[], step: number, wallTime?: number): void {
    const fd = this.openFd();
    this.append(fd, summaryEvent(wallTime ?? this.now(), step, values));
  }

  /** Forces written records to disk; they are already visible to readers after each call. */
  flush(): void {
    fsyncSync(this.openFd());
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(fd: number, event: Uint8Array): void {
    const record = frameRecord(event);
    let done = 0;
    while (done < record.length) done += writeSync(fd, record, done, record.length - done);
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`SummaryWriter for ${this.path} is closed`);
    return this.fd;
  }
}
