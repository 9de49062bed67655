"""Reads a log directory with TensorBoard itself (its event multiplexer and HParams protos) and prints what
the dashboards get, as JSON: run names, each run's tags by plugin with their steps, the HParams experiment's
columns (name, type, discrete domain) and every session's hparams. test/tensorboard.test.ts runs it when
TensorBoard is installed (`pip install tensorboard`), and skips with the reason otherwise.

    python test/oracles/tensorboard_read.py LOGDIR
"""
import json
import sys

from tensorboard.backend.event_processing import plugin_event_multiplexer as pem
from tensorboard.plugins.hparams import api_pb2, metadata as hp_metadata

TYPES = {api_pb2.DATA_TYPE_STRING: "string", api_pb2.DATA_TYPE_BOOL: "bool", api_pb2.DATA_TYPE_FLOAT64: "float64"}


def value(v):
    kind = v.WhichOneof("kind")
    return getattr(v, kind)


logdir = sys.argv[1]
mux = pem.EventMultiplexer()
mux.AddRunsFromDirectory(logdir)
mux.Reload()
out = {"runs": {}, "experiment": None, "sessions": {}}
for run in sorted(mux.Runs()):
    acc = mux.GetAccumulator(run)
    tags = acc.Tags()
    tensors = {t: sorted({e.step for e in acc.Tensors(t)}) for t in tags.get("tensors", [])}
    plugins = {t: name for name in acc.ActivePlugins() for t in mux.PluginRunToTagToContent(name).get(run, {})}
    out["runs"][run] = {t: {"plugin": plugins.get(t), "steps": steps} for t, steps in tensors.items()}
for run, tag_to_content in mux.PluginRunToTagToContent(hp_metadata.PLUGIN_NAME).items():
    for tag, content in tag_to_content.items():
        if tag == hp_metadata.EXPERIMENT_TAG:
            experiment = hp_metadata.parse_experiment_plugin_data(content)
            out["experiment"] = [
                {"name": h.name, "type": TYPES.get(h.type, "unset"), "domain": [value(v) for v in h.domain_discrete.values]}
                for h in experiment.hparam_infos
            ]
        elif tag == hp_metadata.SESSION_START_INFO_TAG:
            start = hp_metadata.parse_session_start_info_plugin_data(content)
            out["sessions"][run] = {k: value(v) for k, v in start.hparams.items()}
print(json.dumps(out))
