"""Expected values for `explain.mode: reference` (test/shap_reference.test.ts), from the shap library itself.

The reference implementation (zaritskylab/AnomalyDetectionScreening, src/eval/shap_anomalies.py) explains
the reconstruction x̂_j of a badly reconstructed feature j with

    explainer = shap.KernelExplainer(func_predict_feature, background_set)
    shap_values = explainer.shap_values(record, nsamples='auto')

where func_predict_feature runs a copy of the autoencoder whose first encoder layer has its weight column
j zeroed (bias kept) and returns output j, and background_set is the first 200 rows of the test controls.
This script builds small autoencoders of the project's architecture (dense ReLU encoder, linear latent,
linear decoder; float32 like the reference's torch model), does exactly that with shap.KernelExplainer,
and writes the SHAP values with everything needed to recompute them to test/fixtures/shap_reference.json.

l1_reg='auto' is passed explicitly: it was KernelExplainer's default up to shap 0.46, the versions of the
reference's era (its SHAP code last changed in January 2025; shap 0.47, March 2025, made
'num_features(10)' the default). shap >= 0.47 still implements 'auto' the same way (with a deprecation
warning).

Cases:
  stage      8 features: every coalition enumerated, so shap is deterministic; exact Shapley values by
             the subset formula as a second, shap-free oracle. Given as a table (train / test_ctrl /
             test_treat wells interleaved) so the test runs the whole explain stage on it.
  l1_*       16 and 40 features: shap samples (randomly) and selects features by AIC. The coalitions it
             drew, their kernel weights and values, E[f], f(x) and its SHAP values are all recorded, so
             the test can solve the same regression (AIC selection + constrained WLS) on the same input;
             with 16 features also the exact Shapley values, for the project's own sampled estimate.
  lars_*     scikit-learn's lasso path (lars_path_gram, method='lasso') and LassoLarsIC(aic) selection on
             plain random designs, one of them with a coefficient leaving the active set.

Run with the project's virtualenv:  /work/venv/bin/python test/oracles/shap_reference.py
"""

import json
import warnings
from pathlib import Path

import numpy as np
import shap
import sklearn
from sklearn.linear_model import LassoLarsIC, lars_path_gram
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "shap_reference.json"
warnings.filterwarnings("ignore", category=DeprecationWarning)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def make_model(rng, d, hidden, latent):
    """torch.nn.Linear layout: weight (out, in), bias (out); float32 values."""
    layers = []
    fan_in = d
    for units in [hidden, latent, d]:
        bound = 1 / np.sqrt(fan_in)
        layers.append({"weight": f32(rng.uniform(-bound, bound, (units, fan_in))), "bias": f32(rng.uniform(-bound, bound, units))})
        fan_in = units
    return layers


def forward(layers, x):
    h = f32(x)
    for k, layer in enumerate(layers):
        h = h @ layer["weight"].T + layer["bias"]
        if k == 0:
            h = np.maximum(h, 0)
    return h.astype(np.float64)


def zeroed(layers, j):
    """The reference's func_predict_feature model: encoder layer 1's weight column j set to 0."""
    copy = [{"weight": layer["weight"].copy(), "bias": layer["bias"].copy()} for layer in layers]
    copy[0]["weight"][:, j] = 0
    return copy


def predict_feature(layers, j):
    model = zeroed(layers, j)
    return lambda x: forward(model, x)[:, j]


def exact_shapley(f, background, x):
    d = x.shape[0]
    values = {}
    for mask in range(2**d):
        on = np.array([(mask >> i) & 1 for i in range(d)], dtype=bool)
        synth = background.copy()
        synth[:, on] = x[on]
        values[mask] = f(synth).mean()
    # v(all) = f(x) evaluated on x alone, as shap (and the project) pin it: a float32 product of one row can
    # round differently from the same row inside a larger batch.
    values[2**d - 1] = f(x[None, :])[0]
    fact = [1.0]
    for k in range(1, d + 1):
        fact.append(fact[-1] * k)
    phi = np.zeros(d)
    for mask in range(2**d):
        s = bin(mask).count("1")
        for i in range(d):
            if not (mask >> i) & 1:
                phi[i] += fact[s] * fact[d - s - 1] / fact[d] * (values[mask | (1 << i)] - values[mask])
    return phi


def model_json(layers, hidden, latent):
    return {
        "hidden": hidden,
        "latent": latent,
        "layers": [{"weight": layer["weight"].astype(float).tolist(), "bias": layer["bias"].astype(float).tolist()} for layer in layers],
    }


