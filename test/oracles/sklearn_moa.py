"""scikit-learn oracle for MoA classification (test/classify.oracle.test.ts reads its output).

Writes test/fixtures/sklearn_moa.json: a small fixed problem (its exact inputs) and what scikit-learn computes
on it with the reference's settings (zaritskylab/AnomalyDetectionScreening src/eval/classify_moa.py):

- MinMaxScaler().fit(train) applied to train and test (feature 7 is constant on train: zero range);
- LogisticRegression(class_weight='balanced', C=1, solver='lbfgs', max_iter=1000), multinomial (sklearn's
  only multi-class mode for lbfgs since 1.5; the reference passed multi_class='multinomial'). Fitted twice:
  at tol=1e-12 (the optimum to float64 precision: what a correct solver converges to) and at sklearn's
  default tol=1e-4 (what the reference ran), so the test can state how far the reference's own stopping
  point is from the optimum;
- MLPClassifier(hidden_layer_sizes=(200,), activation='relu', solver='adam', alpha=1e-4,
  learning_rate_init=1e-3, batch_size=min(200, n), tol=1e-4, n_iter_no_change=10, max_iter=200, the project's max_epochs)
  started from initial weights drawn here and injected through _init_coef, so the project's MLP can start
  from the very same weights. The training set has fewer than 200 rows, so every epoch is one full batch and
  sklearn's per-epoch shuffling cannot change the trajectory; fitted for 200 epochs, and again for up
  to 5000 to see where sklearn's stopping rule ends it;
- f1_score(average='macro' / 'weighted' / None) on fixed predictions with absent and never-predicted classes;
- StratifiedGroupKFold(n_splits=4, shuffle=False) test folds (sklearn's shuffle=True assigns a group the
  fold chosen for another group's counts, see src/classify/folds.ts, so only the unshuffled order compares).

Run from the repository root: /path/to/python test/oracles/sklearn_moa.py (numpy, scikit-learn).
"""

import json
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import MinMaxScaler

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "sklearn_moa.json"
# The project's MLP settings (src/classify/mlp.ts SKLEARN_MLP); the test checks they still agree.
MLP = dict(hidden=200, learning_rate=1e-3, alpha=1e-4, batch_size=200, max_epochs=200, tol=1e-4, n_iter_no_change=10)

rng = np.random.RandomState(20261128)

# 3 MoAs, imbalanced (balanced class weights matter), 8 features; centres close enough that probabilities
# stay away from 0 and 1, so they compare at more than a few digits.
K, D = 3, 8
counts_train, counts_test = [40, 28, 18], [12, 10, 8]
centres = rng.normal(0, 0.9, size=(K, D))
scales = rng.uniform(0.5, 3.0, size=D)


def draw(counts):
    x = np.vstack([centres[k] + rng.normal(size=(n, D)) for k, n in enumerate(counts)]) * scales + 5
    y = np.concatenate([np.full(n, k) for k, n in enumerate(counts)])
    order = rng.permutation(len(y))
    return x[order], y[order]


x_train, y_train = draw(counts_train)
x_test, y_test = draw(counts_test)
x_train[:, 7] = 2.5  # a feature constant on the training rows: MinMaxScaler's zero-range rule
x_test[:, 7] = rng.uniform(2.0, 3.0, size=len(y_test))

scaler = MinMaxScaler().fit(x_train)
s_train, s_test = scaler.transform(x_train), scaler.transform(x_test)


def logistic(tol):
    m = LogisticRegression(C=1.0, class_weight="balanced", solver="lbfgs", max_iter=1000, tol=tol)
    m.fit(s_train, y_train)
    return m


lr_exact, lr_default = logistic(1e-12), logistic(1e-4)


class InjectedInit(MLPClassifier):
    """MLPClassifier whose initial weights are the given (coef, intercept) pairs, layer by layer."""

    def __init__(self, init=None, **kw):
        super().__init__(**kw)
        self.init = init

    def _init_coef(self, fan_in, fan_out, dtype):
        coef, intercept = self.init[self._layer]
        self._layer += 1
        assert coef.shape == (fan_in, fan_out)
        return coef.astype(dtype), intercept.astype(dtype)

    def fit(self, x, y):
        self._layer = 0
        return super().fit(x, y)


def glorot(fan_in, fan_out):
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, (fan_in, fan_out)), rng.uniform(-bound, bound, fan_out)


init = [glorot(D, MLP["hidden"]), glorot(MLP["hidden"], K)]


