"""Scaling out on dask.distributed (issue 15): model selection and an echo
state readout over data larger than the workers' memory.

Run ``python benchmarks/bench_distributed.py [--quick]`` with the
``distributed`` extra installed (``pip install ".[distributed]"``). Every
cluster is a ``distributed.LocalCluster`` of two worker processes with one
thread each, started by the script; times are wall-clock seconds, medians
over ``--repeats`` runs for the searches.

Three tables:

1. A ``GridSearchCV`` of 24 ``RNNRegressor`` candidates (three cells, four
   sizes, one or two directions; 3-fold CV) on NARMA-10 windows, with
   ``n_jobs=1`` and through ``joblib.parallel_backend("dask")`` on the
   cluster: the speed-up, and whether every score and the best parameters
   are identical.
2. BLAS threads: part of that search on a cluster whose workers keep
   distributed's default of one BLAS thread each, against workers allowed
   two (``OMP_NUM_THREADS=2`` and friends through the Nanny's ``env``).
3. An ``EchoStateRegressor`` fitted on a dask array generated lazily, at
   least four times one worker's ``memory_limit``: whether it completes with
   no worker restarted, the workers' peak memory, the readout against
   ``partial_fit`` over the same chunks in this process, and the throughput
   (sequence-steps per second) against an in-memory fit of a part that fits.

The machine may be shared: read the ratios, not the absolute times.
"""

import argparse
import logging
import os
import statistics
import threading
import time
import warnings

import dask
import dask.array as da
import numpy as np
import psutil
from distributed import Client, LocalCluster, get_client
from joblib import parallel_backend
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from skrnn import EchoStateRegressor, RNNRegressor
from skrnn.datasets import lag_windows, narma

BLAS_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def cluster(blas_threads=1, memory_limit="2GB"):
    """Two single-threaded worker processes, each with ``blas_threads``.

    The Nanny sets the thread variables before it starts a worker process
    (``distributed.nanny.pre-spawn-environ``, one thread by default): BLAS
    reads them when numpy loads, so the Nanny's ``env`` (set after the
    worker has started) would be too late. Variables already in the
    environment win over that configuration (and the Nanny writes its
    values into this process's environment), hence both are set here.
    """
    environ = {name: blas_threads for name in BLAS_VARIABLES}
    os.environ.update({name: str(blas_threads) for name in BLAS_VARIABLES})
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        return LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )


def worker_blas_threads(client):
    def threads():
        from threadpoolctl import threadpool_info

        return max(
            p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"
        )

    return sorted(set(client.run(threads).values()))


def warm_up(client):
    """Import skrnn on the workers before anything is timed."""
    client.run(lambda: __import__("skrnn") and None)


# -- 1 and 2: model selection ----------------------------------------------------
def search_data(quick):
    u, y = narma(600 if quick else 1000, random_state=0)
    X, _ = lag_windows(u, 20)
    # Each window's target is NARMA's output at its last step.
    return X[:, :, np.newaxis], y[19 : 19 + len(X)]


GRID = {
    "cell": ["rnn", "gru", "lstm"],
    "hidden_layer_sizes": [(8,), (16,), (32,), (16, 16)],
    "bidirectional": [False, True],
}


def cpu_seconds(client=None):
    """CPU time of this process, and of the workers' processes if a client
    is given: what the work cost, whatever else ran on the machine."""

    def used():
        times = psutil.Process().cpu_times()
        return times.user + times.system

    workers = sum(client.run(used).values()) if client is not None else 0.0
    return used() + workers


def run_search(X, y, grid, n_jobs, cv=3, max_iter=5, client=None):
    """Wall seconds, CPU seconds and the fitted search."""
    search = GridSearchCV(
        RNNRegressor(max_iter=max_iter, random_state=0), grid, cv=cv, n_jobs=n_jobs
    )
    cpu, start = cpu_seconds(client), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    wall = time.perf_counter() - start
    return wall, cpu_seconds(client) - cpu, search


def same_search(a, b):
    keys = ("params", "mean_test_score", "std_test_score", "rank_test_score")
    return a.best_params_ == b.best_params_ and all(
        np.array_equal(a.cv_results_[k], b.cv_results_[k]) for k in keys
    )


def median_time(run, repeats):
    """Median wall and CPU seconds of ``run`` and its last result."""
    results = [run() for _ in range(repeats)]
    return (
        statistics.median(r[0] for r in results),
        statistics.median(r[1] for r in results),
        results[-1][2],
    )


