"""skrnn on real data: UCR classification sets and two classic series.

Run ``python benchmarks/bench_real_data.py [--quick]``. The script makes its
own virtual environment ``benchmarks/.venv-real`` and re-executes itself
inside it. There it installs numpy, scipy, scikit-learn, threadpoolctl and
this repository (``pip install -e``), and, without their dependencies, the
wheels of aeon, sktime and tslearn: only for the data files they ship, which
are read directly from the installed packages (nothing is downloaded at run
time, and none of these libraries is imported). They are never dependencies
of skrnn.

Classification, each set's own published train/test split:

=====================  =======  ==================  =============  =======
set                    wheel    train/test          length         classes
=====================  =======  ==================  =============  =======
OSULeaf                aeon     200/242             427            6
Trace                  tslearn  100/100             275            4
ACSF1                  aeon     100/100             1460           10
PickupGestureWiimoteZ  aeon     50/50               29-361         10
PLAID                  sktime   537/537             100-1344       11
=====================  =======  ==================  =============  =======

Rows: 1-NN Euclidean, ``LogisticRegression(max_iter=1000)`` and
``MLPClassifier`` (both on standardised flattened series), skrnn's
``RNNClassifier`` with its defaults and ``EchoStateClassifier`` (when skrnn
exports it) with its defaults. The scikit-learn baselines need equal lengths:
a variable-length set is padded at the end of each series with its last
value, up to the longest series of train and test. skrnn gets the
equal-length sets as 2D arrays ``(n_samples, n_timesteps)`` and the
variable-length ones as a list of 1D arrays (its native form, no padding).

Regression: the yearly Lynx series (1821-1934) and the monthly PBS scripts
series (sktime's ``load_PBS_dataset``), last 20% held out. Windows of the raw
series (no scaling by hand) of 10 lags (Lynx) and 12 (PBS); one-step RMSE on
the held-out part for ``Ridge()``, ``RNNRegressor`` and
``EchoStateRegressor`` (defaults), and the closed-loop RMSE of a forecast of
the whole held-out part from the last training window, next to naive and
seasonal naive forecasts.

Every number is a mean (± standard deviation) over seeds 0, 1, ..., with the
mean fit time in seconds, BLAS pinned to 1 thread. A model that raises shows
the class of its exception in its cell, and the run goes on.

Options: ``--quick`` (one seed, 3 epochs for the RNNs and 20 for the MLP),
``--sets`` and ``--models`` to run a subset, ``--seeds K``, ``--max-iter N``
(the RNN models), ``--param key=value`` (repeatable, passed to
``RNNClassifier`` and ``RNNRegressor``; values are Python literals, anything
else a string), ``--esn-param key=value`` (the echo state models), and
``--commit REV`` to run the skrnn of a given commit (``git archive`` into a
temporary folder put first on the path) instead of the working tree.
"""

import argparse
import ast
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = HERE / ".venv-real"
MARKER = VENV / ".bench-real-installed"
# Only the data files of these are used; installed without dependencies.
DATA_WHEELS = ["aeon==1.6.0", "sktime==1.2.0", "tslearn==0.10.0"]
THREAD_VARIABLES = [
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
]

CLASSIFICATION_SETS = {
    # name: candidate (package, folder inside it, file stem) in order
    "OSULeaf": [
        ("aeon", "datasets/data/OSULeaf", "OSULeaf"),
        ("sktime", "datasets/data/OSULeaf", "OSULeaf"),
    ],
    "Trace": [("tslearn", ".cached_datasets", "Trace")],
    "ACSF1": [
        ("aeon", "datasets/data/ACSF1", "ACSF1"),
        ("sktime", "datasets/data/ACSF1", "ACSF1"),
    ],
    "PickupGestureWiimoteZ": [
        ("aeon", "datasets/data/PickupGestureWiimoteZ", "PickupGestureWiimoteZ"),
    ],
    "PLAID": [("sktime", "datasets/data/PLAID", "PLAID")],
}
REGRESSION_SETS = {
    # name: (candidates (package, file), n_lags, {naive label: period})
    "Lynx": (
        [
            ("sktime", "datasets/data/Lynx/Lynx.csv"),
            ("aeon", "datasets/data/Lynx/Lynx.csv"),
        ],
        10,
        {"naive (last value)": 1, "seasonal naive (10 years)": 10},
    ),
    "PBS": (
        [
            ("sktime", "datasets/data/PBS_dataset/PBS_dataset.csv"),
            ("aeon", "datasets/data/PBS_dataset/PBS_dataset.csv"),
        ],
        12,
        {"seasonal naive (12 months)": 12},
    ),
}
TEST_FRACTION = 0.2

