"""Time to a good model: skrnn's defaults against PyTorch, and float64 input.

Two tables, for the cells "rnn", "gru" and "lstm":

1. **Time to accuracy** on sequential digits (scikit-learn's bundled
   ``load_digits``: 1,797 images of 8x8 pixels read as 8 time steps of 8
   pixels; a stratified split of 1,297 training and 500 test sequences, the
   same for every run). skrnn trains ``RNNClassifier(cell=cell,
   random_state=seed, **SAME_NETWORK)`` with its defaults otherwise (64
   units, Adam at 1e-3, minibatches of 200, shuffled, inputs standardised,
   the maximum over time read by the output layer; ``SAME_NETWORK`` turns
   off the convolutional front end and the per-sequence channels that the
   classifier has by default since issue 11, which PyTorch's side does not
   build) on the float64 data a scikit-learn user
   has, one ``partial_fit`` epoch at a time. PyTorch trains the same
   architecture (``nn.RNN``/``nn.GRU``/``nn.LSTM`` with 64 units,
   ``batch_first``, the maximum over time, a linear layer, cross-entropy)
   with ``torch.optim.Adam`` at 1e-3 and shuffled minibatches of 200 on the
   same standardised data in float32. After every epoch both are scored on
   the test set (not timed); the table gives the training time until the
   test accuracy first reaches ``--target`` (default 0.9), the epochs it
   took, and the per-seed ratio skrnn / PyTorch (below 1: skrnn is faster).

2. **Epoch time by input dtype**: one ``partial_fit`` epoch of the default
   ``RNNClassifier`` on ``--samples`` (default 4,000) sequences of 40 steps
   of 8 features, 10 classes: float64 input and float32 input (both train
   in float32 under the default ``dtype="auto"``), and, for reference,
   ``dtype="float64"`` (how float64 input trained before issue 17).

Runs are interleaved (every contender once per repeat, in turn) and every
contender is pinned to one thread (numpy's BLAS through threadpoolctl,
``torch.set_num_threads``). Times are the CPU time of the thread that
trains (``time.thread_time``; ``--clock wall`` for wall time): with one
thread that is the wall time of a quiet machine, and it stays so when
other work shares the cores, as on the 2-core development machine. Medians
over the repeats, and the range of the per-repeat ratios.

PyTorch is never a dependency of skrnn: like ``bench_recurrent.py``, the
script re-runs itself in ``benchmarks/.venv-torch`` with ``torch==2.13.0``
(a CPU build) installed there.

Usage::

    python benchmarks/bench_time_to_accuracy.py [--repeats 5] [--target 0.9]
        [--cells rnn,gru,lstm] [--max-epochs 150] [--samples 4000]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_recurrent import ensure_torch_environment  # noqa: E402

HIDDEN = 64
BATCH = 200
RATE = 1e-3
# The network PyTorch's side builds: no convolutional front end and no
# per-sequence level and scale channels (RNNClassifier's defaults since
# issue 11), inputs standardised per feature.
SAME_NETWORK = dict(conv_filters=0, standardize=True)
#: The clock every time is read from (``--clock``).
clock = time.thread_time


def digits_split():
    """Sequential digits: (X_train, X_test, y_train, y_test), float64."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 8, 8)
    return train_test_split(X, y, test_size=500, stratify=y, random_state=0)


def skrnn_time_to_accuracy(cell, seed, data, target, max_epochs):
    """Seconds of training and epochs until the test accuracy reaches
    ``target`` (inf if it never does), with skrnn's defaults."""
    import numpy as np

    from skrnn import RNNClassifier

    X_train, X_test, y_train, y_test = data
    model = RNNClassifier(cell=cell, random_state=seed, **SAME_NETWORK)
    classes = np.unique(y_train)
    elapsed = 0.0
    for epoch in range(1, max_epochs + 1):
        start = clock()
        model.partial_fit(X_train, y_train, classes=classes)
        elapsed += clock() - start
        if model.score(X_test, y_test) >= target:
            return elapsed, epoch
    return float("inf"), max_epochs


