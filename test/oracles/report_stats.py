"""Oracle for the report's statistics: the Nadeau–Bengio corrected resampled t-test and the bootstrap interval
of a mean. Writes test/fixtures/report_stats.json; run with the project's Python venv:

    /work/venv/bin/python test/oracles/report_stats.py

Independent of the TypeScript: the t-test from scipy.stats.t, the bootstrap by brute-force enumeration of
every ordered resample (itertools.product, n^n of them) for small n, and scipy.stats.bootstrap (percentile
method, Monte Carlo) for a larger sample.
"""
import itertools
import json
from pathlib import Path

import numpy as np
import scipy
from scipy import stats


def corrected_t(diffs, ratio):
    d = np.asarray(diffs, dtype=float)
    J = d.size
    t = d.mean() / np.sqrt((1.0 / J + ratio) * d.var(ddof=1))
    return {"t": float(t), "df": J - 1, "p": float(2 * stats.t.sf(abs(t), J - 1)),
            # The plain (uncorrected) one-sample t-test of the same differences, to show the correction matters.
            "p_uncorrected": float(stats.ttest_1samp(d, 0.0).pvalue)}


def exact_bootstrap(x, level=0.95):
    """Every ordered resample, equally likely; quantiles of the resulting means by the inverse CDF."""
    n = len(x)
    means = np.array([np.mean(c) for c in itertools.product(x, repeat=n)])
    means.sort()
    tail = (1 - level) / 2
    k = len(means)
    # lower: smallest m with P(M <= m) >= tail; upper: largest m with P(M >= m) >= tail.
    cdf = np.arange(1, k + 1) / k
    low = means[np.argmax(cdf >= tail - 1e-12)]
    sf = np.arange(k, 0, -1) / k
    high = means[np.nonzero(sf >= tail - 1e-12)[0][-1]]
    return [float(low), float(high)]


rng = np.random.default_rng(14)
cases = []
for J, ratio, shift in [(10, 1 / 4, 0.05), (15, 1 / 2, 0.02), (25, 1 / 4, 0.0), (6, 1 / 5, 0.1)]:
    diffs = (shift + 0.05 * rng.standard_normal(J)).round(6).tolist()
    cases.append({"diffs": diffs, "ratio": ratio, **corrected_t(diffs, ratio)})

boot = []
for x in [[78.9, 84.2], [0.31, 0.35, 0.29], [91.7, 97.5, 100.0, 88.0], [0.0, 0.0, 0.42, 0.31, 0.0], [3.0, 5.0, 4.0, 9.0, 1.0, 2.0, 7.0]]:
    boot.append({"x": x, "interval": exact_bootstrap(x)})

x_large = rng.uniform(0, 100, 30).round(3).tolist()
res = stats.bootstrap((np.asarray(x_large),), np.mean, method="percentile", n_resamples=200_000, random_state=np.random.default_rng(0))
large = {"x": x_large, "interval": [float(res.confidence_interval.low), float(res.confidence_interval.high)],
         "se": float(res.standard_error)}

out = {"scipy": scipy.__version__, "corrected_t": cases, "bootstrap_exact": boot, "bootstrap_large": large}
path = Path(__file__).resolve().parents[1] / "fixtures" / "report_stats.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
