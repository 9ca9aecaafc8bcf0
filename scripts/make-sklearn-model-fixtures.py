#!/usr/bin/python3
"""Fitted scikit-learn models in wasm-em's model JSON format, with scikit-learn's outputs on the data they were fitted to.

For faithful and iris (test/fixtures/reference/), each covariance type and K = 2, 3, fits
GaussianMixture(n_components=K, covariance_type=T, random_state=0, n_init=3, tol=1e-6, max_iter=1000) and writes
test/fixtures/sklearn-models/<data>-<type>-k<K>.json with
  model           wasm-em's model JSON (format "wasm-em/gaussian-mixture", version 1, covariances in scikit-learn's shapes)
  score           mean log-likelihood per row on the whole data set
  scoreSamples    per-row log-likelihood of the first 10 rows
  predictProba    responsibilities of the first 10 rows (10 x K)
  predict         labels of all rows
  bic, aic, nParameters (scikit-learn _n_parameters()), sklearnVersion, numpyVersion, data, nRows, params.
The tests load `model` with GaussianMixture.fromJSON and compare its outputs with these.

The other direction: for each model JSON written by wasm-em in test/fixtures/sklearn-models/wasm-em/ (<data>-*.model.json,
made with `wasm-em fit`, see PROVENANCE.md there), builds the scikit-learn GaussianMixture exactly as
scripts/sklearn-score.py does and writes <data>-*.sklearn.json with scikit-learn's score, scoreSamples and
predictProba of the first 10 rows and predict of all rows.

Usage: /usr/bin/python3 scripts/make-sklearn-model-fixtures.py   (Python with scikit-learn from Debian: python3-sklearn)
"""
import glob
import importlib.util
import json
import os

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(ROOT, "test", "fixtures", "reference")
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "sklearn-models")
WASM_EM_DIR = os.path.join(OUT_DIR, "wasm-em")
PARAMS = dict(random_state=0, n_init=3, tol=1e-6, max_iter=1000)
N_HEAD = 10


def load(name):
    X = np.loadtxt(os.path.join(DATA_DIR, name + ".csv"), delimiter=",", skiprows=1, ndmin=2)
    return np.ascontiguousarray(X, dtype=np.float64)


def model_json(gm, d):
    # repr-exact floats: json.dump writes the shortest string that round-trips a float64.
    return {
        "format": "wasm-em/gaussian-mixture",
        "version": 1,
        "covarianceType": gm.covariance_type,
        "nFeatures": int(d),
        "weights": gm.weights_.tolist(),
        "means": gm.means_.tolist(),
        "covariances": gm.covariances_.tolist(),
        "converged": bool(gm.converged_),
        "nIter": int(gm.n_iter_),
        "lowerBound": float(gm.lower_bound_),
    }


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in ("faithful", "iris"):
        X = load(name)
        n, d = X.shape
        for cov in ("full", "tied", "diag", "spherical"):
            for k in (2, 3):
                gm = GaussianMixture(n_components=k, covariance_type=cov, **PARAMS).fit(X)
                head = X[:N_HEAD]
                rec = {
                    "description": f"scikit-learn GaussianMixture fitted to {name}.csv (test/fixtures/reference), "
                    f"covariance_type={cov!r}, n_components={k}; made by scripts/make-sklearn-model-fixtures.py",
                    "sklearnVersion": sklearn.__version__,
                    "numpyVersion": np.__version__,
                    "data": f"test/fixtures/reference/{name}.csv",
                    "nRows": int(n),
                    "params": dict(n_components=k, covariance_type=cov, **PARAMS),
                    "model": model_json(gm, d),
                    "score": float(gm.score(X)),
                    "scoreSamples": gm.score_samples(head).tolist(),
                    "predictProba": gm.predict_proba(head).tolist(),
                    "predict": gm.predict(X).tolist(),
                    "bic": float(gm.bic(X)),
                    "aic": float(gm.aic(X)),
                    "nParameters": int(gm._n_parameters()),
                }
                path = os.path.join(OUT_DIR, f"{name}-{cov}-k{k}.json")
                with open(path, "w") as f:
                    json.dump(rec, f, indent=1)
                    f.write("\n")
                print(f"{path}: score={rec['score']:.12f} nIter={gm.n_iter_} converged={gm.converged_}")
    score_wasm_em_models()


def score_wasm_em_models():
    spec = importlib.util.spec_from_file_location("sklearn_score", os.path.join(ROOT, "scripts", "sklearn-score.py"))
    sklearn_score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sklearn_score)
    for model_path in sorted(glob.glob(os.path.join(WASM_EM_DIR, "*.model.json"))):
        base = os.path.basename(model_path)[: -len(".model.json")]
        name = base.split("-")[0]
        X = load(name)
        gm = sklearn_score.load_model(model_path)
        head = X[:N_HEAD]
        rec = {
            "description": f"scikit-learn {sklearn.__version__} scoring the wasm-em model {base}.model.json on "
            f"{name}.csv (model built as scripts/sklearn-score.py does); made by scripts/make-sklearn-model-fixtures.py",
            "sklearnVersion": sklearn.__version__,
            "numpyVersion": np.__version__,
            "model": f"{base}.model.json",
            "data": f"test/fixtures/reference/{name}.csv",
            "nRows": int(X.shape[0]),
            "score": float(gm.score(X)),
            "scoreSamples": gm.score_samples(head).tolist(),
            "predictProba": gm.predict_proba(head).tolist(),
            "predict": gm.predict(X).tolist(),
        }
        path = os.path.join(WASM_EM_DIR, base + ".sklearn.json")
        with open(path, "w") as f:
            json.dump(rec, f, indent=1)
            f.write("\n")
        print(f"{path}: score={rec['score']:.12f}")


if __name__ == "__main__":
    main()
