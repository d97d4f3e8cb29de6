"""skrnn's EchoStateRegressor against reservoirpy: speed and accuracy.

Run ``python benchmarks/bench_esn.py [--quick]``. The script makes its own
virtual environment ``benchmarks/.venv-esn`` (reservoirpy is never a skrnn
dependency), installs reservoirpy, numpy, scipy, scikit-learn, threadpoolctl
and this repository there, and re-executes itself inside it. Both libraries
run on the same data in the same process, interleaved, with BLAS pinned to the
same number of threads; times are medians over repeats.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = HERE / ".venv-esn"


def ensure_venv():
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
        subprocess.check_call(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "reservoirpy",
                "numpy",
                "scipy",
                "scikit-learn",
                "threadpoolctl",
            ]
        )
        subprocess.check_call(
            [str(python), "-m", "pip", "install", "-q", "-e", str(REPO)]
        )
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def interleaved_times(fns, repeats):
    """Median seconds of every function, runs interleaved.

    One repeat runs each function once, in turn, so that a change of load on
    the (shared) machine hits all of them alike; ratios are what to read.
    """
    import numpy as np

    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, record in zip(fns, times):
            start = time.perf_counter()
            fn()
            record.append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times]


# Same model on both sides for the speed rows: reservoirpy's tutorial leak
# rate and ridge, a fully connected input, 2% recurrent density.
SPEED = dict(spectral_radius=1.0, leak_rate=0.3, input_scaling=1.0, alpha=1e-6)

# The default alpha was 1e-6 until the readout solve learned to ignore the
# null space of underdetermined systems; this row shows what it cost.
LARGER_RIDGE = dict(alpha=1e-6)
# Best settings found per task (medians over 5 seeds; see benchmarks/README.md).
BEST_MACKEY_GLASS = dict(leak_rate=0.8, alpha=1e-11)
BEST_NARMA = dict(density=0.1, input_scaling=0.05, bias_scaling=0.5, alpha=1e-10)


def nrmse(pred, true):
    import numpy as np

    return float(np.sqrt(np.mean((pred - true) ** 2)) / np.std(true))


def mackey_glass_scores(seeds, **params):
    """Median one-step and closed-loop (84 steps, 20 starts) NRMSE, N=500."""
    import numpy as np

    from skrnn._echo_state import EchoStateRegressor
    from skrnn.datasets import mackey_glass

    one, closed = [], []
    for seed in seeds:
        s = mackey_glass(4000, random_state=seed)
        model = EchoStateRegressor(random_state=seed, return_sequences=True, **params)
        model.fit(s[np.newaxis, :3000, None], s[np.newaxis, 1:3001, None])
        pred = model.predict(s[np.newaxis, 3000:3999, None])[0, 100:, 0]
        one.append(nrmse(pred, s[3101:4000]))
        starts = range(3000, 3000 + 20 * 30, 30)
        ctx = np.stack([s[i - 300 : i] for i in starts])[:, :, None]
        forecast = model.forecast(ctx, 84)[..., 0]
        truth = np.stack([s[i : i + 84] for i in starts])
        closed.append(nrmse(forecast[:, -1], truth[:, -1]))
    return float(np.median(one)), float(np.median(closed))


def narma_score(seeds, N, **params):
    """Median test NRMSE on NARMA-10: 2000 steps to train, 1000 to test."""
    import numpy as np

    from skrnn._echo_state import EchoStateRegressor
    from skrnn.datasets import narma

    scores = []
    for seed in seeds:
        u, y = narma(3000, random_state=seed)
        model = EchoStateRegressor(
            N, random_state=seed, return_sequences=True, **params
        )
        model.fit(u[np.newaxis, :2000, None], y[np.newaxis, :2000, None])
        pred = model.predict(u[np.newaxis, :, None])[0, 2000:, 0]
        scores.append(nrmse(pred, y[2000:]))
    return float(np.median(scores))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    ensure_venv()

    import numpy as np
    from reservoirpy.nodes import Reservoir, Ridge
    from threadpoolctl import threadpool_limits

    from skrnn._echo_state import EchoStateRegressor
    from skrnn.datasets import mackey_glass

    repeats = 1 if args.quick else args.repeats
    scale = 4 if args.quick else 1
    seeds = range(2 if args.quick else args.seeds)
    rows = []

    def rpy_esn(N, seed=0):
        res = Reservoir(
            N,
            sr=SPEED["spectral_radius"],
            lr=SPEED["leak_rate"],
            input_scaling=SPEED["input_scaling"],
            input_connectivity=1.0,
            rc_connectivity=0.02,
            seed=seed,
        )
        return res >> Ridge(ridge=SPEED["alpha"])

    def sk_esn(N, seed=0, **kw):
        return EchoStateRegressor(N, density=0.02, random_state=seed, **SPEED, **kw)

    with threadpool_limits(args.threads):
        rng = np.random.default_rng(0)
        for name, n_seq, T, N in [
            ("fit 64x1000 N=500", 64 // scale, 1000, 500),
            ("fit 256x200 N=200", 256 // scale, 200, 200),
            ("fit 1x10000 N=500", 1, 10000 // scale, 500),
        ]:
            X = rng.uniform(-1, 1, size=(n_seq, T, 1))
            Y = np.roll(X, -1, axis=1)
            t_sk, t_rp = interleaved_times(
                [
                    lambda: sk_esn(N, return_sequences=True, washout=0).fit(X, Y),
                    lambda: rpy_esn(N).fit(list(X), list(Y)),
                ],
                repeats,
            )
            rows.append((name, t_sk, t_rp))

        series = mackey_glass(4000)
        u = series[np.newaxis, :3000, np.newaxis]
        v = series[np.newaxis, 1:3001, np.newaxis]
        n_traj, steps = 13, 500 // scale
        contexts = np.stack([series[i : i + 200] for i in range(0, 13 * 50, 50)])
        sk = sk_esn(500, return_sequences=True, washout=100).fit(u, v)
        rp = rpy_esn(500).fit(u[0], v[0], warmup=100)

        def rpy_forecast():
            for c in contexts:
                rp.reset()
                y = rp.run(c[:, None])[-1]
                for _ in range(steps):
                    y = rp(y)

        t_sk, t_rp = interleaved_times(
            [lambda: sk.forecast(contexts[:, :, None], steps), rpy_forecast], repeats
        )
        rows.append(
            (
                f"forecast {n_traj}x{steps} per traj-step",
                t_sk / (n_traj * steps),
                t_rp / (n_traj * steps),
            )
        )

        print(
            f"Speed: median of {repeats} interleaved runs, {args.threads} thread(s), "
            f"same model both sides ({SPEED}, density 0.02)"
        )
        print(f"| {'benchmark':<32} | skrnn (s) | reservoirpy (s) | speed-up |")
        print(f"|{'-' * 34}|-----------|-----------------|----------|")
        for name, a, b in rows:
            print(f"| {name:<32} | {a:9.3g} | {b:15.3g} | {b / a:7.2f}x |")

        # Accuracy, medians over reservoir seeds (single seeds are luck).
        print(f"\nAccuracy (NRMSE), medians over {len(seeds)} seeds")
        print(f"best Mackey-Glass: {BEST_MACKEY_GLASS}; best NARMA: {BEST_NARMA}")
        print(
            "| settings | MG one-step | MG closed loop @84 | NARMA N=100 | NARMA N=500 |"
        )
        print("|---|---|---|---|---|")
        for label, mg, na in [
            ("defaults", {}, {}),
            (f"defaults, alpha={LARGER_RIDGE['alpha']:g}", LARGER_RIDGE, LARGER_RIDGE),
            ("best per task", BEST_MACKEY_GLASS, BEST_NARMA),
        ]:
            one, closed = mackey_glass_scores(seeds, **mg)
            n100, n500 = (narma_score(seeds, N, **na) for N in (100, 500))
            print(f"| {label} | {one:.3g} | {closed:.3g} | {n100:.3g} | {n500:.3g} |")


if __name__ == "__main__":
    main()