def torch_time_to_accuracy(cell, seed, data, target, max_epochs):
    """The same for PyTorch: the defaults' architecture and optimiser on
    the same standardised data, in float32."""
    import numpy as np
    import torch

    X_train, X_test, y_train, y_test = data
    # What skrnn's standardize=True does: per feature, over all steps.
    mean = X_train.reshape(-1, 8).mean(axis=0)
    scale = X_train.reshape(-1, 8).std(axis=0)
    scale[scale == 0] = 1.0
    X_train = torch.from_numpy(((X_train - mean) / scale).astype(np.float32))
    X_test = torch.from_numpy(((X_test - mean) / scale).astype(np.float32))
    y_train = torch.from_numpy(y_train)
    torch.manual_seed(seed)
    layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    recurrent = layer(8, HIDDEN, batch_first=True)
    head = torch.nn.Linear(HIDDEN, 10)
    optimizer = torch.optim.Adam(
        list(recurrent.parameters()) + list(head.parameters()), lr=RATE
    )
    generator = torch.Generator().manual_seed(seed)
    elapsed = 0.0
    for epoch in range(1, max_epochs + 1):
        start = clock()
        order = torch.randperm(len(y_train), generator=generator)
        for i in range(0, len(order), BATCH):
            batch = order[i : i + BATCH]
            optimizer.zero_grad()
            out, _ = recurrent(X_train[batch])
            logits = head(out.max(dim=1).values)
            torch.nn.functional.cross_entropy(logits, y_train[batch]).backward()
            optimizer.step()
        elapsed += clock() - start
        with torch.no_grad():
            out, _ = recurrent(X_test)
            predicted = head(out.max(dim=1).values).argmax(dim=1).numpy()
        if np.mean(predicted == y_test) >= target:
            return elapsed, epoch
    return float("inf"), max_epochs


def epoch_runner(cell, X, y, **params):
    """A function that runs one default ``partial_fit`` epoch (after a
    first, untimed one)."""
    import numpy as np

    from skrnn import RNNClassifier

    model = RNNClassifier(cell=cell, random_state=0, **SAME_NETWORK, **params)
    model.partial_fit(X, y, classes=np.arange(10))
    return lambda: model.partial_fit(X, y)


def time_to_accuracy_table(args):
    import numpy as np

    data = digits_split()
    print(
        f"Time to {args.target:.0%} test accuracy on sequential digits "
        f"(1,297 train / 500 test, 8 steps x 8 pixels), {HIDDEN} units, Adam "
        f"{RATE:g}, batch {BATCH}, 1 thread, {args.repeats} seeds interleaved\n"
    )
    print(
        "| cell | skrnn s (epochs) | torch s (epochs) | ratio (median) | ratio range |"
    )
    print("|---|---|---|---|---|")
    for cell in args.cells.split(","):
        ours, theirs = [], []
        for seed in range(args.repeats):
            ours.append(
                skrnn_time_to_accuracy(cell, seed, data, args.target, args.max_epochs)
            )
            theirs.append(
                torch_time_to_accuracy(cell, seed, data, args.target, args.max_epochs)
            )
        ours, theirs = np.array(ours), np.array(theirs)
        ratios = ours[:, 0] / theirs[:, 0]
        print(
            f"| {cell} | {np.median(ours[:, 0]):.2f} ({np.median(ours[:, 1]):.0f}) "
            f"| {np.median(theirs[:, 0]):.2f} ({np.median(theirs[:, 1]):.0f}) "
            f"| {np.median(ratios):.2f} | {ratios.min():.2f}-{ratios.max():.2f} |",
            flush=True,
        )


def epoch_dtype_table(args):
    import numpy as np

    rng = np.random.RandomState(0)
    X = rng.normal(size=(args.samples, 40, 8))
    y = rng.randint(0, 10, args.samples)
    print(
        f"\nOne default partial_fit epoch, {args.samples} sequences of 40 steps x "
        f"8 features, 10 classes, {HIDDEN} units, batch {BATCH}, 1 thread, "
        f"{args.repeats} interleaved repeats\n"
    )
    print(
        "| cell | float64 X ms | float32 X ms | float64 / float32 (median) | range "
        "| dtype='float64' ms | float64 training / float64 X |"
    )
    print("|---|---|---|---|---|---|---|")
    for cell in args.cells.split(","):
        runners = [
            epoch_runner(cell, X, y),
            epoch_runner(cell, X.astype(np.float32), y),
            epoch_runner(cell, X, y, dtype="float64"),
        ]
        times = [[] for _ in runners]
        for _ in range(args.repeats):
            for run, spent in zip(runners, times):
                start = clock()
                run()
                spent.append(clock() - start)
        wide, narrow, exact = (np.array(t) * 1e3 for t in times)
        ratios = wide / narrow
        print(
            f"| {cell} | {np.median(wide):.0f} | {np.median(narrow):.0f} | "
            f"{np.median(ratios):.2f} | {ratios.min():.2f}-{ratios.max():.2f} | "
            f"{np.median(exact):.0f} | {np.median(exact / wide):.2f} |",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--target", type=float, default=0.9)
    parser.add_argument("--max-epochs", type=int, default=150)
    parser.add_argument("--samples", type=int, default=4000)
    parser.add_argument("--cells", default="rnn,gru,lstm")
    parser.add_argument(
        "--only", choices=["accuracy", "epoch"], help="run one of the two tables"
    )
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="the training thread's CPU time (default) or wall time",
    )
    args = parser.parse_args()
    ensure_torch_environment()
    global clock
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter

    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {args.clock} time\n")
    with threadpool_limits(limits=1):
        if args.only != "epoch":
            time_to_accuracy_table(args)
        if args.only != "accuracy":
            epoch_dtype_table(args)


if __name__ == "__main__":
    main()
