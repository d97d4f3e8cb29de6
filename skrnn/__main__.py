"""The demo: ``python -m skrnn``.

Grid-searches the cell type on two small problems built from data that ships
with skrnn's dependencies, and prints a table of cross-validated score and
fit time per cell:

* sequence classification: scikit-learn's digits, each image read as 8 time
  steps of 8 pixels;
* forecasting: the next value of a noisy two-tone series from windows of its
  last 20 values (2D input: one univariate sequence per row).
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split

from skrnn import RNNClassifier, RNNRegressor
from skrnn.cells import CELLS


def digits_sequences():
    """Digits as float32 sequences of 8 steps × 8 features, scaled to [0, 1]."""
    X, y = load_digits(return_X_y=True)
    return (X.reshape(-1, 8, 8) / 16).astype(np.float32), y


def two_tone_windows(n_windows=600, window=20, seed=0):
    """Lag windows of a noisy sum of two sines, and each window's next value."""
    rng = np.random.RandomState(seed)
    t = np.arange(n_windows + window)
    series = np.sin(0.21 * t) + 0.5 * np.sin(0.057 * t) + 0.05 * rng.normal(size=t.size)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], window)[:n_windows]
    return X.astype(np.float32), series[window : window + n_windows].astype(np.float32)


def grid_search(estimator, X, y):
    """Cross-validated grid search over every registered cell, in parallel."""
    search = GridSearchCV(estimator, {"cell": sorted(CELLS)}, cv=3, n_jobs=2)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    with warnings.catch_warnings():
        # The demo trains for a few epochs on purpose, to stay under a minute.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    results = search.cv_results_
    rows = []
    for i, params in enumerate(results["params"]):
        rows.append(
            (params["cell"], results["mean_test_score"][i], results["mean_fit_time"][i])
        )
    return rows, search.best_params_["cell"], search.score(X_test, y_test)


def main():
    start = time.perf_counter()
    problems = [
        (
            "digits (8 steps x 8 pixels), accuracy",
            RNNClassifier(
                hidden_layer_sizes=(32,),
                max_iter=60,
                learning_rate_init=3e-3,
                random_state=0,
            ),
            digits_sequences(),
        ),
        (
            "two-tone series (windows of 20), R^2",
            RNNRegressor(
                hidden_layer_sizes=(32,),
                max_iter=40,
                learning_rate_init=3e-3,
                random_state=0,
            ),
            two_tone_windows(),
        ),
    ]
    print("skrnn demo: GridSearchCV over the cell type (3-fold CV, n_jobs=2)\n")
    for title, estimator, (X, y) in problems:
        rows, best, test_score = grid_search(estimator, X, y)
        print(title)
        print(f"  {'cell':<10}{'CV score':>10}{'fit time (s)':>14}")
        for cell, score, fit_time in rows:
            print(f"  {cell:<10}{score:>10.3f}{fit_time:>14.2f}")
        print(f"  best cell: {best}; held-out score {test_score:.3f}\n")
    print(f"total time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
