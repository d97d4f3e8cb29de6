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


def median_time(fn, repeats):
    import numpy as np

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ensure_venv()

    import numpy as np
    from reservoirpy.nodes import Reservoir, Ridge
    from threadpoolctl import threadpool_limits

    from skrnn._echo_state import EchoStateRegressor
    from skrnn.datasets import mackey_glass, narma

    repeats = 1 if args.quick else 3
    scale = 4 if args.quick else 1
    rows = []

    def rpy_esn(N, density, seed=0, sr=1.0, lr=0.3, ridge=1e-6):
        res = Reservoir(
            N,
            sr=sr,
            lr=lr,
            input_scaling=1.0,
            input_connectivity=1.0,
            rc_connectivity=density,
            seed=seed,
        )
        return res >> Ridge(ridge=ridge)

    def sk_esn(N, density, seed=0, **kw):
        return EchoStateRegressor(N, density=density, random_state=seed, **kw)

    with threadpool_limits(args.threads):
        rng = np.random.default_rng(0)
        for name, n_seq, T, N in [
            ("fit 64x1000 N=500", 64 // scale, 1000, 500),
            ("fit 256x200 N=200", 256 // scale, 200, 200),
            ("fit 1x10000 N=500", 1, 10000 // scale, 500),
        ]:
            X = rng.uniform(-1, 1, size=(n_seq, T, 1))
            Y = np.roll(X, -1, axis=1)
            t_sk = median_time(
                lambda: sk_esn(N, 0.02, return_sequences=True, washout=0).fit(X, Y),
                repeats,
            )
            t_rp = median_time(lambda: rpy_esn(N, 0.02).fit(list(X), list(Y)), repeats)
            rows.append((name, t_sk, t_rp))

        series = mackey_glass(4000)
        u = series[np.newaxis, :3000, np.newaxis]
        v = series[np.newaxis, 1:3001, np.newaxis]
        n_traj, steps = 13, 500 // scale
        contexts = np.stack([series[i : i + 200] for i in range(0, 13 * 50, 50)])
        sk = sk_esn(500, 0.02, return_sequences=True).fit(u, v)
        t_sk = median_time(lambda: sk.forecast(contexts[:, :, None], steps), repeats)
        rp = rpy_esn(500, 0.02).fit(u[0], v[0], warmup=100)

        def rpy_forecast():
            for c in contexts:
                rp.reset()
                y = rp.run(c[:, None])[-1]
                for _ in range(steps):
                    y = rp(y)

        t_rp = median_time(rpy_forecast, repeats)
        rows.append(
            (
                f"forecast {n_traj}x{steps} per traj-step",
                t_sk / (n_traj * steps),
                t_rp / (n_traj * steps),
            )
        )

    print(f"{'benchmark':<34}{'skrnn (s)':>12}{'reservoirpy (s)':>18}{'speed-up':>10}")
    for name, a, b in rows:
        print(f"{name:<34}{a:>12.4g}{b:>18.4g}{b / a:>9.2f}x")

    # Accuracy with DEFAULT settings, medians over seeds.
    def nrmse(pred, true):
        return float(np.sqrt(np.mean((pred - true) ** 2)) / np.std(true))

    seeds = range(2 if args.quick else 5)
    one, closed = [], []
    for seed in seeds:
        s = mackey_glass(3000 + 1000, random_state=seed)
        model = EchoStateRegressor(random_state=seed, return_sequences=True)
        model.fit(s[np.newaxis, :3000, None], s[np.newaxis, 1:3001, None])
        pred = model.predict(s[np.newaxis, 3000:3999, None])[0, 100:, 0]
        one.append(nrmse(pred, s[3101:4000]))
        starts = range(3000, 3000 + 20 * 30, 30)
        ctx = np.stack([s[i - 300 : i] for i in starts])[:, :, None]
        fc = model.forecast(ctx, 84)[..., 0]
        truth = np.stack([s[i : i + 84] for i in starts])
        closed.append(nrmse(fc[:, -1], truth[:, -1]))
    print(f"Mackey-Glass one-step NRMSE (median): {np.median(one):.3g}")
    print(f"Mackey-Glass closed-loop NRMSE @84 (median): {np.median(closed):.3g}")
    for N in (100, 500):
        scores = []
        for seed in seeds:
            u_, y_ = narma(3000, random_state=seed)
            m = EchoStateRegressor(N, random_state=seed, return_sequences=True)
            m.fit(u_[np.newaxis, :2000, None], y_[np.newaxis, :2000, None])
            p = m.predict(u_[np.newaxis, :, None])[0, 2000:, 0]
            scores.append(nrmse(p, y_[2000:]))
        print(f"NARMA-10 N={N} test NRMSE (median): {np.median(scores):.3g}")


if __name__ == "__main__":
    main()
