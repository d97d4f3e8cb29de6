"""What the clockwork cell and the convolutional front end add, on tasks made for them.

Run by hand: ``python benchmarks/bench_architectures.py [--seeds 0 1 2]``.
Prints two markdown tables; with the defaults it takes a few minutes on two
cores. Every fit is in float32 with one BLAS thread, and every number is the
median over the seeds (each seed draws new data and new initial weights).

1. Long memory at ``T = 200`` steps: ``"clockwork"`` (groups with periods
   1, 2, 4, ..., 128) against the plain ``"rnn"`` with the same number of
   units, data, epochs and optimiser settings, on two tasks. The adding
   problem (Hochreiter & Schmidhuber 1997): a uniform random value and a
   marker that is 1 at two random steps (one in each half); the target is
   the sum of the two marked values; predicting the mean gives MSE ≈ 0.167.
   The first value (the latching problem of Bengio et al. 1994): the target
   is the first of 200 uniform values; predicting the mean gives ≈ 0.333.
2. Patterns at varying positions: a shifted-template task. Each class is a
   short zero-mean template (``TEMPLATE_LENGTH`` steps) added at a random
   position of a Gaussian-noise sequence; the class is which template. Every
   cell without and with the convolutional front end (``conv_filters``,
   ``conv_kernel_size``, ``conv_pool`` as printed), the same recurrent layer
   otherwise. The filters act as learned template detectors wherever the
   template lies, and pooling shortens the sequence the recurrent layer
   reads.
"""

import argparse
import time
import warnings

import numpy as np
from bench_accuracy import adding_problem  # run as a script: its folder is on sys.path
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skrnn import RNNClassifier, RNNRegressor
from skrnn.cells import CELLS

N_TEMPLATES, TEMPLATE_LENGTH, N_STEPS, NOISE = 4, 8, 64, 0.6
CONV = {"conv_filters": 16, "conv_kernel_size": TEMPLATE_LENGTH, "conv_pool": 8}


def shifted_templates(n_samples, rng, templates):
    """Sequences (n, N_STEPS) of noise with one template each, and its class."""
    y = rng.randint(0, len(templates), n_samples)
    X = NOISE * rng.standard_normal((n_samples, N_STEPS))
    starts = rng.randint(0, N_STEPS - TEMPLATE_LENGTH + 1, n_samples)
    steps = starts[:, np.newaxis] + np.arange(TEMPLATE_LENGTH)
    X[np.arange(n_samples)[:, np.newaxis], steps] += templates[y]
    return X.astype(np.float32), y


def make_templates(rng):
    """Zero-mean templates of unit RMS: only their shapes tell them apart."""
    templates = rng.standard_normal((N_TEMPLATES, TEMPLATE_LENGTH))
    templates -= templates.mean(axis=1, keepdims=True)
    return templates / templates.std(axis=1, keepdims=True)


