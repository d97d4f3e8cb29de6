"""Gradients of per-step outputs and of truncated backpropagation through time."""

import itertools

import numpy as np
import pytest
from test_gradients import (
    CELL_OPTIONS,
    N_FEATURES,
    N_OUTPUTS,
    N_SAMPLES,
    N_STEPS,
    check_directions,
    directional_derivatives,
    make_problem,
    projection_error,
    relative_gradient_error,
)

from skrnn._network import RecurrentNetwork
from skrnn._sequences import Sequences
from skrnn.cells import CELLS

STEP_LOSSES = {"classifier": "softmax", "regressor": "squared"}


def make_step_problem(loss, variable_lengths, seed):
    """Sequences with one target per step; weights normalised over steps."""
    sequences, _, weights = make_problem(loss, variable_lengths, seed)
    rng = np.random.RandomState(seed + 100)
    if loss == "softmax":
        Y = np.eye(N_OUTPUTS)[rng.randint(0, N_OUTPUTS, (N_SAMPLES, N_STEPS))]
    else:
        Y = rng.normal(size=(N_SAMPLES, N_STEPS, N_OUTPUTS))
    # Targets after a sequence's end must be ignored: make them loud.
    for i, length in enumerate(sequences.lengths):
        Y[i, length:] = 1e6
    weights = weights / np.sum(weights * sequences.lengths)
    return sequences, Y, weights


def perturbed_parameters(network):
    rng = np.random.RandomState(0)
    return network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)


@pytest.mark.parametrize(
    "cell, layers, bidirectional, variable_lengths, task",
    [
        (cell, layers, bidirectional, variable_lengths, task)
        for (cell, layers, bidirectional, variable_lengths), task in zip(
            itertools.product(
                sorted(CELLS), [(4,), (4, 2)], [False, True], [False, True]
            ),
            itertools.cycle(STEP_LOSSES),
        )
    ],
)
def test_per_step_gradient_matches_finite_differences(
    cell, layers, bidirectional, variable_lengths, task
):
    loss = STEP_LOSSES[task]
    sequences, Y, weights = make_step_problem(loss, variable_lengths, seed=len(cell))
    network = RecurrentNetwork(
        cell, N_FEATURES, layers, bidirectional, N_OUTPUTS, CELL_OPTIONS, True
    )
    flat = perturbed_parameters(network)
    error = relative_gradient_error(network, flat, sequences, Y, weights, loss)
    assert error < 1e-6


def truncated_gradient_error(network, flat, sequences, Y, weights, loss, bptt_steps):
    """Compare the truncated gradient with finite differences of the loss in
    which every window starts from the states the unperturbed parameters
    give (the constants truncation treats them as)."""
    frozen = {}
    original = network._final_states
    counter = iter(())

    def frozen_states(records, n):
        k = next(counter)
        if k not in frozen:
            frozen[k] = original(records, n)
        return frozen[k]

    network._final_states = frozen_states

    def f(theta):
        nonlocal counter
        counter = itertools.count()
        return network.loss_and_gradient(
            theta, sequences, Y, weights, loss, 0.01, bptt_steps=bptt_steps
        )

    _, analytic = f(flat)
    directions = check_directions(network)
    numeric = directional_derivatives(lambda theta: f(theta)[0], flat, directions)
    network._final_states = original
    return projection_error(analytic, numeric, directions)


@pytest.mark.parametrize(
    "cell, layers, variable_lengths, return_sequences",
    list(
        itertools.product(sorted(CELLS), [(4,), (4, 2)], [False, True], [False, True])
    ),
)
def test_truncated_gradient_matches_finite_differences(
    cell, layers, variable_lengths, return_sequences
):
    if return_sequences:
        sequences, Y, weights = make_step_problem("squared", variable_lengths, seed=3)
    else:
        sequences, Y, weights = make_problem("squared", variable_lengths, seed=3)
    network = RecurrentNetwork(
        cell, N_FEATURES, layers, False, N_OUTPUTS, CELL_OPTIONS, return_sequences
    )
    flat = perturbed_parameters(network)
    # Windows of 2 steps over 5: three windows, the last one short.
    error = truncated_gradient_error(
        network, flat, sequences, Y, weights, "squared", bptt_steps=2
    )
    assert error < 1e-6
    # Truncation really drops terms: the truncated gradient is not the full one.
    _, full = network.loss_and_gradient(flat, sequences, Y, weights, "squared", 0.01)
    _, truncated = network.loss_and_gradient(
        flat, sequences, Y, weights, "squared", 0.01, bptt_steps=2
    )
    assert np.linalg.norm(full - truncated) > 1e-3 * np.linalg.norm(full)


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("return_sequences", [False, True])
def test_windows_change_nothing_but_the_gradient(cell, return_sequences):
    # Outputs are the same in windows of any length; the gradient is the
    # full one when a window covers the longest sequence.
    if return_sequences:
        sequences, Y, weights = make_step_problem("squared", True, seed=5)
    else:
        sequences, Y, weights = make_problem("squared", True, seed=5)
    network = RecurrentNetwork(
        cell, N_FEATURES, (4, 2), False, N_OUTPUTS, CELL_OPTIONS, return_sequences
    )
    flat = perturbed_parameters(network)
    whole = network.decision(flat, sequences)
    for bptt_steps in (1, 2, 3):
        np.testing.assert_allclose(
            network.decision(flat, sequences, bptt_steps=bptt_steps),
            whole,
            rtol=1e-12,
            atol=1e-14,
        )
    exact = network.loss_and_gradient(flat, sequences, Y, weights, "squared", 0.01)
    for bptt_steps in (N_STEPS, N_STEPS + 3):
        value, grad = network.loss_and_gradient(
            flat, sequences, Y, weights, "squared", 0.01, bptt_steps=bptt_steps
        )
        assert value == pytest.approx(exact[0], rel=1e-12)
        np.testing.assert_allclose(grad, exact[1], rtol=1e-10, atol=1e-14)
    # The loss itself never depends on the windows.
    value, _ = network.loss_and_gradient(
        flat, sequences, Y, weights, "squared", 0.01, bptt_steps=2
    )
    assert value == pytest.approx(exact[0], rel=1e-12)


