"""numpy oracle for the float32 arithmetic of copairs' mAP null (test/map.test.ts reads its output).

Writes test/fixtures/map_null_float32.json. copairs 0.5.2 (github.com/cytomining/copairs, commit 7b600e2,
src/copairs/compute.py and map/map.py) builds each null value as

    pr_k = np.arange(1, num_pos + 1, dtype=np.float32) / (rel_k + 1)    # rel_k: sorted uint16 ranks
    ap_values = pr_k.sum(axis=1) / num_pos                               # float32, pairwise summation
    return ap_values.astype(np.float32)

and a group's null as `null_dists[rev_ix[indices]].mean(axis=0)` (float32), compared with `null > map_score`.
The project draws its own random ranks, so this fixture holds given rank lists (numbers of positives around
numpy's pairwise-summation block sizes 8 and 128) with the float32 AP numpy computes for each, and float32
row means of repeated and mixed null rows. The function bodies below are copairs', verbatim but for names.

Run from the repository root: /path/to/python test/oracles/map_null_float32.py (numpy).
"""

import json
import pathlib

import numpy as np


def average_precision(rel_k):
    num_pos = rel_k.shape[1]
    pr_k = np.arange(1, num_pos + 1, dtype=np.float32) / (rel_k + 1)
    ap_values = pr_k.sum(axis=1) / num_pos
    return ap_values.astype(np.float32)


def main():
    rng = np.random.default_rng(20251025)
    lists = []
    for num_pos, total in [(1, 89), (2, 5), (3, 191), (7, 60), (8, 60), (9, 60), (15, 400), (16, 400),
                           (17, 400), (100, 3000), (128, 3000), (129, 3000), (300, 5000), (1000, 40000)]:
        dtype = np.uint16 if total < 2**16 else np.uint32
        rows = np.stack([np.sort(rng.choice(total, num_pos, replace=False)) for _ in range(20 if num_pos < 300 else 3)]).astype(dtype)
        ap = average_precision(rows)
        lists.append({"num_pos": num_pos, "total": total, "ranks": rows.tolist(),
                      "ap": [float(v) for v in ap]})
    # Group nulls: float32 mean over member rows (rows may repeat: members sharing a configuration).
    nulls = rng.random((3, 50)).astype(np.float32)
    means = []
    for members in [[0, 0], [0, 0, 0], [1] * 7, [0, 1], [2, 0, 1, 1], [1] * 13]:
        means.append({"members": members, "mean": [float(v) for v in nulls[members].mean(axis=0)]})
    out = {"null_rows": [[float(v) for v in r] for r in nulls], "lists": lists, "means": means}
    path = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "map_null_float32.json"
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