# Published accuracies. 1-NN ED: UCR archive DataSummary (1 - its error
# rate). TWIESN and FCN: Fawaz et al. 2019, "Deep learning for time series
# classification: a review", Data Min. Knowl. Disc. 33, means over 10 runs.
PUBLISHED = {
    "1-NN ED, UCR DataSummary": {
        "OSULeaf": 0.521,
        "Trace": 0.760,
        "ACSF1": 0.540,
        "PickupGestureWiimoteZ": 0.560,
        "PLAID": 0.523,
    },
    "TWIESN, Fawaz et al. 2019": {
        "OSULeaf": 0.595,
        "Trace": 0.959,
        "ACSF1": 0.592,
        "PickupGestureWiimoteZ": 0.616,
        "PLAID": 0.533,
    },
    "FCN, Fawaz et al. 2019": {
        "OSULeaf": 0.977,
        "Trace": 1.000,
        "ACSF1": 0.898,
        "PickupGestureWiimoteZ": 0.744,
        "PLAID": 0.904,
    },
}

CLASSIFIERS = ["knn", "logreg", "mlp", "rnn", "esn"]
REGRESSORS = ["ridge", "rnn", "esn", "naive"]
LABELS = {
    "knn": "1-NN Euclidean",
    "logreg": "LogisticRegression",
    "mlp": "MLPClassifier",
    "rnn": "skrnn RNNClassifier",
    "esn": "skrnn EchoStateClassifier",
}


def ensure_venv(script=__file__):
    """Re-run ``script`` (this one by default; bench_grid_search.py shares
    the environment) inside benchmarks/.venv-real, made on first use."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not MARKER.exists():
        if not python.exists():
            subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.check_call([*pip, "numpy", "scipy", "scikit-learn", "threadpoolctl"])
        subprocess.check_call([*pip, "--no-deps", *DATA_WHEELS])
        subprocess.check_call([*pip, "-e", str(REPO)])
        MARKER.touch()
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env[name] = "1"
    os.execve(str(python), [str(python), str(script), *sys.argv[1:]], env)


# --------------------------------------------------------------------- data


def package_dir(package):
    """The folder of an installed package, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def find_file(candidates):
    """The first of (package, relative path) that exists, and its wheel."""
    for package, relative in candidates:
        root = package_dir(package)
        if root is not None and (root / relative).exists():
            return package, root / relative
    raise FileNotFoundError(
        "none of " + ", ".join(f"{p}/{r}" for p, r in candidates) + " is installed"
    )


def read_ts(path):
    """Univariate series and labels of a .ts file (sktime/aeon format)."""
    import numpy as np

    X, y, in_data = [], [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.lower().startswith("@data"):
                in_data = True
                continue
            if not in_data or line.startswith("@"):
                continue
            *dims, label = line.split(":")
            if len(dims) != 1:
                raise ValueError(f"{path}: expected univariate series")
            X.append(np.array(dims[0].split(","), dtype=np.float64))
            y.append(label.strip())
    return X, np.array(y)


def load_classification(name):
    """Train and test series (lists of 1D arrays), labels, and the source."""
    import numpy as np

    candidates = CLASSIFICATION_SETS[name]
    if name == "Trace":
        package, path = find_file([(p, f"{d}/{s}.npz") for p, d, s in candidates])
        data = np.load(path)
        parts = [
            (list(data[f"X_{part}"][:, :, 0]), data[f"y_{part}"].astype(str))
            for part in ("train", "test")
        ]
        return parts, package, [path]
    package, path = find_file([(p, f"{d}/{s}_TRAIN.ts") for p, d, s in candidates])
    test_path = path.with_name(path.name.replace("_TRAIN.ts", "_TEST.ts"))
    return [read_ts(path), read_ts(test_path)], package, [path, test_path]


def pad_last(series, length):
    """Series as rows of length ``length``, each padded with its last value."""
    import numpy as np

    out = np.empty((len(series), length))
    for row, s in zip(out, series):
        row[: len(s)] = s
        row[len(s) :] = s[-1]
    return out


def load_series(name):
    import numpy as np

    candidates, _, _ = REGRESSION_SETS[name]
    package, path = find_file(candidates)
    values = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=1)
    return values.astype(np.float64), package, path


