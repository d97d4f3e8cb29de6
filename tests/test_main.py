"""The demo's command line: ``python -m skrnn``."""

import runpy
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skrnn import RNNClassifier, RNNRegressor
from skrnn.__main__ import compare


def run_module(monkeypatch, capsys, *args):
    """Run ``python -m skrnn ARGS`` in this process as ``-m`` does (runpy),
    with every fit replaced by one that fails loudly; return the exit code,
    the output and the CPU seconds it took."""

    def no_fit(self, *args, **kwargs):
        raise AssertionError("a fit ran")

    for cls in (GridSearchCV, RNNClassifier, RNNRegressor):
        monkeypatch.setattr(cls, "fit", no_fit)
    monkeypatch.setattr(sys, "argv", ["skrnn", *args])
    before = time.process_time()
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("skrnn", run_name="__main__", alter_sys=True)
    cpu = time.process_time() - before
    return exit_.value.code, capsys.readouterr(), cpu


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_prints_usage_and_runs_no_fit(option, monkeypatch, capsys):
    code, printed, cpu = run_module(monkeypatch, capsys, option)
    assert code == 0, printed.err
    assert printed.out.startswith("usage: python -m skrnn")
    assert "grid search over the recurrent cell type" in printed.out
    assert "User guide" in printed.out  # where to read on
    assert "skrnn demo:" not in printed.out  # the demo did not start
    # The demo computes for about a minute; the help only parses its
    # arguments (CPU time, so that a busy machine does not make it fail).
    assert cpu < 5


def test_unknown_option_is_an_error():
    # The one run in a fresh interpreter, exactly as a user types it.
    result = subprocess.run(
        [sys.executable, "-m", "skrnn", "--no-such-option"],
        capture_output=True,
        text=True,
        timeout=120,
    )
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
