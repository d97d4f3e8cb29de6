"""The output layer's direct input window (``input_window``)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from test_gradients import (
    CELL_OPTIONS,
    LOSSES,
    N_FEATURES,
    N_OUTPUTS,
    make_problem,
    relative_gradient_error,
)

from skrnn import RNNClassifier, RNNRegressor
from skrnn._network import RecurrentNetwork
from skrnn._sequences import Sequences


def fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


# (cell, bidirectional, conv_filters, pooling, window): windows longer than
# some sequences (lengths 1 and 2 of make_problem's variable lengths), under
# a bidirectional layer, the front end and pooling over time.
GRADIENT_CASES = [
    ("gru", False, 0, "last", 3),
    ("lstm", True, 0, "last", 5),
    ("rnn", False, 3, "max", 2),
    ("peephole", True, 3, "mean", 4),
    ("clockwork", False, 0, "last", 1),
]


@pytest.mark.parametrize("cell, bidirectional, conv, pooling, window", GRADIENT_CASES)
@pytest.mark.parametrize("task", sorted(LOSSES))
def test_window_gradient_matches_finite_differences(
    cell, bidirectional, conv, pooling, window, task
):
    loss = LOSSES[task]
    sequences, Y, weights = make_problem(loss, variable_lengths=True, seed=1)
    network = RecurrentNetwork(
        cell,
        N_FEATURES,
        (4,),
        bidirectional,
        N_OUTPUTS,
        CELL_OPTIONS,
        conv_filters=conv,
        conv_pool=2 if conv else 1,
        pooling=pooling,
        input_window=window,
    )
    rng = np.random.RandomState(0)
    flat = network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)
    assert relative_gradient_error(network, flat, sequences, Y, weights, loss) < 1e-6


def test_window_reads_the_last_real_steps_and_is_not_penalised():
    network = RecurrentNetwork("gru", 1, (3,), False, 1, input_window=3)
    flat = network.initialize(np.random.RandomState(0))
    _, output = network.unpack(flat)
    output["V"][:, 0] = [1.0, 10.0, 100.0]  # oldest to newest step
    values = np.zeros((2, 4, 1))
    values[0, :, 0] = [1, 2, 3, 4]
    values[1, :2, 0] = [5, 6]  # two real steps; the window's first is zero
    sequences = Sequences(values, np.array([4, 2]))
    base = network.decision(flat - _only_V(network, flat), sequences)
    raw = network.decision(flat, sequences)
    np.testing.assert_allclose(raw - base, [[2 + 30 + 400], [0 + 50 + 600]])
    # The window's weights are not penalised (like biases).
    V_start = [o for key, name, _, _, o in network.layout if name == "V"][0]
    assert not network.weight_mask[V_start : V_start + 3].any()


def _only_V(network, flat):
    """``flat`` with every entry zero but the window's weights."""
    out = np.zeros_like(flat)
    for key, name, shape, _, offset in network.layout:
        if name == "V":
            size = int(np.prod(shape))
            out[offset : offset + size] = flat[offset : offset + size]
    return out


def test_auto_window_reads_short_lag_windows_only():
    rng = np.random.RandomState(0)
    y = rng.randn(30)
    short = fit_quietly(RNNRegressor(max_iter=2, random_state=0), rng.randn(30, 10), y)
    assert short.input_window_ == 10
    long = fit_quietly(
        RNNRegressor(max_iter=2, random_state=0), rng.randn(30, 20, 2), y
    )
    assert long.input_window_ == 0  # 40 values
    fixed = fit_quietly(
        RNNRegressor(max_iter=2, input_window=3, random_state=0),
        rng.randn(30, 20, 2),
        y,
    )
    assert fixed.input_window_ == 3
    per_step = fit_quietly(
        RNNRegressor(max_iter=2, return_sequences=True, random_state=0),
        rng.randn(30, 5),
        rng.randn(30, 5),
    )
    assert per_step.input_window_ == 0
    classifier = fit_quietly(
        RNNClassifier(max_iter=2, random_state=0), rng.randn(30, 10), y > 0
    )
    assert classifier.input_window_ == 0


def test_partial_fit_keeps_the_first_window():
    rng = np.random.RandomState(0)
    model = RNNRegressor(random_state=0)
    # Lists of varying lengths: sequences of one feature (a list of equal
    # lengths would read as a 2D array of columns).
    model.partial_fit([rng.randn(6 + i % 3) for i in range(30)], rng.randn(30))
    assert model.input_window_ == 8
    # Shorter sequences later: the window stays (their missing steps are zero).
    model.partial_fit([rng.randn(4 + i % 2) for i in range(30)], rng.randn(30))
    assert model.input_window_ == 8


def test_window_learns_an_autoregression_and_forecasts_with_it():
    rng = np.random.RandomState(0)
    series = np.zeros(400)
    for t in range(2, 400):
        series[t] = 1.2 * series[t - 1] - 0.5 * series[t - 2] + rng.normal()
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 6)
    y = series[6:]
    scores = {}
    for window in ("auto", 0):
        model = RNNRegressor(
            hidden_layer_sizes=(4,),
            input_window=window,
            max_iter=15,
            learning_rate_init=1e-2,
            random_state=0,
        )
        scores[window] = fit_quietly(model, X[:300], y[:300]).score(X[300:], y[300:])
        first = model.forecast(X[300:305], 3)[:, 0]
        np.testing.assert_allclose(first, model.predict(X[300:305]), rtol=1e-6)
    # Fifteen epochs: the window has much of the autoregression (Ridge on
    # the windows scores 0.72), the recurrent layer alone a quarter.
    assert scores["auto"] > 0.5
    assert scores["auto"] > scores[0] + 0.15