def windows(series, n_lags):
    """X[i] = series[i : i + n_lags], y[i] = series[i + n_lags]."""
    import numpy as np

    X = np.lib.stride_tricks.sliding_window_view(series[:-1], n_lags).copy()
    return X, series[n_lags:].copy()


# ------------------------------------------------------------------- models


def parse_params(pairs):
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--param expects key=value, got {pair!r}")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return params


def make_classifier(key, seed, args):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skrnn

    if key == "knn":
        return KNeighborsClassifier(n_neighbors=1)
    if key == "logreg":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    if key == "mlp":
        extra = {"max_iter": 20} if args.quick else {}
        return make_pipeline(
            StandardScaler(), MLPClassifier(random_state=seed, **extra)
        )
    if key == "rnn":
        return skrnn.RNNClassifier(random_state=seed, **args.rnn_params)
    if key == "esn":
        return skrnn.EchoStateClassifier(random_state=seed, **args.esn_params)
    raise ValueError(key)


def make_regressor(key, seed, args):
    from sklearn.linear_model import Ridge

    import skrnn

    if key == "ridge":
        return Ridge()
    if key == "rnn":
        return skrnn.RNNRegressor(random_state=seed, **args.rnn_params)
    if key == "esn":
        return skrnn.EchoStateRegressor(random_state=seed, **args.esn_params)
    raise ValueError(key)


def ridge_forecast(model, context, n_steps):
    """Closed loop for a model without ``forecast``: slide the window."""
    import numpy as np

    window, out = np.array(context, dtype=np.float64), np.empty(n_steps)
    for step in range(n_steps):
        out[step] = model.predict(window[None, :])[0]
        window = np.append(window[1:], out[step])
    return out


def rmse(a, b):
    import numpy as np

    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def note_error(what, exc):
    print(f"  ! {what}: {type(exc).__name__}: {exc}"[:400], file=sys.stderr, flush=True)


# ------------------------------------------------------------------ running


class Cell:
    """Scores and fit times of one model on one set over seeds."""

    def __init__(self):
        self.scores, self.extra, self.times, self.error = [], [], [], None

    def text(self, values=None, fmt=".3f"):
        import numpy as np

        values = self.scores if values is None else values
        if self.error and not values:
            return self.error
        if not values:
            return ""
        values = np.asarray(values, dtype=float)
        text = f"{values.mean():{fmt}} ± {values.std():{fmt}}"
        return text + (f" ({self.error} in some seeds)" if self.error else "")

    def seconds(self):
        import numpy as np

        return f"{np.mean(self.times):.2f}" if self.times else (self.error or "")