def interleaved(runs, repeats):
    """Median time and last result of every run, the runs taking turns so
    that a shared machine's load weighs on all of them alike."""
    results = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            results[name].append(run())
    return {
        name: (
            statistics.median(r[0] for r in done),
            statistics.median(r[1] for r in done),
            done[-1][2],
        )
        for name, done in results.items()
    }


def local_search(X, y, grid, **kw):
    # The one-process reference runs with one BLAS thread, as each worker
    # does: the same arithmetic, so the same scores to the last bit.
    with threadpool_limits(1):
        return run_search(X, y, grid, n_jobs=1, **kw)


def dask_search(X, y, grid, **kw):
    with parallel_backend("dask"):
        return run_search(X, y, grid, n_jobs=-1, client=get_client(), **kw)


def search_tables(args):
    X, y = search_data(args.quick)
    n_candidates = int(np.prod([len(v) for v in GRID.values()]))
    with cluster() as c, Client(c) as client:
        warm_up(client)
        threads = worker_blas_threads(client)
        results = interleaved(
            {
                "local": lambda: local_search(X, y, GRID),
                "dask": lambda: dask_search(X, y, GRID),
            },
            args.repeats,
        )
    (local_time, local_cpu, local), (dask_time, dask_cpu, remote) = (
        results["local"],
        results["dask"],
    )
    print(
        f"\n### GridSearchCV, {n_candidates} candidates x 3 folds, RNNRegressor "
        f"on {len(X)} NARMA-10 windows of 20 steps (max_iter=5)\n"
    )
    print(
        "| run | BLAS threads per process | seconds (median) | speed-up "
        "| CPU seconds, all processes (median) | identical to n_jobs=1 |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| n_jobs=1, one process | 1 | {local_time:.1f} | 1.00 | {local_cpu:.1f} | - |"
    )
    print(
        f"| joblib dask backend, 2 workers x 1 thread | {threads} | {dask_time:.1f} | "
        f"{local_time / dask_time:.2f} | {dask_cpu:.1f} | "
        f"{same_search(local, remote)} (best {remote.best_params_}) |"
    )

    # Part of the grid, so that the oversubscribed run stays short.
    part = {
        "cell": ["gru", "lstm"],
        "hidden_layer_sizes": [(16,), (32,)],
        "bidirectional": [False],
    }
    rows = []
    for blas in (1, 2):
        with cluster(blas_threads=blas) as c, Client(c) as client:
            warm_up(client)
            threads = worker_blas_threads(client)
            seconds, cpu, _ = median_time(
                lambda: dask_search(X, y, part, cv=2), args.repeats
            )
        rows.append((blas, threads, seconds, cpu))
    print(
        "\n### BLAS threads per worker: 4 candidates x 2 folds on the same cluster shape\n"
    )
    print(
        "| worker environment | BLAS threads seen by the workers | seconds (median) "
        "| time / one-thread time | CPU seconds (median) |"
    )
    print("|---|---|---|---|---|")
    for blas, threads, seconds, cpu in rows:
        label = (
            "default (Nanny sets OMP/MKL/OPENBLAS_NUM_THREADS=1)"
            if blas == 1
            else f"OMP/MKL/OPENBLAS_NUM_THREADS={blas}"
        )
        print(
            f"| {label} | {threads} | {seconds:.1f} | {seconds / rows[0][2]:.2f} "
            f"| {cpu:.1f} |"
        )


# -- 3: an echo state network on data larger than the workers' memory ---------
def lazy_data(n_sequences, n_steps, n_features, chunk):
    """Inputs drawn chunk by chunk where they are used, and targets that
    depend on each sequence's last steps."""
    X = da.random.RandomState(0).standard_normal(
        size=(n_sequences, n_steps, n_features), chunks=(chunk, n_steps, n_features)
    )
    y = da.tanh(X[:, -3:, :4].sum(axis=(1, 2)) / 3) + 0.5 * X[:, -1, 4]
    return X, y


