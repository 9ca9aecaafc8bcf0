#!/usr/bin/python3
"""scikit-learn side of bench/peers.mjs: milliseconds per EM iteration of GaussianMixture from a given start.

Usage: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
       /usr/bin/python3 bench/sklearn-iter.py DATA.f64 N D K TYPE START.json BUDGET
DATA.f64 holds the N×D rows as raw float64, row-major. START.json is {weights, means, covariances} (full: K×D×D,
diag: K×D). Every fit has tol=0, n_init=1 and starts from weights_init, means_init and precisions_init (the inverse
covariances). One iteration (E-step + M-step) costs (t_b − t_a) / (b − a), t_x the fastest of `reps` fits of
max_iter = x, so reading the data, input checks, the initialization and the final E-step cancel out. b is chosen from a
first estimate so that the timed difference lasts about a second and the whole stays within BUDGET seconds.
Prints one JSON object: {msPerIter, a, b, reps, finite, sklearnVersion, numpyVersion, threadpool}.
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture


def precisions(cov_type, covariances):
    c = np.asarray(covariances, dtype=np.float64)
    return np.linalg.inv(c) if cov_type == "full" else 1.0 / c


def fit_seconds(X, k, cov_type, start, max_iter):
    """Seconds of one fit of max_iter iterations, and whether its means came out finite."""
    gm = GaussianMixture(
        n_components=k, covariance_type=cov_type, tol=0.0, max_iter=max_iter, n_init=1, init_params="random",
        weights_init=np.asarray(start["weights"], dtype=np.float64),
        means_init=np.asarray(start["means"], dtype=np.float64),
        precisions_init=precisions(cov_type, start["covariances"]), random_state=0,
    )
    t0 = time.perf_counter()
    gm.fit(X)
    return time.perf_counter() - t0, bool(np.isfinite(gm.means_).all())


def best_of(reps, *args):
    runs = [fit_seconds(*args) for _ in range(reps)]
    return min(t for t, _ in runs), all(f for _, f in runs)


def threadpool():
    try:
        from threadpoolctl import threadpool_info
        return [{key: p.get(key) for key in ("internal_api", "version", "architecture", "num_threads")}
                for p in threadpool_info()]
    except ImportError:
        return None


def main():
    path, n, d, k, cov_type, start_path, budget = sys.argv[1:8]
    n, d, k, budget = int(n), int(d), int(k), float(budget)
    X = np.fromfile(path, dtype=np.float64).reshape(n, d)
    with open(start_path) as f:
        start = json.load(f)
    warnings.simplefilter("ignore", ConvergenceWarning)
    a = 1
    t_a, _ = fit_seconds(X, k, cov_type, start, a)
    t_next, _ = fit_seconds(X, k, cov_type, start, a + 1)
    estimate = max(t_next - t_a, 1e-6)
    steps = int(max(2, min(20, round(1.0 / estimate), budget / estimate - 2 * a)))
    reps = 3 if 3 * (2 * a + steps) * estimate < budget else 1
    t_a, finite_a = best_of(reps, X, k, cov_type, start, a)
    t_b, finite_b = best_of(reps, X, k, cov_type, start, a + steps)
    print(json.dumps({
        "msPerIter": 1000 * max(t_b - t_a, 0.0) / steps, "a": a, "b": a + steps, "reps": reps,
        "finite": finite_a and finite_b, "sklearnVersion": sklearn.__version__, "numpyVersion": np.__version__,
        "threadpool": threadpool(),
    }))


if __name__ == "__main__":
    main()
