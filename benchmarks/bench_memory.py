"""Peak memory of training on one long sequence, with and without truncation.

Trains ``RNNRegressor(cell="lstm", hidden_layer_sizes=(64,),
return_sequences=True)`` for one epoch on a single sequence (next-step
prediction of a noisy sine) and reports the peak of memory allocated during
``fit``, as traced by :mod:`tracemalloc` (numpy reports its buffers to it).
Each configuration runs in a fresh subprocess so that nothing left over from
another one counts.

The figure of interest (issue 5): 100,000 steps with ``bptt_steps=100`` keep
peak memory within 2x of training on 1,000 steps.

Run::

    python benchmarks/bench_memory.py [--repeats 3]
"""

import argparse
import json
import subprocess
import sys

CONFIGS = [
    # (n_steps, bptt_steps)
    (1_000, None),
    (1_000, 100),
    (100_000, 100),
    (100_000, None),
]

CHILD = r"""
import json, sys, time, tracemalloc
import numpy as np
from threadpoolctl import threadpool_limits
from skrnn import RNNRegressor

n_steps, bptt_steps = json.loads(sys.argv[1])
rng = np.random.RandomState(0)
series = np.sin(np.arange(n_steps + 1) * 2 * np.pi / 50) + 0.1 * rng.normal(size=n_steps + 1)
X = series[np.newaxis, :-1, np.newaxis]
y = series[np.newaxis, 1:]
model = RNNRegressor(cell="lstm", hidden_layer_sizes=(64,), return_sequences=True,
                     bptt_steps=bptt_steps, max_iter=1, random_state=0)
with threadpool_limits(1):
    tracemalloc.start()
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
print(json.dumps({"peak": peak, "seconds": seconds}))
"""


def measure(n_steps, bptt_steps):
    out = subprocess.run(
        [
            sys.executable,
            "-W",
            "ignore",
            "-c",
            CHILD,
            json.dumps([n_steps, bptt_steps]),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import numpy as np

    results = {config: [] for config in CONFIGS}
    for _ in range(args.repeats):
        for config in CONFIGS:  # interleaved
            results[config].append(measure(*config))

    baseline = np.median([r["peak"] for r in results[CONFIGS[0]]])
    print(
        "LSTM, hidden 64, one sequence, one epoch, return_sequences=True; "
        f"median of {args.repeats} runs"
    )
    print(
        f"{'steps':>8} {'bptt_steps':>10} {'peak MiB':>9} {'x 1,000 full':>12} {'fit s':>7}"
    )
    for (n_steps, bptt_steps), runs in results.items():
        peak = np.median([r["peak"] for r in runs])
        seconds = np.median([r["seconds"] for r in runs])
        print(
            f"{n_steps:>8} {str(bptt_steps):>10} {peak / 2**20:>9.2f} "
            f"{peak / baseline:>12.2f} {seconds:>7.2f}"
        )


if __name__ == "__main__":
    main()
