#!/usr/bin/python3
"""Scores a data set with scikit-learn using a wasm-em model JSON.

Builds a scikit-learn GaussianMixture from the model (weights_, means_, covariances_ in scikit-learn's shapes, and
precisions_cholesky_ computed from them as scikit-learn's own M-step does) and prints score(X), the mean
log-likelihood per row. It must agree with `wasm-em score MODEL.json DATA.csv`.

Usage: /usr/bin/python3 scripts/sklearn-score.py MODEL.json DATA.csv
DATA.csv: comma-separated numbers, with or without a header row.
"""
import json
import sys

import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

FORMAT = "wasm-em/gaussian-mixture"

# The scikit-learn type whose covariance shape each of mclust's models is stored in.
SKLEARN_TYPE = {"EII": "spherical", "VII": "spherical", "EEI": "diag", "VEI": "diag", "EVI": "diag", "VVI": "diag",
                "EEE": "tied", "VEE": "full", "EVE": "full", "VVE": "full", "EEV": "full", "VEV": "full",
                "EVV": "full", "VVV": "full"}


def load_model(path):
    with open(path) as f:
        m = json.load(f)
    if m.get("format") != FORMAT or m.get("version") != 1:
        sys.exit(f"{path}: not a {FORMAT} version 1 model (format={m.get('format')!r}, version={m.get('version')!r})")
    # mclust's models are stored in the shape of the scikit-learn type with the same layout.
    cov_type = SKLEARN_TYPE.get(m["covarianceType"], m["covarianceType"])
    weights = np.asarray(m["weights"], dtype=np.float64)
    means = np.asarray(m["means"], dtype=np.float64)
    covariances = np.asarray(m["covariances"], dtype=np.float64)
    k, d = means.shape
    if d != m["nFeatures"]:
        sys.exit(f"{path}: means have {d} columns but nFeatures is {m['nFeatures']}")
    gm = GaussianMixture(n_components=k, covariance_type=cov_type)
    gm.weights_ = weights
    gm.means_ = means
    gm.covariances_ = covariances
    gm.precisions_cholesky_ = _compute_precision_cholesky(covariances, cov_type)
    gm.converged_ = bool(m.get("converged", True))
    gm.n_iter_ = int(m.get("nIter", 0))
    gm.lower_bound_ = float(m.get("lowerBound", float("nan")))
    gm.n_features_in_ = d
    return gm


def load_csv(path):
    with open(path) as f:
        first = f.readline()
    try:
        [float(x) for x in first.strip().split(",")]
        skip = 0
    except ValueError:
        skip = 1
    return np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2, dtype=np.float64)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: sklearn-score.py MODEL.json DATA.csv")
    gm = load_model(argv[1])
    X = load_csv(argv[2])
    print(repr(float(gm.score(X))))


if __name__ == "__main__":
    main(sys.argv)