def run_classification(name, models, seeds, args):
    import numpy as np

    (train, test), package, paths = load_classification(name)
    (X_train, y_train), (X_test, y_test) = train, test
    lengths = [len(s) for s in X_train + X_test]
    equal = min(lengths) == max(lengths)
    longest = max(lengths)
    flat_train, flat_test = pad_last(X_train, longest), pad_last(X_test, longest)
    # skrnn's input: 2D for equal lengths, a list of 1D arrays otherwise.
    seq_train = flat_train if equal else X_train
    seq_test = flat_test if equal else X_test
    info = {
        "package": package,
        "paths": paths,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "length": str(longest) if equal else f"{min(lengths)}-{longest}",
        "classes": len(np.unique(y_train)),
        "padded": not equal,
    }
    print(
        f"{name}: {info['n_train']}/{info['n_test']}, length {info['length']}, "
        f"{info['classes']} classes, from {package}",
        file=sys.stderr,
        flush=True,
    )
    cells = {}
    for key in models:
        cell = cells[key] = Cell()
        deterministic = key in ("knn", "logreg")
        for seed in seeds[:1] if deterministic else seeds:
            rnn_like = key in ("rnn", "esn")
            Xa, Xb = (seq_train, seq_test) if rnn_like else (flat_train, flat_test)
            try:
                model = make_classifier(key, seed, args)
                start = time.perf_counter()
                model.fit(Xa, y_train)
                cell.times.append(time.perf_counter() - start)
                cell.scores.append(float(np.mean(model.predict(Xb) == y_test)))
            except Exception as exc:  # noqa: BLE001 - a failing row is a result
                cell.error = type(exc).__name__
                note_error(f"{name} {key} seed {seed}", exc)
                continue
            print(
                f"  {name} {key} seed {seed}: {cell.scores[-1]:.3f} "
                f"({cell.times[-1]:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    return info, cells


def run_regression(name, models, seeds, args):
    import numpy as np

    series, package, path = load_series(name)
    _, n_lags, periods = REGRESSION_SETS[name]
    n_test = int(round(TEST_FRACTION * len(series)))
    n_train = len(series) - n_test
    X, y = windows(series, n_lags)
    target_index = np.arange(n_lags, len(series))
    train, test = target_index < n_train, target_index >= n_train
    context = series[n_train - n_lags : n_train]
    truth = series[n_train:]
    info = {
        "package": package,
        "path": path,
        "n": len(series),
        "n_train": n_train,
        "n_test": n_test,
        "n_lags": n_lags,
        "n_windows": int(train.sum()),
    }
    print(
        f"{name}: {len(series)} values, {n_train} to train ({info['n_windows']} "
        f"windows of {n_lags}), {n_test} held out, from {package}",
        file=sys.stderr,
        flush=True,
    )
    rows = {}
    for key in models:
        if key == "naive":
            for label, m in periods.items():
                cell = rows[label] = Cell()
                one_step = series[n_train - m : len(series) - m]
                closed = series[n_train - m + np.arange(n_test) % m]
                cell.scores.append(rmse(one_step, truth))
                cell.extra.append(rmse(closed, truth))
            continue
        cell = rows[key] = Cell()
        for seed in seeds[:1] if key == "ridge" else seeds:
            try:
                model = make_regressor(key, seed, args)
                start = time.perf_counter()
                model.fit(X[train], y[train])
                cell.times.append(time.perf_counter() - start)
                one = rmse(model.predict(X[test]), y[test])
                if key == "ridge":
                    path_ahead = ridge_forecast(model, context, n_test)
                else:
                    path_ahead = np.asarray(model.forecast(context[None, :], n_test))
                    path_ahead = path_ahead.reshape(-1)
                cell.scores.append(one)
                cell.extra.append(rmse(path_ahead, truth))
            except Exception as exc:  # noqa: BLE001 - a failing row is a result
                cell.error = type(exc).__name__
                note_error(f"{name} {key} seed {seed}", exc)
                continue
            print(
                f"  {name} {key} seed {seed}: one-step {cell.scores[-1]:.4g}, "
                f"closed loop {cell.extra[-1]:.4g} ({cell.times[-1]:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    return info, rows


def skrnn_source(commit):
    """Put ``git archive commit skrnn`` first on the path; return the commit."""
    import atexit
    import shutil
    import tempfile

    sha = subprocess.check_output(
        ["git", "-C", str(REPO), "rev-parse", commit], text=True
    ).strip()
    folder = Path(tempfile.mkdtemp(prefix="skrnn-bench-real-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", sha, "skrnn"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    sys.path.insert(0, str(folder))
    return sha


def describe_skrnn(commit):
    import skrnn

    package = Path(skrnn.__file__).resolve().parent
    if commit is None and package != (REPO / "skrnn").resolve():
        # PYTHONPATH or another install: this checkout's git state says
        # nothing about the code that ran.
        where = "not this checkout's working tree"
    elif commit is None:
        sha = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "skrnn"],
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
        where = "working tree at HEAD " + sha[:12]
        if dirty:
            where += " with uncommitted changes in " + ", ".join(dirty)
    else:
        where = f"commit {commit[:12]} (git archive)"
    return f"skrnn {skrnn.__version__} from {package}, {where}"


def print_classification(results, models, seeds, args):
    sets = list(results)
    header = "| model | " + " | ".join(sets) + " |"
    rule = "|---" * (len(sets) + 1) + "|"
    print(f"\nClassification accuracy, mean ± std over seeds {list(seeds)}")
    print(header)
    print(rule)
    for key in models:
        if key == "esn" and not args.has_esn_classifier:
            continue
        cells = [results[s][1][key].text() for s in sets]
        print(f"| {LABELS[key]} | " + " | ".join(cells) + " |")
    for label, values in PUBLISHED.items():
        cells = [f"{values[s]:.3f}" for s in sets]
        print(f"| *{label}* | " + " | ".join(cells) + " |")
    print("\nFit seconds (mean over seeds)")
    print(header)
    print(rule)
    for key in models:
        if key == "esn" and not args.has_esn_classifier:
            continue
        cells = [results[s][1][key].seconds() for s in sets]
        print(f"| {LABELS[key]} | " + " | ".join(cells) + " |")
    print("\nData")
    print("| set | wheel | train/test | length | classes | files |")
    print("|---|---|---|---|---|---|")
    for s in sets:
        info = results[s][0]
        files = ", ".join(
            str(Path(p).relative_to(package_dir(info["package"]).parent))
            for p in info["paths"]
        )
        length = info["length"] + (
            " (padded with last value)" if info["padded"] else ""
        )
        print(
            f"| {s} | {info['package']} | {info['n_train']}/{info['n_test']} | "
            f"{length} | {info['classes']} | {files} |"
        )


def print_regression(results, seeds):
    labels = {
        "ridge": "Ridge()",
        "rnn": "skrnn RNNRegressor",
        "esn": "skrnn EchoStateRegressor",
    }
    print(
        f"\nRegression RMSE on the held-out part, mean ± std over seeds {list(seeds)}"
    )
    print("| series | model | one-step RMSE | closed-loop RMSE | fit s |")
    print("|---|---|---|---|---|")
    for name, (info, rows) in results.items():
        for key, cell in rows.items():
            print(
                f"| {name} | {labels.get(key, key)} | {cell.text(fmt='.4g')} | "
                f"{cell.text(cell.extra, fmt='.4g')} | {cell.seconds() if key in labels else ''} |"
            )
    print("\n| series | wheel | values | train / held out | window | file |")
    print("|---|---|---|---|---|---|")
    for name, (info, _) in results.items():
        file = Path(info["path"]).relative_to(package_dir(info["package"]).parent)
        print(
            f"| {name} | {info['package']} | {info['n']} | {info['n_train']} / "
            f"{info['n_test']} | {info['n_lags']} lags, {info['n_windows']} "
            f"training windows | {file} |"
        )


def main():
    all_sets = list(CLASSIFICATION_SETS) + list(REGRESSION_SETS)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sets", nargs="+", metavar="NAME", default=all_sets)
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="NAME",
        default=None,
        help=f"any of {sorted(set(CLASSIFIERS + REGRESSORS))}",
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-iter", type=int, default=None)
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--esn-param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--commit", default=None, metavar="REV")
    args = parser.parse_args()
    lookup = {s.lower(): s for s in all_sets}
    unknown = [s for s in args.sets if s.lower() not in lookup]
    if unknown:
        parser.error(f"unknown sets {unknown}; choose from {all_sets}")
    args.sets = [lookup[s.lower()] for s in args.sets]
    known_models = set(CLASSIFIERS + REGRESSORS)
    if args.models and set(args.models) - known_models:
        parser.error(f"unknown models; choose from {sorted(known_models)}")
    ensure_venv()

    commit = skrnn_source(args.commit) if args.commit else None
    import numpy as np
    import scipy
    import sklearn
    from threadpoolctl import threadpool_limits

    import skrnn

    args.rnn_params = parse_params(args.param)
    args.esn_params = parse_params(args.esn_param)
    if args.quick:
        args.rnn_params.setdefault("max_iter", 3)
    if args.max_iter is not None:
        args.rnn_params["max_iter"] = args.max_iter
    args.has_esn_classifier = hasattr(skrnn, "EchoStateClassifier")
    seeds = list(range(1 if args.quick else args.seeds))
    chosen = args.models or sorted(known_models)

    start = time.perf_counter()
    print(f"# bench_real_data.py, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(describe_skrnn(commit))
    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn "
        f"{sklearn.__version__}, Python {sys.version.split()[0]}; BLAS: 1 thread"
    )
    print(
        f"seeds {seeds}; RNN parameters {args.rnn_params or 'defaults'}; "
        f"echo state parameters {args.esn_params or 'defaults'}"
        + ("" if args.has_esn_classifier else "; skrnn has no EchoStateClassifier")
    )
    sys.stdout.flush()

    classification, regression = {}, {}
    with threadpool_limits(limits=1):
        for name in args.sets:
            if name in CLASSIFICATION_SETS:
                models = [m for m in CLASSIFIERS if m in chosen]
                if not args.has_esn_classifier:
                    models = [m for m in models if m != "esn"]
                classification[name] = run_classification(name, models, seeds, args)
            else:
                models = [m for m in REGRESSORS if m in chosen]
                regression[name] = run_regression(name, models, seeds, args)
    if classification:
        print_classification(
            classification, [m for m in CLASSIFIERS if m in chosen], seeds, args
        )
    if regression:
        print_regression(regression, seeds)
    print(f"\nWhole run: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