def test_truncation_needs_one_direction():
    sequences, Y, weights = make_problem("squared", False, seed=0)
    network = RecurrentNetwork("gru", N_FEATURES, (4,), True, N_OUTPUTS)
    flat = network.initialize(np.random.RandomState(0))
    with pytest.raises(ValueError, match="bidirectional"):
        network.loss_and_gradient(
            flat, sequences, Y, weights, "squared", 0, bptt_steps=2
        )


def assert_forecast_continues(network, flat, lengths, n_steps=4):
    """Closed-loop forecasting equals running the network over the context
    extended by its own outputs."""
    rng = np.random.RandomState(0)
    # Two features: the networks here have two outputs to feed back.
    values = rng.normal(size=(len(lengths), lengths.max(), 2))
    for i, length in enumerate(lengths):
        values[i, length:] = 0
    forecast = network.forecast(flat, Sequences(values, lengths), n_steps=n_steps)
    for i, length in enumerate(lengths):
        context = values[i, :length]
        for step in range(n_steps):
            out = network.decision(
                flat, Sequences(context[np.newaxis], np.array([len(context)]))
            )
            np.testing.assert_allclose(
                forecast[i, step], out[0, -1], rtol=1e-10, atol=1e-12
            )
            context = np.vstack([context, out[0, -1]])


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_forecast_continues_the_sequence(cell):
    network = RecurrentNetwork(cell, 2, (4, 2), False, 2, CELL_OPTIONS, True)
    assert_forecast_continues(
        network, perturbed_parameters(network), np.array([5, 3, 5, 1])
    )


# The convolutional front end under per-step outputs, truncated BPTT and
# forecasting. Kernel 3 over lengths 1 and 2 (make_problem's variable
# lengths) covers sequences shorter than the kernel.
CONV = {"conv_filters": 3, "conv_kernel_size": 3}


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("bidirectional", [False, True])
def test_conv_per_step_gradient_matches_finite_differences(cell, bidirectional):
    # Per-step outputs need conv_pool=1: the causal convolution keeps one
    # output per input step.
    loss = STEP_LOSSES["classifier" if bidirectional else "regressor"]
    sequences, Y, weights = make_step_problem(loss, True, seed=len(cell))
    network = RecurrentNetwork(
        cell, N_FEATURES, (4, 2), bidirectional, N_OUTPUTS, CELL_OPTIONS, True, **CONV
    )
    flat = perturbed_parameters(network)
    assert relative_gradient_error(network, flat, sequences, Y, weights, loss) < 1e-6


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize(
    "return_sequences, pool", [(False, 2), (True, 1)], ids=["pooled", "per-step"]
)
def test_conv_truncated_gradient_matches_finite_differences(
    cell, return_sequences, pool
):
    # The front end runs over whole sequences before the windows; its
    # gradient gathers every window's input gradient (no state to truncate).
    if return_sequences:
        sequences, Y, weights = make_step_problem("squared", True, seed=3)
    else:
        sequences, Y, weights = make_problem("squared", True, seed=3)
    network = RecurrentNetwork(
        cell,
        N_FEATURES,
        (4,),
        False,
        N_OUTPUTS,
        CELL_OPTIONS,
        return_sequences,
        conv_pool=pool,
        **CONV,
    )
    flat = perturbed_parameters(network)
    error = truncated_gradient_error(
        network, flat, sequences, Y, weights, "squared", bptt_steps=2
    )
    assert error < 1e-6
    # Windows change no output.
    np.testing.assert_allclose(
        network.decision(flat, sequences, bptt_steps=1),
        network.decision(flat, sequences),
        rtol=1e-12,
        atol=1e-14,
    )


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_conv_forecast_continues_the_sequence(cell):
    # Each fed-back step is convolved with the raw inputs before it; contexts
    # of 1 and 3 steps start the loop shorter than the kernel (4).
    network = RecurrentNetwork(
        cell, 2, (4,), False, 2, CELL_OPTIONS, True, conv_filters=3, conv_kernel_size=4
    )
    assert_forecast_continues(
        network, perturbed_parameters(network), np.array([5, 3, 1])
    )


def test_per_step_outputs_refuse_pooling():
    with pytest.raises(ValueError, match="conv_pool=1"):
        RecurrentNetwork(
            "gru", 2, (4,), False, 2, (), True, conv_filters=3, conv_pool=2
        )
