"""Oracle for src/numeric/stats.ts: numpy.percentile (default method 'linear') and numpy.median on float64
arrays. Writes test/fixtures/percentile_numpy.json; run with the project's Python venv:

    /work/venv/bin/python test/oracles/percentile.py

Cases: random normal arrays, arrays with many ties (up to 4,097 values), n = 1, 2, 3, a longer array, and a few with infinities
(where numpy's interpolation yields NaN). Each array is checked at many q, among them 0, 100, 90 and 33.3, and
at q chosen so the interpolation weight is at or above 0.5, where numpy's _lerp interpolates from the upper
neighbour and differs in the last bit from a + (b − a)·t. Non-finite numbers are written as strings, which JSON
cannot hold otherwise.
"""
import json
from pathlib import Path

import numpy as np

rng = np.random.default_rng(20261128)

arrays = {
    "n1": np.array([0.7316]),
    "n2": np.array([0.1, 0.3]),
    "n2_equal": np.array([2.5, 2.5]),
    "n3": np.array([3.0, -1.2, 0.45]),
    "normal_10": rng.normal(size=10),
    "normal_11": rng.normal(size=11),
    "normal_57": rng.normal(0.2, 0.1, size=57),
    "ties_40": rng.integers(-3, 4, size=40).astype(float) / 10,
    "ties_sorted_30": np.sort(rng.integers(0, 5, size=30).astype(float)) * 0.1,
    "reversed_25": np.sort(rng.normal(size=25))[::-1].copy(),
    "correlations_2000": np.tanh(rng.normal(0.05, 0.3, size=2000)),
    # Rounded values: long runs of ties, the hard case for a selection algorithm.
    "ties_4097": np.round(rng.normal(size=4097) * 4) / 4 + 0.0,
    "signed_zero": np.array([0.0, -0.0, 1e-300, -1e-300]),
    "with_inf": np.array([1.0, 2.0, np.inf]),
    "with_neg_inf": np.array([-np.inf, 0.5, 0.25, 4.0]),
}

fixed_q = [0, 100, 90, 33.3, 50, 25, 75, 10, 99.9, 0.1, 66.7, 12.5, 95, 5, 1, 99]
random_q = [float(q) for q in rng.uniform(0, 100, size=24)]


def number(x):
    x = float(x)
    return x if np.isfinite(x) else str(x).replace("inf", "Infinity").replace("nan", "NaN")


cases = []
differs_from_plain = 0
for name, x in arrays.items():
    qs = list(fixed_q) + random_q
    # q whose virtual index (n − 1)·q/100 has a fractional part of 0.5, 0.75 and 0.9: the _lerp branch.
    if len(x) > 1:
        qs += [100 * (k + f) / (len(x) - 1) for k in range(min(len(x) - 1, 6)) for f in (0.5, 0.75, 0.9)]
    with np.errstate(invalid="ignore"):
        values = [np.percentile(x, q) for q in qs]
        median = np.median(x)
    for q, v in zip(qs, values):
        s = np.sort(x)
        pos = (len(x) - 1) * (q / 100)
        lo = int(np.floor(pos))
        hi = min(lo + 1, len(x) - 1)
        with np.errstate(invalid="ignore"):
            plain = s[lo] + (s[hi] - s[lo]) * (pos - lo)
        if np.isfinite(v) and plain != v:
            differs_from_plain += 1
    cases.append({
        "name": name,
        "x": [number(v) for v in x],
        "q": [float(q) for q in qs],
        "percentile": [number(v) for v in values],
        "median": number(median),
    })

out = Path(__file__).resolve().parent.parent / "fixtures" / "percentile_numpy.json"
out.write_text(json.dumps({
    "numpy": np.__version__,
    "differs_from_plain_lerp": differs_from_plain,
    "cases": cases,
}, indent=1) + "\n")
print(f"wrote {out}: {sum(len(c['q']) for c in cases)} percentiles, {differs_from_plain} differ from a + (b - a)·t")