def stage_case(rng):
    """A normalized table of 8 features; the reference explains test_treat wells against test_ctrl[:N]."""
    d, hidden, latent, background_size = 8, 6, 3, 12
    layers = make_model(rng, d, hidden, latent)
    sets = ["train"] * 10 + ["test_ctrl"] * 8 + ["train"] * 4 + ["test_treat"] * 6 + ["test_ctrl"] * 10 + ["test_treat"] * 6
    n = len(sets)
    values = rng.normal(0, 1, (n, d))
    treated = [i for i, s in enumerate(sets) if s == "test_treat"]
    values[treated] = rng.normal(0, 2.5, (len(treated), d))
    perturbation = ["DMSO" if s != "test_treat" else f"cpd{k % 4}" for k, s in enumerate(sets)]
    well = [f"W{i:02d}" for i in range(n)]
    # The reference: X_control = test_ctrl rows in table order, background = X_control.head(200).
    controls = values[[i for i, s in enumerate(sets) if s == "test_ctrl"]]
    background = controls[:background_size]
    explanations = []
    for i in treated:
        x = values[i]
        for j in range(d):
            f = predict_feature(layers, j)
            explainer = shap.KernelExplainer(f, background)
            phi = explainer.shap_values(x, nsamples="auto", l1_reg="auto")
            explanations.append({
                "row": i,
                "feature": j,
                "expected": float(np.asarray(explainer.expected_value).reshape(-1)[0]),
                "output": float(f(x[None, :])[0]),
                "shap": np.asarray(phi, dtype=float).reshape(-1).tolist(),
                "exact": exact_shapley(f, background, x).tolist(),
            })
    return {
        "model": model_json(layers, hidden, latent),
        "background_size": background_size,
        "table": {
            "Metadata_Plate": ["P1"] * n,
            "Metadata_Well": well,
            "Metadata_pert": perturbation,
            "Metadata_set": sets,
            "values": values.tolist(),
        },
        "explanations": explanations,
    }


def l1_case(rng, d, hidden, latent, background_size, seed):
    """shap's sampled path with l1_reg='auto': its coalitions, weights and values, and its answer."""
    layers = make_model(rng, d, hidden, latent)
    # Half the inputs barely reach the code, so AIC has features to leave out.
    faint = rng.permutation(d)[: d // 2]
    layers[0]["weight"][:, faint] *= f32(0.01)
    controls = rng.normal(0, 1, (30, d))
    x = rng.normal(0, 2.5, d)
    background = controls[:background_size]
    err = (forward(layers, x[None, :])[0] - x) ** 2
    cases = []
    for j in np.argsort(-err)[:2]:
        j = int(j)
        f = predict_feature(layers, j)
        explainer = shap.KernelExplainer(f, background)
        np.random.seed(seed + j)
        phi = np.asarray(explainer.shap_values(x, nsamples="auto", l1_reg="auto"), dtype=float).reshape(-1)
        assert explainer.M == d and explainer.nsamples / explainer.max_samples < 0.2
        cases.append({
            "feature": j,
            "masks": ["".join(str(int(v)) for v in row) for row in np.asarray(explainer.maskMatrix)],
            "weights": np.asarray(explainer.kernelWeights).tolist(),
            "values": np.asarray(explainer.ey)[:, 0].tolist(),
            "expected": float(np.asarray(explainer.fnull).reshape(-1)[0]),
            "fx": float(np.asarray(explainer.fx).reshape(-1)[0]),
            "shap": phi.tolist(),
            **({"exact": exact_shapley(f, background, x).tolist()} if d <= 16 else {}),
        })
    return {"model": model_json(layers, hidden, latent), "background": background.tolist(), "x": x.tolist(), "explained": cases}


def lars_case(rng, n, p, want_drop):
    """A random design (and target) whose lasso path has, or has not, a coefficient leaving it."""
    while True:
        base = rng.normal(0, 1, (n, 3))
        X = np.hstack([base @ rng.normal(0, 1, (3, p)) + 0.3 * rng.normal(0, 1, (n, p))])
        y = X[:, :4] @ rng.normal(0, 1, 4) + 0.5 * rng.normal(0, 1, n)
        Xc = X - X.mean(0)
        yc = y - y.mean()
        alphas, active, coefs = lars_path_gram(Xc.T @ yc, Xc.T @ Xc, n_samples=n, method="lasso")
        dropped = coefs.shape[1] - 1 > len(active)
        if dropped == want_drop:
            break
    pipeline = make_pipeline(StandardScaler(with_mean=False), LassoLarsIC(criterion="aic")).fit(X, y)
    return {
        "alphas": alphas.tolist(),
        "coefs": coefs.T.tolist(),
        "x": X.tolist(),
        "y": y.tolist(),
        "selected": np.nonzero(pipeline[1].coef_)[0].tolist(),
    }


def main():
    rng = np.random.default_rng(20240601)
    fixture = {
        "generated_by": "test/oracles/shap_reference.py",
        "versions": {"shap": shap.__version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "stage": stage_case(rng),
        "l1_16": l1_case(rng, 16, 10, 4, 10, 7),
        "l1_40": l1_case(rng, 40, 16, 4, 8, 11),
        "lars_drop": lars_case(rng, 80, 10, True),
        "lars_plain": lars_case(rng, 60, 8, False),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture))
    print(f"wrote {OUT} (shap {shap.__version__}, scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
