"""scikit-learn anchor of bench/moa.bench.ts: the same fits on the same folds, on one core.

Reads the plan the bench writes (plan.json beside raw float64 tables): per repeat and fold, the training rows
after random oversampling and the test rows. Per fold, as the reference's classify_moa.py: MinMaxScaler fitted
on the training fold; per classifier, each representation alone and early fusion (scaled representations side
by side), late fusion averaging their probabilities; LogisticRegression(class_weight='balanced', C, lbfgs,
max_iter=1000, tol) and MLPClassifier(hidden_layer_sizes=(200,), max_iter) with sklearn's other defaults (Adam).
Prints one JSON line: seconds (wall and CPU) spent in scaling, fitting and predicting, the fit count, mean macro-F1 per entry.

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python bench/sklearn_moa.py PLAN_DIR
"""

import json
import os
import sys

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

warnings.simplefilter("ignore", ConvergenceWarning)
folder = sys.argv[1]
plan = json.load(open(os.path.join(folder, "plan.json")))
reps = {name: np.fromfile(os.path.join(folder, f"{name}.f64")).reshape(plan["rows"], -1) for name in plan["representations"]}
y = np.asarray(plan["labels"])


def model(classifier, seed):
    if classifier == "logistic":
        return LogisticRegression(C=plan["C"], class_weight="balanced", solver="lbfgs", max_iter=1000, tol=plan["logistic_tol"])
    return MLPClassifier(hidden_layer_sizes=(200,), max_iter=plan["mlp_max_epochs"], random_state=seed)


f1 = {}
fits = 0
seconds = 0.0
cpu_seconds = 0.0
for k, fold in enumerate(plan["folds"]):
    train, test = np.asarray(fold["train"]), np.asarray(fold["test"])
    t = time.perf_counter()
    c = time.process_time()
    scaled = {}
    for name, x in reps.items():
        scaler = MinMaxScaler().fit(x[np.unique(train)])
        scaled[name] = (scaler.transform(x[train]), scaler.transform(x[test]))
    scaled["early_fusion"] = tuple(np.hstack([scaled[n][i] for n in reps]) for i in (0, 1))
    predictions = {}
    for classifier in plan["classifiers"]:
        probas = {}
        for entry, (xtr, xte) in scaled.items():
            m = model(classifier, k).fit(xtr, y[train])
            probas[entry] = m.predict_proba(xte)
            fits += 1
        probas["late_fusion"] = np.mean([probas[n] for n in reps], axis=0)
        for entry, p in probas.items():
            predictions[f"{classifier}/{entry}"] = p.argmax(axis=1)
    seconds += time.perf_counter() - t
    cpu_seconds += time.process_time() - c
    for key, pred in predictions.items():
        f1.setdefault(key, []).append(f1_score(y[test], pred, average="macro"))

print(json.dumps({
    "sklearn": sklearn.__version__,
    "seconds": round(seconds, 2),
    "cpu_seconds": round(cpu_seconds, 2),
    "fits": fits,
    "macro_f1": {key: round(float(np.mean(v)), 4) for key, v in f1.items()},
}))
