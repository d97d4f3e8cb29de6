"""Accuracy of the recurrent estimators on two standard tasks.

Run by hand: ``python benchmarks/bench_accuracy.py [--quick]``. Prints two
tables.

1. Sequential digits: scikit-learn's ``load_digits`` rows read as 8 time steps
   of 8 features (pixels scaled to [0, 1]), a 25% stratified test split, test
   accuracy of every cell with default settings but ``hidden_layer_sizes``
   and ``max_iter`` as printed, over several seeds (median and range).
   Reference: ``MLPClassifier`` on the flat pixels, in the same run.
2. The adding problem (Hochreiter & Schmidhuber 1997): sequences of
   ``T = 100`` steps of two features, a uniform random value and a marker that
   is 1 at two random steps (one in each half); the target is the sum of the
   two marked values. Predicting the mean gives MSE ≈ 0.167; a gated cell is
   expected to get under 0.01, the plain ``"rnn"`` usually cannot carry the
   first value across 50-100 steps.

Inputs are float32 (training in float32 is faster; the results are the same
in float64 up to seed noise).
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from skrnn import RNNClassifier, RNNRegressor
from skrnn.cells import CELLS


def adding_problem(n_samples, n_steps, rng):
    """Inputs (n, T, 2) and targets (n,) of the adding problem."""
    values = rng.uniform(0, 1, size=(n_samples, n_steps))
    markers = np.zeros((n_samples, n_steps))
    half = n_steps // 2
    first = rng.randint(0, half, n_samples)
    second = rng.randint(half, n_steps, n_samples)
    rows = np.arange(n_samples)
    markers[rows, first] = 1
    markers[rows, second] = 1
    X = np.stack([values, markers], axis=2).astype(np.float32)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)
    return X, y


def digits_table(seeds, hidden, max_iter):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16, y, test_size=0.25, stratify=y, random_state=0
    )
    to_sequences = lambda A: A.reshape(-1, 8, 8).astype(np.float32)  # noqa: E731
    print("## Sequential digits (8 steps x 8 features), test accuracy")
    print(f"hidden_layer_sizes=({hidden},), max_iter={max_iter}, seeds {seeds}\n")
    print("| model | median accuracy | min | max | median fit time (s) | epochs |")
    print("|---|---|---|---|---|---|")
    for cell in sorted(CELLS):
        scores, times, epochs = [], [], []
        for seed in seeds:
            model = RNNClassifier(
                cell=cell,
                hidden_layer_sizes=(hidden,),
                max_iter=max_iter,
                random_state=seed,
                # The cells alone, as before issue 11 gave the classifier a
                # front end and per-sequence channels by default.
                conv_filters=0,
                standardize=True,
            )
            start = time.perf_counter()
            model.fit(to_sequences(X_train), y_train)
            times.append(time.perf_counter() - start)
            scores.append(model.score(to_sequences(X_test), y_test))
            epochs.append(model.n_iter_)
        print(
            f"| {cell} | {np.median(scores):.4f} | {min(scores):.4f} | "
            f"{max(scores):.4f} | {np.median(times):.1f} | {int(np.median(epochs))} |"
        )
    scores = [
        MLPClassifier(random_state=seed, max_iter=500)
        .fit(X_train, y_train)
        .score(X_test, y_test)
        for seed in seeds
    ]
    print(
        f"| MLPClassifier (flat pixels) | {np.median(scores):.4f} | {min(scores):.4f} | {max(scores):.4f} | | |\n"
    )


def adding_table(n_steps, n_train, max_iter, args_cells, seed=0):
    rng = np.random.RandomState(seed)
    X_train, y_train = adding_problem(n_train, n_steps, rng)
    X_test, y_test = adding_problem(2000, n_steps, rng)
    print(f"## Adding problem, T={n_steps}, {n_train} training sequences")
    print(
        f"hidden_layer_sizes=(64,), batch_size=64, max_iter={max_iter}, clip_norm=1.0\n"
    )
    print("| cell | test MSE | baseline MSE (predict mean) | epochs | fit time (s) |")
    print("|---|---|---|---|---|")
    baseline = np.mean((y_test - y_train.mean()) ** 2)
    for cell in args_cells:
        model = RNNRegressor(
            cell=cell,
            batch_size=64,
            max_iter=max_iter,
            clip_norm=1.0,
            random_state=seed,
            early_stopping=True,
            n_iter_no_change=5,
        )
        start = time.perf_counter()
        model.fit(X_train, y_train)
        elapsed = time.perf_counter() - start
        mse = np.mean((model.predict(X_test) - y_test) ** 2)
        print(
            f"| {cell} | {mse:.5f} | {baseline:.4f} | {model.n_iter_} | {elapsed:.0f} |",
            flush=True,
        )
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, short runs")
    parser.add_argument("--skip-digits", action="store_true")
    parser.add_argument("--skip-adding", action="store_true")
    parser.add_argument(
        "--cells",
        nargs="+",
        default=["gru", "lstm", "rnn"],
        help="adding-problem cells",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    if not args.skip_digits:
        digits_table(
            [0] if args.quick else [0, 1, 2],
            hidden=64,
            max_iter=30 if args.quick else 200,
        )
    if not args.skip_adding:
        adding_table(
            100, 1000 if args.quick else 10000, 3 if args.quick else 60, args.cells
        )


if __name__ == "__main__":
    main()
