"""Per-epoch training time of skrnn against PyTorch on the CPU.

For each cell ("rnn", "lstm", "gru"), hidden size and sequence length, one
epoch of Adam over the same float32 data (``--samples`` sequences of 8
features, 10 classes, minibatches of 64, no shuffling) is timed for

* skrnn: ``RNNClassifier.partial_fit`` (exactly one epoch per call);
* PyTorch: ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` (``batch_first=True``) with a
  linear head on the last step, cross-entropy, ``torch.optim.Adam``.

A second table times the cells PyTorch does not have ("peephole",
"clockwork") against skrnn's own "lstm" and "rnn", the same way.

Both sides run with the same number of threads (numpy's BLAS through
threadpoolctl, ``torch.set_num_threads``). The two contenders alternate run
by run, and the table gives the median time of each and the median (and
range) of the per-run ratio skrnn / PyTorch: below 1 means skrnn is faster.

PyTorch is never a dependency of skrnn: the script creates its own virtual
environment (``benchmarks/.venv-torch``), installs ``torch==2.13.0`` (a CPU
build) and skrnn there, and runs itself inside it.

Usage::

    python benchmarks/bench_recurrent.py [--quick] [--repeats 5] [--threads 1]
        [--cells rnn,lstm,gru] [--new-cells-only] [--torch-no-onednn]

PyTorch trains ``nn.LSTM`` (and only it) with oneDNN's fused RNN kernels;
``--torch-no-onednn`` compares against its plain ATen implementation instead.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / "benchmarks" / ".venv-torch"


def ensure_torch_environment():
    """Re-run this script inside a virtual environment that has PyTorch."""
    try:
        import torch  # noqa: F401

        return
    except ImportError:
        pass
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "torch==2.13.0",
                "threadpoolctl",
                "-e",
                str(REPO),
            ],
            check=True,
        )
    os.execv(str(python), [str(python), *sys.argv])


def make_data(n_samples, n_steps, n_features=8, n_classes=10, seed=0):
    import numpy as np

    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_steps, n_features)).astype(np.float32)
    y = rng.randint(0, n_classes, n_samples)
    return X, y


def skrnn_epoch(cell, hidden, X, y):
    """A function that runs one skrnn epoch, after a warm-up epoch."""
    import numpy as np

    from skrnn import RNNClassifier

    model = RNNClassifier(
        cell=cell,
        hidden_layer_sizes=(hidden,),
        # The network PyTorch's side builds: the last state (out[:, -1]),
        # where the classifier's default pooling is the maximum over time,
        # and no convolutional front end or per-sequence channels (the
        # classifier's defaults since issue 11).
        pooling="last",
        conv_filters=0,
        standardize=True,
        batch_size=64,
        shuffle=False,
        random_state=0,
    )
    model.partial_fit(X, y, classes=np.arange(10))
    return lambda: model.partial_fit(X, y)


def torch_epoch(cell, hidden, X, y):
    """A function that runs one PyTorch epoch, after a warm-up epoch."""
    import torch

    torch.manual_seed(0)
    layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    recurrent = layer(X.shape[2], hidden, batch_first=True)
    head = torch.nn.Linear(hidden, 10)
    parameters = list(recurrent.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    batches = [
        (torch.from_numpy(X[i : i + 64]), torch.from_numpy(y[i : i + 64]))
        for i in range(0, len(X), 64)
    ]

    def epoch():
        for xb, yb in batches:
            optimizer.zero_grad()
            out, _ = recurrent(xb)
            loss = torch.nn.functional.cross_entropy(head(out[:, -1]), yb)
            loss.backward()
            optimizer.step()

    epoch()
    return epoch


def interleaved_ratios(contenders, repeats):
    """Median times (ms) of each contender and the per-run ratios first/second."""
    import numpy as np

    times = [[], []]
    for _ in range(repeats):
        for k, run in enumerate(contenders):
            start = time.perf_counter()
            run()
            times[k].append(time.perf_counter() - start)
    ours, theirs = (np.array(t) * 1e3 for t in times)
    return np.median(ours), np.median(theirs), ours / theirs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows and repeats")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument(
        "--new-cells-only", action="store_true", help="only the second table"
    )
    parser.add_argument(
        "--torch-no-onednn",
        action="store_true",
        help="turn PyTorch's oneDNN (mkldnn) kernels off: nn.LSTM then runs as "
        "separate ATen operations, like nn.GRU and nn.RNN",
    )
    parser.add_argument(
        "--cells",
        default="rnn,lstm,gru",
        help="comma-separated cells of the first table (default: rnn,lstm,gru)",
    )
    args = parser.parse_args()
    ensure_torch_environment()

    import numpy as np
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    if args.torch_no_onednn:
        torch.backends.mkldnn.enabled = False
    hiddens = [32, 128] if args.quick else [32, 64, 128, 256]
    lengths = [8, 50] if args.quick else [8, 50, 100]
    repeats = 3 if args.quick else args.repeats
    print(
        f"Per-epoch training time, batch 64, {args.samples} sequences of 8 float32 "
        f"features, {args.threads} thread(s), {repeats} interleaved repeats; "
        f"torch {torch.__version__}"
        f"{', oneDNN off' if args.torch_no_onednn else ''}\n"
    )
    print(
        "| cell | hidden | T | skrnn ms/epoch | torch ms/epoch | ratio (median) | ratio range |"
    )
    print("|---|---|---|---|---|---|---|")
    with threadpool_limits(limits=args.threads):
        for cell in [] if args.new_cells_only else args.cells.split(","):
            for hidden in hiddens:
                for n_steps in lengths:
                    X, y = make_data(args.samples, n_steps)
                    contenders = [
                        skrnn_epoch(cell, hidden, X, y),
                        torch_epoch(cell, hidden, X, y),
                    ]
                    ours, theirs, ratios = interleaved_ratios(contenders, repeats)
                    print(
                        f"| {cell} | {hidden} | {n_steps} | {ours:.1f} | "
                        f"{theirs:.1f} | {np.median(ratios):.2f} | "
                        f"{ratios.min():.2f}-{ratios.max():.2f} |",
                        flush=True,
                    )

        print("\nCells without a PyTorch counterpart, against skrnn's own cells\n")
        print(
            "| cell | reference | hidden | T | cell ms/epoch | reference ms/epoch | ratio (median) | ratio range |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for cell, reference in [("peephole", "lstm"), ("clockwork", "rnn")]:
            for hidden in hiddens:
                for n_steps in lengths:
                    X, y = make_data(args.samples, n_steps)
                    contenders = [
                        skrnn_epoch(cell, hidden, X, y),
                        skrnn_epoch(reference, hidden, X, y),
                    ]
                    ours, theirs, ratios = interleaved_ratios(contenders, repeats)
                    print(
                        f"| {cell} | {reference} | {hidden} | {n_steps} | {ours:.1f} | "
                        f"{theirs:.1f} | {np.median(ratios):.2f} | "
                        f"{ratios.min():.2f}-{ratios.max():.2f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
