"""The demo: ``python -m skrnn``.

Grid-searches the cell type on two small problems built from data that ships
with skrnn's dependencies, and prints a table of cross-validated score and
fit time per cell, next to a plain scikit-learn model on the same data as a
baseline:

* sequence classification: scikit-learn's digits, each image read as 8 time
  steps of 8 pixels (baseline: logistic regression on the 64 pixels);
* forecasting: the next value of a noisy two-tone series from windows of its
  last 20 values, 2D input with one univariate sequence per row (baseline:
  ridge regression on the 20 values, a linear autoregression).

``python -m skrnn --help`` says what it does without running it.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_validate, train_test_split

from skrnn import RNNClassifier, RNNRegressor
from skrnn.cells import CELLS

DESCRIPTION = """\
Run skrnn's demo: a grid search over the recurrent cell type (3-fold
cross-validation, n_jobs=2) on two small problems, next to a plain
scikit-learn baseline on the same data, and print a table of scores and fit
times. Takes under a minute on 2 cores; needs no download."""

READ_ON = """\
Read on in the documentation (docs/ in the repository; build it with
pip install ".[docs]" && sphinx-build -b html docs docs/_build/html):
  Getting started      install, this demo, a first model
  User guide           input shapes, cells, training, forecasting, echo state
                       networks, model selection, performance, saving models
  Examples             complete scripts with figures (examples/*.py)
  API reference        every estimator and its parameters"""


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


def problems():
    """(title, one-line description, RNN estimator, (baseline name, baseline), data)."""
    return [
        (
            "digits (accuracy)",
            "which digit an 8x8 image shows, read row by row: 8 steps of 8 pixels",
            RNNClassifier(
                hidden_layer_sizes=(32,),
                max_iter=60,
                learning_rate_init=3e-3,
                random_state=0,
            ),
            ("LogisticRegression", LogisticRegression(max_iter=1000)),
            digits_sequences(),
        ),
        (
            "two-tone series (R^2)",
            "the next value of a noisy sum of two sines, from its last 20 values",
            RNNRegressor(
                hidden_layer_sizes=(32,),
                max_iter=40,
                learning_rate_init=3e-3,
                random_state=0,
            ),
            ("Ridge", Ridge(alpha=1.0)),
            two_tone_windows(),
        ),
    ]


def flat(X):
    """One row of features per sequence, for the baselines."""
    return X.reshape(len(X), -1)


def compare(estimator, baseline, X, y, n_jobs=2):
    """Grid search over every registered cell, in parallel, and the baseline.

    Returns the table rows ``(name, mean CV score, mean fit time)``, the best
    cell, and the held-out scores of the best RNN and of the baseline.
    """
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    search = GridSearchCV(estimator, {"cell": sorted(CELLS)}, cv=3, n_jobs=n_jobs)
    with warnings.catch_warnings():
        # The demo trains for a few epochs on purpose, to stay under a minute.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    results = search.cv_results_
    rows = [
        (params["cell"], results["mean_test_score"][i], results["mean_fit_time"][i])
        for i, params in enumerate(results["params"])
    ]
    name, model = baseline
    scores = cross_validate(model, flat(X_train), y_train, cv=3, n_jobs=n_jobs)
    rows.append(
        (f"baseline: {name}", scores["test_score"].mean(), scores["fit_time"].mean())
    )
    baseline_score = model.fit(flat(X_train), y_train).score(flat(X_test), y_test)
    return (
        rows,
        search.best_params_["cell"],
        search.score(X_test, y_test),
        baseline_score,
    )


def run_demo(cases):
    start = time.perf_counter()
    print(
        "skrnn demo: GridSearchCV over the cell type (3-fold CV, n_jobs=2),\n"
        "with a plain scikit-learn model on the flattened input as a baseline\n"
    )
    for title, description, estimator, baseline, (X, y) in cases:
        rows, best, test_score, baseline_score = compare(estimator, baseline, X, y)
        print(title)
        print(f"  {description}")
        print(f"  {'cell or model':<30}{'CV score':>10}{'fit time (s)':>14}")
        for name, score, fit_time in rows:
            print(f"  {name:<30}{score:>10.3f}{fit_time:>14.2f}")
        print(
            f"  best cell: {best}; held-out score {test_score:.3f} "
            f"(baseline {baseline_score:.3f})\n"
        )
    print(f"total time: {time.perf_counter() - start:.1f} s\n")
    print(READ_ON)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skrnn",
        description=DESCRIPTION,
        epilog=READ_ON,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
    run_demo(problems())


if __name__ == "__main__":
    main()
