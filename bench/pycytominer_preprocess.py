"""The pycytominer anchor of bench/preprocess.bench.ts: the same steps on the same file, timed in one process.

Usage: python3 pycytominer_preprocess.py SOURCE FILE PLATE CONTROL_COLUMN CONTROL_VALUE PREFIX[,PREFIX...]
SOURCE is a pycytominer source checkout (its folder holding the `pycytominer` package). One JSON line per
step, then one for the whole: {"step": ..., "seconds": ..., "peak_rss_mb": ..., "kept": [...]}.

pycytominer imports `clevercsv` only to sniff the delimiter (`infer_delim`, from the file's first
characters); the standard library's sniffer stands in for it, so the anchor runs on Debian's python3-pandas,
python3-sklearn, python3-scipy and python3-yaml without a PyPI install.
"""

import csv
import json
import resource
import sys
import time
import types

source, path, plate, control_column, control_value, prefixes = sys.argv[1:7]
sys.path.insert(0, source)


class _Sniffer:
    """clevercsv's Sniffer, for pycytominer's `infer_delim`: the standard library's, on the header line."""

    def sniff(self, sample):
        return csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",\t;|")


sys.modules.setdefault("clevercsv", types.SimpleNamespace(Sniffer=_Sniffer))
# pycytominer annotates with `np.typing.NDArray`; numpy < 1.25 (Debian 12's 1.24) loads numpy.typing only on import.
import numpy.typing  # noqa: E402, F401
import pandas as pd  # noqa: E402
from pycytominer import feature_select, normalize  # noqa: E402
from pycytominer.cyto_utils.load import load_profiles  # noqa: E402

total = 0.0


def step(name, f, extra=None):
    global total
    t0 = time.perf_counter()
    out = f()
    seconds = time.perf_counter() - t0
    total += seconds
    line = {"step": name, "seconds": round(seconds, 3), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if extra:
        line.update(extra(out))
    print(json.dumps(line), flush=True)
    return out


profiles = step("load", lambda: load_profiles(path))
features = [c for c in profiles.columns if c.startswith(tuple(prefixes.split(",")))]
meta = [c for c in profiles.columns if c not in set(features)]
controls = f"{control_column} == {json.dumps(control_value)}"


def per_plate_standardize():
    # pycytominer normalizes one table at a time: per plate is a groupby over plates, as profiling recipes do.
    parts = [
        normalize(group, features=features, meta_features=meta, samples=controls, method="standardize")
        for _, group in profiles.groupby(plate, sort=False)
    ]
    return pd.concat(parts).loc[profiles.index]


normalized = step("normalize", per_plate_standardize)
del profiles
for op in ["drop_na_columns", "frequency_threshold", "variance_threshold", "correlation_threshold", "drop_outliers"]:
    step(
        f"feature_select/{op}",
        lambda: feature_select(normalized, features=features, operation=op),
        lambda out: {"kept": [c for c in out.columns if c in set(features)]},
    )
print(json.dumps({"step": "total", "seconds": round(total, 3), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
