/**
 * Encoders for the TensorFlow protos an event file holds (tensorboard/compat/proto/{event,summary,
 * tensor,tensor_shape,histogram}.proto). Each function returns the serialized message, so values
 * compose into summaries and summaries into events without an object model in between.
 */
import {
  bytesField,
  doubleField,
  floatField,
  message,
  messageField,
  packedDoubleField,
  varintField,
} from './protobuf.ts';

/** The version string TensorBoard expects in the first event of every file. */
export const FILE_VERSION = 'brain.Event:2';

/** types.proto DataType. */
const DT_STRING = 7;

/** Event{wall_time=1, file_version=3}: the header event of an event file. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return message(doubleField(1, wallTime), bytesField(3, FILE_VERSION));
}

/** Event{wall_time=1, step=2, summary=5{value=1...}}. */
export function summaryEvent(wallTime: number, step: number, values: readonly Uint8Array[]): Uint8Array {
  return message(
    doubleField(1, wallTime),
    step !== 0 && varintField(2, step),
    messageField(5, ...values.map((v) => bytesField(1, v))),
  );
}

/**
 * SummaryMetadata{plugin_data=1{plugin_name=1, content=2}}. Plugins key their dashboards on
 * plugin_name; content is the plugin's own serialized proto (empty for text at version 0).
 */
export function summaryMetadata(pluginName: string, content?: Uint8Array): Uint8Array {
  return message(
    messageField(1, bytesField(1, pluginName), content !== undefined && content.length > 0 && bytesField(2, content)),
  );
}

/**
 * Summary.Value{tag=1, simple_value=2}. The TF1 scalar form: both TensorBoard loaders turn it into a
 * scalars-plugin series without any metadata, and it is the smallest record per point.
 */
export function scalarValue(tag: string, value: number): Uint8Array {
  return message(bytesField(1, tag), floatField(2, value));
}

/** TensorShapeProto{dim=2{size=1}}; `[]` is rank 0 (a scalar). */
export function tensorShape(dims: readonly number[]): Uint8Array {
  return message(...dims.map((d) => messageField(2, d !== 0 && varintField(1, d))));
}

/** TensorProto{dtype=1 DT_STRING, tensor_shape=2, string_val=8...}. */
export function stringTensor(strings: readonly string[], dims: readonly number[]): Uint8Array {
  return message(
    varintField(1, DT_STRING),
    messageField(2, tensorShape(dims)),
    ...strings.map((s) => bytesField(8, s)),
  );
}

/**
 * Summary.Value{tag=1, metadata=9 (plugin "text"), tensor=8}. Rank 0 (the default, as
 * tf.summary.text writes a Python string) is rendered by the text dashboard as markdown; rank 1
 * (what torch/tensorboardX write) is rendered as a one-column HTML table of markdown cells.
 */
export function textValue(tag: string, markdown: string, dims: readonly number[] = []): Uint8Array {
  return message(bytesField(1, tag), bytesField(9, summaryMetadata('text')), bytesField(8, stringTensor([markdown], dims)));
}

/**
 * Summary.Value{tag=1, metadata=9} with no value: how tensorboard.plugins.hparams.summary_v2 writes
 * its summaries (write_raw_pb of `summary.value.add(tag=..., metadata=...)`). Both loaders
 * substitute a null tensor for the missing value (data_compat.py `_migrate_hparams_value`,
 * rustboard run.rs `null_tensor_proto`).
 */
export function metadataOnlyValue(tag: string, pluginName: string, content: Uint8Array): Uint8Array {
  return message(bytesField(1, tag), bytesField(9, summaryMetadata(pluginName, content)));
}

/**
 * HistogramProto fields. `bucketLimit[i]` is the right edge of bucket i; TensorBoard takes `min` as
 * the left edge of the first bucket and `max` as the right edge of the last (data_compat).
 */
export interface Histogram {
  readonly min: number;
  readonly max: number;
  readonly num: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly bucketLimit: ArrayLike<number>;
  readonly bucket: ArrayLike<number>;
}

/** Summary.Value{tag=1, histo=5{min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7}}. */
export function histogramValue(tag: string, h: Histogram): Uint8Array {
  return message(
    bytesField(1, tag),
    messageField(
      5,
      h.min !== 0 && doubleField(1, h.min),
      h.max !== 0 && doubleField(2, h.max),
      h.num !== 0 && doubleField(3, h.num),
      h.sum !== 0 && doubleField(4, h.sum),
      h.sumSquares !== 0 && doubleField(5, h.sumSquares),
      h.bucketLimit.length > 0 && packedDoubleField(6, h.bucketLimit),
      h.bucket.length > 0 && packedDoubleField(7, h.bucket),
    ),
  );
}

/** TensorBoard's own default bucket count (histogram summary_v2 DEFAULT_BUCKET_COUNT). */
export const DEFAULT_BUCKET_COUNT = 30;

/**
 * Buckets values the way histogram summary_v2 does: `bucketCount` equal-width buckets from min to
 * max, each [left, right) except the last, which also holds max. All-equal data is one bucket
 * (TensorBoard draws it with zero width); no data is no buckets. Non-finite values are left out,
 * since one NaN or ±Infinity would make every edge NaN; `num` counts only the values kept.
 */
export function histogramOf(values: ArrayLike<number>, bucketCount = DEFAULT_BUCKET_COUNT): Histogram {
  if (!Number.isInteger(bucketCount) || bucketCount < 1) {
    throw new RangeError(`bucketCount must be a positive integer, got ${bucketCount}`);
  }
  // Two passes over the values as they are (no copy: a layer's weights are a megabyte or more, logged
  // every few epochs), non-finite ones skipped.
  let num = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    num++;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  if (max === min) return { min, max, num, sum, sumSquares, bucketLimit: [max], bucket: [num] };
  const width = (max - min) / bucketCount;
  const bucket = new Float64Array(bucketCount);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) bucket[Math.min(Math.floor((v - min) / width), bucketCount - 1)] += 1;
  }
  const bucketLimit = new Float64Array(bucketCount);
  for (let i = 0; i < bucketCount; i++) bucketLimit[i] = min + (i + 1) * width;
  // Pin the last edge to max exactly, as summary_v2 does, so rounding cannot leave max outside.
  bucketLimit[bucketCount - 1] = max;
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}