class PeakMemory:
    """The workers' largest resident memory, polled while a fit runs."""

    def __init__(self, client, every=0.5):
        self.client, self.every, self.peak = client, every, {}
        self._stop = threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self):
        def rss():
            import psutil

            return psutil.Process().memory_info().rss

        while not self._stop.is_set():
            for worker, value in self.client.run(rss).items():
                self.peak[worker] = max(self.peak.get(worker, 0), value)
            self._stop.wait(self.every)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def esn_table(args):
    limit = 400e6  # bytes per worker
    n_steps, n_features, chunk = 25, 64, 1000
    bytes_per_sequence = n_steps * n_features * 8
    n_sequences = (
        int(np.ceil((1.2 if args.quick else 4.2) * limit / bytes_per_sequence / chunk))
        * chunk
    )
    X, y = lazy_data(n_sequences, n_steps, n_features, chunk)
    model = EchoStateRegressor(100, standardize=False, random_state=0)
    steps = n_sequences * n_steps

    # No spilling to disk: the fit streams the chunks, it has nothing to
    # spill, and a worker's limit is then a hard bound on its memory.
    no_spill = {
        "distributed.worker.memory.target": False,
        "distributed.worker.memory.spill": False,
    }
    with (
        dask.config.set(no_spill),
        cluster(memory_limit=limit) as c,
        Client(c) as client,
    ):
        warm_up(client)
        before = set(client.scheduler_info()["workers"])
        with PeakMemory(client) as memory:
            cpu, start = cpu_seconds(client), time.perf_counter()
            remote = EchoStateRegressor(**model.get_params()).fit(X, y)
            dask_seconds = time.perf_counter() - start
            dask_cpu = cpu_seconds(client) - cpu
        after = set(client.scheduler_info()["workers"])
        lazy_prediction = remote.predict(X[: 2 * chunk])
        first_predictions = lazy_prediction.compute()

    # The same chunks in this process, one at a time, through partial_fit.
    with threadpool_limits(1):
        local = EchoStateRegressor(**model.get_params())
        cpu, start = cpu_seconds(), time.perf_counter()
        for block in range(X.numblocks[0]):
            Xb, yb = dask.compute(X.blocks[block], y.blocks[block], scheduler="sync")
            local.partial_fit(Xb, yb)
        partial_seconds = time.perf_counter() - start
        partial_cpu = cpu_seconds() - cpu
        # An in-memory fit of the part that fits (an eighth of the data).
        n_part = n_sequences // 8
        X_part, y_part = dask.compute(X[:n_part], y[:n_part], scheduler="sync")
        cpu, start = cpu_seconds(), time.perf_counter()
        EchoStateRegressor(**model.get_params()).fit(X_part, y_part)
        memory_seconds = time.perf_counter() - start
        memory_cpu = cpu_seconds() - cpu
    memory_rate = n_part * n_steps / memory_seconds

    coef_error = np.abs(remote.coef_ - local.coef_).max() / np.abs(local.coef_).max()
    prediction_error = np.abs(
        first_predictions - local.predict(X[: 2 * chunk].compute())
    ).max()
    peak = max(memory.peak.values()) if memory.peak else float("nan")
    print(
        f"\n### EchoStateRegressor(100, standardize=False) on {X.nbytes / 1e9:.2f} GB of lazily generated data "
        f"({n_sequences:,} sequences x {n_steps} steps x {n_features} features, chunks of {chunk}); "
        f"worker memory_limit {limit / 1e6:.0f} MB ({X.nbytes / limit:.1f} times one worker's)\n"
    )
    print(
        "| run | sequence-steps | seconds | steps per second | throughput / in-memory "
        "| CPU seconds (all processes) | steps per CPU second |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| in-memory fit of an eighth (one process, 1 BLAS thread) | {n_part * n_steps:,} | {memory_seconds:.1f} | {memory_rate:,.0f} | 1.00 | {memory_cpu:.1f} | {n_part * n_steps / memory_cpu:,.0f} |"
    )
    print(
        f"| partial_fit chunk by chunk (one process, data generated in it) | {steps:,} | {partial_seconds:.1f} | {steps / partial_seconds:,.0f} | {steps / partial_seconds / memory_rate:.2f} | {partial_cpu:.1f} | {steps / partial_cpu:,.0f} |"
    )
    print(
        f"| dask fit on 2 workers (data generated on them) | {steps:,} | {dask_seconds:.1f} | {steps / dask_seconds:,.0f} | {steps / dask_seconds / memory_rate:.2f} | {dask_cpu:.1f} | {steps / dask_cpu:,.0f} |"
    )
    print()
    print("| check | value |")
    print("|---|---|")
    print(
        f"| workers restarted during the fit | {len(before - after)} of {len(before)} |"
    )
    print(
        f"| peak worker memory / memory_limit | {peak / 1e6:.0f} MB / {limit / 1e6:.0f} MB |"
    )
    print(f"| alpha_ dask, partial_fit | {remote.alpha_:.3g}, {local.alpha_:.3g} |")
    print(
        f"| max abs coef difference / max abs coef (dask vs partial_fit) | {coef_error:.1e} |"
    )
    print(
        f"| max abs difference of lazy predictions (first 2 chunks) | {prediction_error:.1e} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-esn", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 1
    print(
        f"{os.cpu_count()} cores; load average before the run "
        f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    if not args.skip_search:
        search_tables(args)
    if not args.skip_esn:
        esn_table(args)
    print(
        f"\nLoad average after the run {', '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