def timed_fit(model, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        # A fixed budget of epochs is the point of the comparison.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - start


def summary(values):
    values = np.asarray(values)
    return np.median(values), values.min(), values.max()


def first_value(n_samples, n_steps, rng):
    """Remember the first value: inputs (n, T) uniform on [-1, 1], target x_0.

    The latching problem of Bengio, Simard & Frasconi (1994) in its simplest
    form: the only information is at the first step, and the later steps
    are distractors with the same distribution.
    """
    X = rng.uniform(-1, 1, size=(n_samples, n_steps)).astype(np.float32)
    return X, X[:, 0].copy()


LONG_MEMORY_TASKS = {"adding": adding_problem, "first value": first_value}


def clockwork_table(seeds, n_train, n_steps, max_iter):
    hidden = 64
    periods = tuple(2**i for i in range(8))
    settings = {
        "hidden_layer_sizes": (hidden,),
        "batch_size": 50,
        "learning_rate_init": 1e-3,
        "clip_norm": 1.0,
        "clock_periods": periods,
        "max_iter": max_iter,
        "n_iter_no_change": max_iter,
    }
    print(f"### Long memory, T={n_steps}: clockwork against rnn")
    print(
        f"{n_train} training and 1000 test sequences, hidden_layer_sizes=({hidden},), "
        f"clock_periods={periods}, {max_iter} epochs, batch_size=50, "
        f"learning_rate_init=1e-3, clip_norm=1.0, seeds {seeds}\n"
    )
    print(
        "| task | cell | median test MSE | min | max | predict-the-mean MSE "
        "| median fit time (s) |"
    )
    print("|---|---|---|---|---|---|---|")
    for task, make_data in LONG_MEMORY_TASKS.items():
        for cell in ("rnn", "clockwork"):
            errors, times, baselines = [], [], []
            for seed in seeds:
                X, y = make_data(n_train + 1000, n_steps, np.random.RandomState(seed))
                model = RNNRegressor(cell=cell, random_state=seed, **settings)
                times.append(timed_fit(model, X[:n_train], y[:n_train]))
                test = model.predict(X[n_train:])
                errors.append(np.mean((test - y[n_train:]) ** 2))
                baselines.append(np.mean((y[n_train:] - y[:n_train].mean()) ** 2))
            median, low, high = summary(errors)
            print(
                f"| {task} | {cell} | {median:.4f} | {low:.4f} | {high:.4f} | "
                f"{np.median(baselines):.4f} | {np.median(times):.1f} |"
            )
    print()


def conv_table(seeds, n_train, max_iter, cells):
    hidden = 32
    settings = {
        "hidden_layer_sizes": (hidden,),
        "batch_size": 50,
        "learning_rate_init": 3e-3,
        "clock_periods": (1, 2, 4, 8),
        "max_iter": max_iter,
        "n_iter_no_change": max_iter,
    }
    print(
        f"### Shifted templates: {N_TEMPLATES} classes, templates of "
        f"{TEMPLATE_LENGTH} steps in {N_STEPS} steps of noise (sd {NOISE})"
    )
    print(
        f"{n_train} training and 1000 test sequences, hidden_layer_sizes=({hidden},), "
        f"{max_iter} epochs, learning_rate_init=3e-3, seeds {seeds}; front end: "
        + ", ".join(f"{k}={v}" for k, v in CONV.items())
        + "\n"
    )
    print(
        "| cell | front end | median test accuracy | min | max | "
        "median fit time (s) | time ratio conv / none |"
    )
    print("|---|---|---|---|---|---|---|")
    for cell in cells:
        medians = {}
        # "none" turns off the classifier's default front end (issue 11).
        for front_end, conv in (("none", {"conv_filters": 0}), ("conv", CONV)):
            scores, times = [], []
            for seed in seeds:
                rng = np.random.RandomState(seed)
                templates = make_templates(rng)
                X, y = shifted_templates(n_train + 1000, rng, templates)
                model = RNNClassifier(cell=cell, random_state=seed, **settings, **conv)
                times.append(timed_fit(model, X[:n_train], y[:n_train]))
                scores.append(model.score(X[n_train:], y[n_train:]))
            median, low, high = summary(scores)
            medians[front_end] = np.median(times)
            ratio = (
                f"{medians['conv'] / medians['none']:.2f}"
                if front_end == "conv"
                else ""
            )
            print(
                f"| {cell} | {front_end} | {median:.3f} | {low:.3f} | {high:.3f} | "
                f"{medians[front_end]:.1f} | {ratio} |"
            )
    print(f"\nChance level: {1 / N_TEMPLATES:.2f}.\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--memory-train", type=int, default=1000)
    parser.add_argument("--memory-steps", type=int, default=200)
    parser.add_argument("--memory-epochs", type=int, default=10)
    parser.add_argument("--template-train", type=int, default=1000)
    parser.add_argument("--template-epochs", type=int, default=30)
    parser.add_argument("--cells", nargs="+", default=sorted(CELLS))
    parser.add_argument("--skip-clockwork", action="store_true")
    parser.add_argument("--skip-conv", action="store_true")
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        if not args.skip_clockwork:
            clockwork_table(
                args.seeds, args.memory_train, args.memory_steps, args.memory_epochs
            )
        if not args.skip_conv:
            conv_table(
                args.seeds, args.template_train, args.template_epochs, args.cells
            )


if __name__ == "__main__":
    main()
