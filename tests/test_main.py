"""The demo's command line: ``python -m skrnn``."""

import resource
import subprocess
import sys

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skrnn import RNNClassifier
from skrnn.__main__ import compare

# Run the demo's entry point in a fresh interpreter as ``python -m skrnn``
# does (runpy), with every fit replaced by one that fails loudly: the help
# must come out without anything being trained.
NO_FIT = """
import runpy, sys
from sklearn.model_selection import GridSearchCV
from skrnn import RNNClassifier, RNNRegressor

def no_fit(self, *args, **kwargs):
    raise SystemExit("a fit ran")

for cls in (GridSearchCV, RNNClassifier, RNNRegressor):
    cls.fit = no_fit
sys.argv = ["skrnn", *sys.argv[1:]]
runpy.run_module("skrnn", run_name="__main__", alter_sys=True)
"""


def run(*args, code=None):
    command = [sys.executable, *(["-c", code] if code else ["-m", "skrnn"]), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def cpu_seconds_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_prints_usage_and_runs_no_fit(option):
    before = cpu_seconds_of_children()
    result = run(option, code=NO_FIT)
    cpu = cpu_seconds_of_children() - before
    assert result.returncode == 0, result.stderr
    assert "a fit ran" not in result.stderr
    assert result.stdout.startswith("usage: python -m skrnn")
    assert "grid search over the recurrent cell type" in result.stdout
    assert "User guide" in result.stdout  # where to read on
    assert "skrnn demo:" not in result.stdout  # the demo did not start
    # The demo computes for about a minute; the help only imports skrnn
    # (CPU time, so that a busy machine does not make the test fail).
    assert cpu < 20


def test_unknown_option_is_an_error():
    result = run("--no-such-option")
    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr
    assert "usage: python -m skrnn" in result.stderr
    assert result.stdout == ""


def test_compare_adds_a_baseline_row():
    # The demo's table on a small problem: one row per cell, then the
    # scikit-learn baseline on the flattened input.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 4, 2)).astype(np.float32)
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    rnn = RNNClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0)
    rows, best, test_score, baseline_score = compare(
        rnn, ("LogisticRegression", LogisticRegression()), X, y, n_jobs=1
    )
    names = [name for name, _, _ in rows]
    assert names[-1] == "baseline: LogisticRegression"
    assert best in names[:-1]
    assert all(0 <= score <= 1 for _, score, _ in rows)
    assert 0 <= test_score <= 1 and 0 <= baseline_score <= 1
