#!/usr/bin/python3
"""scikit-learn side of bench/compare-sklearn.mjs.

Exports scikit-learn's bundled real data sets (load_wine, load_breast_cancer, load_diabetes features, load_digits) as
CSV with a header row into OUTDIR, fits GaussianMixture(n_init=10, tol=1e-6, max_iter=1000, reg_covar=1e-6,
random_state=SEED) on the raw features for every case of the plan and every seed, and writes OUTDIR/sklearn.json:
{ sklearnVersion, numpyVersion, python, params, datasets: {name: {n, d, csv}}, records: [...] }.

Usage: /usr/bin/python3 bench/compare-sklearn.py OUTDIR [--datasets wine,digits] [--seeds 0,1,2]
Python with scikit-learn from Debian (apt-get install -y python3-sklearn).
"""
import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
import sklearn
from sklearn import datasets
from sklearn.mixture import GaussianMixture

ALL = ["full", "tied", "diag", "spherical"]
PLAN = {  # name -> (loader, K values, covariance types)
    "wine": (datasets.load_wine, list(range(1, 7)), ALL),
    "breast_cancer": (datasets.load_breast_cancer, list(range(1, 7)), ALL),
    "diabetes": (datasets.load_diabetes, list(range(1, 7)), ALL),
    "digits": (datasets.load_digits, [5, 10], ["diag", "full"]),
}
PARAMS = dict(n_init=10, tol=1e-6, max_iter=1000, reg_covar=1e-6)


def min_variance(gm):
    """Smallest variance over the components (a value at reg_covar marks a degenerate component)."""
    c = gm.covariances_
    if gm.covariance_type == "full":
        return float(min(np.diag(m).min() for m in c))
    if gm.covariance_type == "tied":
        return float(np.diag(c).min())
    return float(np.min(c))


def export(name, loader, outdir):
    bunch = loader()
    X = np.ascontiguousarray(bunch.data, dtype=np.float64)
    header = getattr(bunch, "feature_names", None)
    if header is None or len(header) != X.shape[1]:
        header = [f"x{j}" for j in range(X.shape[1])]
    path = os.path.join(outdir, name + ".csv")
    # repr-exact values so both libraries see the same float64 numbers.
    with open(path, "w") as f:
        f.write(",".join(str(h).replace(",", ";") for h in header) + "\n")
        for row in X:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    return X, path


def fit_case(name, X, cov, k, seed):
    """Fits one case with random_state=seed; returns its record (a failed fit records its error)."""
    n, d = X.shape
    rec = dict(dataset=name, covarianceType=cov, K=int(k), seed=int(seed), n=int(n), d=int(d))
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as wl:
        warnings.simplefilter("always")
        try:
            gm = GaussianMixture(n_components=k, covariance_type=cov, random_state=seed, **PARAMS).fit(X)
            rec.update(meanLoglik=float(gm.score(X)), bic=float(gm.bic(X)), aic=float(gm.aic(X)),
                       nParameters=int(gm._n_parameters()), nIter=int(gm.n_iter_),
                       converged=bool(gm.converged_), minVariance=min_variance(gm),
                       minWeight=float(gm.weights_.min()), error=None)
        except Exception as e:  # e.g. ill-defined empirical covariance
            rec.update(meanLoglik=None, error=f"{type(e).__name__}: {str(e)[:300]}")
    rec["seconds"] = time.perf_counter() - t0
    rec["warnings"] = sorted({f"{w.category.__name__}: {str(w.message)[:160]}" for w in wl})
    ll = rec["meanLoglik"]
    print(f"sklearn {name:14s} {cov:9s} K={k:2d} seed={seed} "
          + (f"ll/n={ll:.10f} it={rec['nIter']}" if ll is not None else rec["error"])
          + f"  {rec['seconds']:.2f}s", flush=True)
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--datasets", default=None)
    ap.add_argument("--seeds", default="0")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    wanted = args.datasets.split(",") if args.datasets else list(PLAN)
    seeds = [int(s) for s in args.seeds.split(",")]
    out = dict(sklearnVersion=sklearn.__version__, numpyVersion=np.__version__, python=platform.python_version(),
               params=dict(PARAMS, random_state=seeds), datasets={}, records=[])
    for name in wanted:
        loader, Ks, types = PLAN[name]
        X, path = export(name, loader, args.outdir)
        n, d = X.shape
        out["datasets"][name] = dict(n=int(n), d=int(d), csv=path, source=f"sklearn.datasets.{loader.__name__}")
        for cov in types:
            for k in Ks:
                for seed in seeds:
                    out["records"].append(fit_case(name, X, cov, k, seed))
    with open(os.path.join(args.outdir, "sklearn.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
