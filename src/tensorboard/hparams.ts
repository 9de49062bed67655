/**
 * The HParams plugin's summaries (tensorboard/plugins/hparams/{plugin_data,api}.proto), written the
 * way tensorboard.plugins.hparams.summary_v2 writes them: step 0, a metadata-only Summary.Value whose
 * plugin content is an HParamsPluginData. The experiment goes in the log root (the empty run); each
 * session's start/end go in the session's run directory, and its metrics are scalars in
 * `<run>/<group>` with the metric's tag.
 */
import { metadataOnlyValue } from './events.ts';
import { bytesField, doubleField, message, messageField, varintField } from './protobuf.ts';
import { SummaryWriter, type WriterOptions } from './writer.ts';

export const PLUGIN_NAME = 'hparams';
export const EXPERIMENT_TAG = '_hparams_/experiment';
export const SESSION_START_INFO_TAG = '_hparams_/session_start_info';
export const SESSION_END_INFO_TAG = '_hparams_/session_end_info';

export type HParamValue = string | number | boolean;
export type HParamType = 'string' | 'number' | 'boolean';

export interface HParamSpec {
  readonly name: string;
  readonly type: HParamType;
  /** The discrete domain; omitted means any value of the type. */
  readonly values?: readonly HParamValue[];
}

export interface MetricSpec {
  /** Scalar tag of the metric. */
  readonly tag: string;
  /** Run subdirectory the scalar lives in, relative to the session run (e.g. "train"); "" is the run itself. */
  readonly group?: string;
  readonly displayName?: string;
}

export interface ExperimentConfig {
  readonly hparams: readonly HParamSpec[];
  readonly metrics: readonly MetricSpec[];
  /** Experiment.time_created_secs; left off when absent. */
  readonly timeCreatedSecs?: number;
}

export type SessionStatus = 'unknown' | 'success' | 'failure' | 'running';

/** api.proto Status. */
const STATUS: Record<SessionStatus, number> = { unknown: 0, success: 1, failure: 2, running: 3 };

/** api.proto DataType. TensorBoard has no integer type: ints are FLOAT64, as in summary_v2. */
const DATA_TYPE: Record<HParamType, number> = { string: 1, boolean: 2, number: 3 };

/**
 * google.protobuf.Value{number_value=2, string_value=3, bool_value=4}. These are oneof members, so
 * they are written even when they hold the default (0, "", false).
 */
function protoValue(v: HParamValue): Uint8Array {
  switch (typeof v) {
    case 'number':
      return doubleField(2, v);
    case 'string':
      return bytesField(3, v);
    case 'boolean':
      return varintField(4, v);
    default:
      throw new TypeError(`unsupported hparam value ${String(v)}`);
  }
}

/** HParamsPluginData{version=1 (0, so absent), <which>=2|3|4}. The plugin rejects any version but 0. */
function pluginData(which: 2 | 3 | 4, body: Uint8Array): Uint8Array {
  return bytesField(which, body);
}

function hparamInfo(spec: HParamSpec): Uint8Array {
  for (const v of spec.values ?? []) {
    if (typeof v !== spec.type) throw new TypeError(`hparam ${spec.name}: value ${String(v)} is not a ${spec.type}`);
  }
  return message(
    bytesField(1, spec.name),
    varintField(4, DATA_TYPE[spec.type]),
    // domain_discrete=5 is a google.protobuf.ListValue{values=1}.
    spec.values !== undefined && messageField(5, ...spec.values.map((v) => bytesField(1, protoValue(v)))),
  );
}

function metricInfo(spec: MetricSpec): Uint8Array {
  return message(
    // MetricName{group=1, tag=2}
    messageField(1, !!spec.group && bytesField(1, spec.group), bytesField(2, spec.tag)),
    !!spec.displayName && bytesField(3, spec.displayName),
  );
}

/** The `_hparams_/experiment` value: Experiment{time_created_secs=3, hparam_infos=4, metric_infos=5}. */
export function experimentValue(config: ExperimentConfig): Uint8Array {
  const experiment = message(
    !!config.timeCreatedSecs && doubleField(3, config.timeCreatedSecs),
    ...config.hparams.map((h) => bytesField(4, hparamInfo(h))),
    ...config.metrics.map((m) => bytesField(5, metricInfo(m))),
  );
  return metadataOnlyValue(EXPERIMENT_TAG, PLUGIN_NAME, pluginData(2, experiment));
}

/**
 * The `_hparams_/session_start_info` value: SessionStartInfo{hparams=1 map<string, Value>,
 * group_name=4, start_time_secs=5}. Map entries are sorted by name, as summary_v2 inserts them,
 * so equal inputs give equal bytes. An empty group name makes the session its own group.
 */
export function sessionStartValue(
  hparams: Readonly<Record<string, HParamValue>>,
  startTimeSecs: number,
  groupName = '',
): Uint8Array {
  const entries = Object.keys(hparams)
    .sort()
    .map((name) => messageField(1, bytesField(1, name), bytesField(2, protoValue(hparams[name]))));
  const info = message(...entries, !!groupName && bytesField(4, groupName), startTimeSecs !== 0 && doubleField(5, startTimeSecs));
  return metadataOnlyValue(SESSION_START_INFO_TAG, PLUGIN_NAME, pluginData(3, info));
}

/** The `_hparams_/session_end_info` value: SessionEndInfo{status=1, end_time_secs=2}. */
export function sessionEndValue(status: SessionStatus, endTimeSecs: number): Uint8Array {
  const info = message(STATUS[status] !== 0 && varintField(1, STATUS[status]), endTimeSecs !== 0 && doubleField(2, endTimeSecs));
  return metadataOnlyValue(SESSION_END_INFO_TAG, PLUGIN_NAME, pluginData(4, info));
}

/** Writes the experiment summary into its own event file at the log root; returns the file's path. */
export function writeHParamsExperiment(logdir: string, config: ExperimentConfig, options?: WriterOptions): string {
  const writer = new SummaryWriter(logdir, options);
  try {
    writer.write([experimentValue(config)], 0);
  } finally {
    writer.close();
  }
  return writer.path;
}

/** Records a session's hyperparameters in its run; the event time is the start time. */
export function writeSessionStart(
  writer: SummaryWriter,
  hparams: Readonly<Record<string, HParamValue>>,
  groupName?: string,
): void {
  const now = writer.now();
  writer.write([sessionStartValue(hparams, now, groupName)], 0, now);
}

/** Records how a session ended; the event time is the end time. */
export function writeSessionEnd(writer: SummaryWriter, status: SessionStatus): void {
  const now = writer.now();
  writer.write([sessionEndValue(status, now)], 0, now);
}