def fit_mlp(max_iter):
    m = InjectedInit(
        init=init,
        hidden_layer_sizes=(MLP["hidden"],),
        activation="relu",
        solver="adam",
        alpha=MLP["alpha"],
        learning_rate_init=MLP["learning_rate"],
        batch_size=min(MLP["batch_size"], len(y_train)),
        tol=MLP["tol"],
        n_iter_no_change=MLP["n_iter_no_change"],
        max_iter=max_iter,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return m.fit(s_train, y_train)


mlp = fit_mlp(MLP["max_epochs"])
# Long enough for sklearn's stopping rule (no improvement by tol for more than n_iter_no_change epochs).
mlp_long = fit_mlp(5000)

# F1 on fixed predictions: class 3 never true, class 4 neither true nor predicted (sklearn leaves it out of
# the macro mean), class 2 never predicted correctly.
f1_true = [0, 0, 0, 0, 1, 1, 1, 2, 2, 0, 1, 1]
f1_pred = [0, 0, 1, 3, 1, 1, 0, 1, 0, 0, 1, 3]

# Stratified group folds: 30 compounds (groups) of 1–4 wells, one MoA each, 3 MoAs of unequal size.
group_sizes = rng.randint(1, 5, size=30)
group_class = np.array([g % 3 if g < 24 else 0 for g in range(30)])
fold_groups = np.repeat(np.arange(30), group_sizes)
fold_labels = group_class[fold_groups]
fold_tests = [test.tolist() for _, test in StratifiedGroupKFold(n_splits=4, shuffle=False).split(fold_groups, fold_labels, fold_groups)]


def rows(a):
    return np.asarray(a, dtype=float).tolist()


fixture = {
    "generator": "test/oracles/sklearn_moa.py",
    "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__},
    "n_classes": K,
    "x_train": rows(x_train),
    "y_train": y_train.tolist(),
    "x_test": rows(x_test),
    "y_test": y_test.tolist(),
    "minmax": {"train": rows(s_train), "test": rows(s_test)},
    "logistic": {
        "C": 1.0,
        "max_iter": 1000,
        "exact": {
            "tol": 1e-12,
            "n_iter": int(lr_exact.n_iter_[0]),
            "proba": rows(lr_exact.predict_proba(s_test)),
            "predict": lr_exact.predict(s_test).tolist(),
        },
        "sklearn_default_tol": {
            "tol": 1e-4,
            "n_iter": int(lr_default.n_iter_[0]),
            "proba": rows(lr_default.predict_proba(s_test)),
        },
        "macro_f1": f1_score(y_test, lr_exact.predict(s_test), average="macro"),
        "weighted_f1": f1_score(y_test, lr_exact.predict(s_test), average="weighted"),
    },
    "mlp": {
        "settings": MLP,
        "init": {"w1": rows(init[0][0]), "b1": rows(init[0][1]), "w2": rows(init[1][0]), "b2": rows(init[1][1])},
        "n_iter": int(mlp.n_iter_),
        "loss_curve": [float(v) for v in mlp.loss_curve_],
        "proba": rows(mlp.predict_proba(s_test)),
        "predict": mlp.predict(s_test).tolist(),
        "macro_f1": f1_score(y_test, mlp.predict(s_test), average="macro"),
        "until_stopped": {"max_iter": 5000, "n_iter": int(mlp_long.n_iter_), "final_loss": float(mlp_long.loss_curve_[-1])},
    },
    "f1": {
        "n_classes": 5,
        "y_true": f1_true,
        "y_pred": f1_pred,
        "macro": f1_score(f1_true, f1_pred, average="macro", zero_division=0),
        "weighted": f1_score(f1_true, f1_pred, average="weighted", zero_division=0),
        "labels": sorted(set(f1_true) | set(f1_pred)),
        "per_class": f1_score(f1_true, f1_pred, average=None, zero_division=0).tolist(),
    },
    "folds": {"n_splits": 4, "labels": fold_labels.tolist(), "groups": fold_groups.tolist(), "test": fold_tests},
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(fixture) + "\n")
print(f"wrote {OUT}: LR {fixture['logistic']['exact']['n_iter']} iterations, MLP {fixture['mlp']['n_iter']} epochs, "
      f"LR macro-F1 {fixture['logistic']['macro_f1']:.4f}, MLP macro-F1 {fixture['mlp']['macro_f1']:.4f}")
