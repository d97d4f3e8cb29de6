"""Analytic gradients of the loss against central finite differences."""

import itertools

import numpy as np
import pytest

from skrnn._network import RecurrentNetwork
from skrnn._sequences import Sequences
from skrnn._workspace import Workspace
from skrnn.cells import CELLS

N_SAMPLES, N_STEPS, N_FEATURES, N_OUTPUTS = 4, 5, 2, 3
# Clock periods whose groups update at different, non-nested steps (2 and 3
# over 5 steps), so that skipped updates and non-leading groups are covered.
CELL_OPTIONS = (("clock_periods", (2, 3)),)
LOSSES = {
    "classifier-multiclass": "softmax",
    "classifier-multilabel": "logistic",
    "regressor": "squared",
}


def make_problem(loss, variable_lengths, seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, N_STEPS, N_FEATURES))
    if variable_lengths:
        lengths = np.array([N_STEPS, 2, 1, 4])
    else:
        lengths = np.full(N_SAMPLES, N_STEPS)
    for i, length in enumerate(lengths):
        X[i, length:] = 0
    if loss == "softmax":
        Y = np.eye(N_OUTPUTS)[rng.randint(0, N_OUTPUTS, N_SAMPLES)]
    elif loss == "logistic":
        Y = rng.randint(0, 2, (N_SAMPLES, N_OUTPUTS)).astype(float)
    else:
        Y = rng.normal(size=(N_SAMPLES, N_OUTPUTS))
    weights = rng.uniform(0.5, 1.5, N_SAMPLES)
    return Sequences(X, lengths.astype(np.int64)), Y, weights / weights.sum()


# Directions per parameter array and over the whole vector (see below).
DIRECTIONS_PER_ARRAY, WHOLE_VECTOR_DIRECTIONS = 2, 4


def check_directions(network, seed=0):
    """Random directions for a finite-difference check, one per row.

    Checking every coordinate costs two loss evaluations per parameter
    (hundreds per network). Instead, the derivative is checked along random
    Gaussian directions: ``DIRECTIONS_PER_ARRAY`` supported on each
    parameter array of ``network.layout`` (each layer's and direction's
    ``W``, ``U``, ``b``..., the output and the front end), so that every
    array is checked on its own and a small gradient in one is not drowned
    by a large one elsewhere, plus ``WHOLE_VECTOR_DIRECTIONS`` over all
    parameters. Every coordinate has a nonzero weight in its array's
    directions: an error in any single entry changes their directional
    derivative (``test_every_coordinate_is_checked`` shows it for each).
    """
    rng = np.random.RandomState(seed)
    rows = []
    for _, _, shape, _, offset in network.layout:
        size = int(np.prod(shape))
        for _ in range(DIRECTIONS_PER_ARRAY):
            row = np.zeros(network.n_parameters)
            row[offset : offset + size] = rng.normal(size=size)
            rows.append(row)
    rows.extend(rng.normal(size=(WHOLE_VECTOR_DIRECTIONS, network.n_parameters)))
    return np.array(rows)


def directional_derivatives(loss, flat, directions, eps=1e-6):
    """Central finite differences of ``loss`` along each row of ``directions``."""
    return np.array(
        [(loss(flat + eps * d) - loss(flat - eps * d)) / (2 * eps) for d in directions]
    )


def projection_error(analytic, numeric, directions):
    """Relative error of the analytic gradient's projections on the directions."""
    projected = directions @ analytic
    return np.linalg.norm(projected - numeric) / np.linalg.norm(projected + numeric)


def relative_gradient_error(network, flat, sequences, Y, weights, loss, eps=1e-6):
    def f(theta):
        return network.loss_and_gradient(theta, sequences, Y, weights, loss, 0.01)

    _, analytic = f(flat)
    directions = check_directions(network)
    numeric = directional_derivatives(lambda theta: f(theta)[0], flat, directions, eps)
    return projection_error(analytic, numeric, directions)


@pytest.mark.parametrize(
    "cell, layers, bidirectional, variable_lengths, task",
    list(
        itertools.product(
            sorted(CELLS), [(4,), (4, 2)], [False, True], [False, True], LOSSES
        )
    ),
)
def test_gradient_matches_finite_differences(
    cell, layers, bidirectional, variable_lengths, task
):
    loss = LOSSES[task]
    sequences, Y, weights = make_problem(loss, variable_lengths, seed=len(cell))
    network = RecurrentNetwork(
        cell, N_FEATURES, layers, bidirectional, N_OUTPUTS, CELL_OPTIONS
    )
    rng = np.random.RandomState(0)
    # Perturb the initial parameters so that no gate sits at a special point
    # (zero biases, orthogonal U) where an error could cancel out.
    flat = network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)
    error = relative_gradient_error(network, flat, sequences, Y, weights, loss)
    assert error < 1e-6


# (layers, bidirectional, variable lengths, task, conv_pool): the front end
# alone, then under stacked and bidirectional layers, with and without pooling.
# Kernel 3 over lengths 1 and 2 covers sequences shorter than the kernel;
# pooling by 3 over 5 steps leaves a partial last window.
CONV_CASES = [
    ((4,), False, True, "regressor", 1),
    ((4,), False, False, "classifier-multiclass", 2),
    ((4, 2), True, True, "classifier-multilabel", 2),
    ((4,), True, True, "classifier-multiclass", 3),
]
N_FILTERS = 3


@pytest.mark.parametrize(
    "cell, layers, bidirectional, variable_lengths, task, pool",
    [(cell,) + case for cell in sorted(CELLS) for case in CONV_CASES],
)
def test_conv_front_end_gradient_matches_finite_differences(
    cell, layers, bidirectional, variable_lengths, task, pool
):
    loss = LOSSES[task]
    sequences, Y, weights = make_problem(loss, variable_lengths, seed=len(cell))
    network = RecurrentNetwork(
        cell,
        N_FEATURES,
        layers,
        bidirectional,
        N_OUTPUTS,
        CELL_OPTIONS,
        conv_filters=N_FILTERS,
        conv_kernel_size=3,
        conv_pool=pool,
    )
    rng = np.random.RandomState(0)
    flat = network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)
    error = relative_gradient_error(network, flat, sequences, Y, weights, loss)
    assert error < 1e-6
    # The front end is really in the check: its gradient is not all zero
    # (a dead ReLU everywhere would make the comparison vacuous).
    _, grad = network.loss_and_gradient(flat, sequences, Y, weights, loss, 0.0)
    assert np.abs(network.unpack_conv(grad)["W"]).max() > 1e-3


def test_gradient_check_would_catch_an_error():
    # The same check fails when the analytic gradient is off in one entry:
    # the test above can fail.
    sequences, Y, weights = make_problem("squared", True, seed=0)
    network = RecurrentNetwork("lstm", N_FEATURES, (3,), True, N_OUTPUTS)
    flat = network.initialize(np.random.RandomState(0))
    original = network.loss_and_gradient

    def broken(*args):
        value, grad = original(*args)
        grad[5] += 1e-3
        return value, grad

    network.loss_and_gradient = broken
    error = relative_gradient_error(network, flat, sequences, Y, weights, "squared")
    assert error > 1e-6


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_every_coordinate_is_checked(cell):
    # The directional check misses no entry: an error of 1e-4 of the
    # gradient's norm in any single coordinate, of any array (stacked and
    # bidirectional layers, output, front end), fails it. The full
    # coordinate-by-coordinate check catches 3e-6 and this one 1e-5 at worst
    # over every network of the tests above; correct gradients give 1e-9.
    sequences, Y, weights = make_problem("softmax", True, seed=len(cell))
    options = dict(cell_options=CELL_OPTIONS, conv_filters=N_FILTERS, conv_pool=2)
    network = RecurrentNetwork(cell, N_FEATURES, (4, 2), True, N_OUTPUTS, **options)
    rng = np.random.RandomState(0)
    flat = network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)

    def loss(theta):
        return network.loss_and_gradient(theta, sequences, Y, weights, "softmax", 0)

    _, grad = loss(flat)
    directions = check_directions(network)
    numeric = directional_derivatives(lambda theta: loss(theta)[0], flat, directions)
    assert projection_error(grad, numeric, directions) < 1e-6
    for k in range(network.n_parameters):
        wrong = grad.copy()
        wrong[k] += 1e-4 * np.linalg.norm(grad)
        assert projection_error(wrong, numeric, directions) > 1e-6, k


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize(
    "conv",
    [{}, {"conv_filters": N_FILTERS, "conv_pool": 2}],
    ids=["no-conv", "conv"],
)
@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_padding_does_not_change_loss_or_gradient(cell, conv, pooling):
    # A batch of sequences of different lengths (5, 2, 1, 4) gives the loss
    # and gradient of its sequences run one by one without any padding. The
    # shorter sequences are padded inside the batch's length, where every
    # layer runs (in both directions), and the padding holds large garbage
    # values rather than zeros, then runs on for three more steps: a
    # reversal that ignores lengths, a mask or a pooling that reads the
    # padding, or a last state taken at the wrong step all fail this.
    sequences, Y, weights = make_problem("squared", True, seed=1)
    lengths = sequences.lengths
    rng = np.random.RandomState(2)
    values = np.concatenate(
        [sequences.values, np.zeros((N_SAMPLES, 3, N_FEATURES))], axis=1
    )
    padding = np.arange(values.shape[1]) >= lengths[:, np.newaxis]
    values[padding] = rng.uniform(-50, 50, size=(padding.sum(), N_FEATURES))
    assert padding[:, :N_STEPS].any()  # padding inside the batch's length
    network = RecurrentNetwork(
        cell,
        N_FEATURES,
        (4, 2),
        True,
        N_OUTPUTS,
        CELL_OPTIONS,
        **conv,
        pooling=pooling,
    )
    flat = network.initialize(np.random.RandomState(0))
    loss, grad = network.loss_and_gradient(
        flat, Sequences(values, lengths), Y, weights, "squared", 0
    )
    # The loss is a weighted sum over sequences: the same sum of each alone.
    alone_loss, alone_grad = 0.0, np.zeros_like(flat)
    for i, length in enumerate(lengths):
        alone = Sequences(sequences.values[i : i + 1, :length], lengths[i : i + 1])
        value, gradient = network.loss_and_gradient(
            flat, alone, Y[i : i + 1], weights[i : i + 1], "squared", 0
        )
        alone_loss += value
        alone_grad += gradient
    assert loss == pytest.approx(alone_loss, rel=1e-12)
    np.testing.assert_allclose(grad, alone_grad, rtol=1e-10, atol=1e-14)


def test_conv_gradient_check_would_catch_an_error():
    # A front end whose backward forgets the ReLU fails the check: the conv
    # test above can fail.
    sequences, Y, weights = make_problem("squared", True, seed=0)
    network = RecurrentNetwork(
        "rnn", N_FEATURES, (3,), False, N_OUTPUTS, conv_filters=N_FILTERS, conv_pool=2
    )
    flat = network.initialize(np.random.RandomState(0))
    front_end = network.front_end
    original = front_end.backward

    def without_relu(params, grads, cache, dU):
        columns, A, argmax = cache
        # A pre-activation that is positive everywhere passes every gradient.
        original(params, grads, (columns, np.ones_like(A), argmax), dU)

    front_end.backward = without_relu
    error = relative_gradient_error(network, flat, sequences, Y, weights, "squared")
    assert error > 1e-6


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_float32_gradient_matches_float64(cell):
    # float32 runs its own code paths (sigmoids through tanh, the LSTM's
    # halved gate pre-activations): its loss and gradient agree with the
    # float64 ones that the finite-difference tests check.
    sequences, Y, weights = make_problem("softmax", True, seed=2)
    network = RecurrentNetwork(cell, N_FEATURES, (4, 2), True, N_OUTPUTS, CELL_OPTIONS)
    rng = np.random.RandomState(0)
    flat = network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)
    loss64, grad64 = network.loss_and_gradient(
        flat, sequences, Y, weights, "softmax", 0
    )
    sequences32 = Sequences(sequences.values.astype(np.float32), sequences.lengths)
    loss32, grad32 = network.loss_and_gradient(
        flat.astype(np.float32), sequences32, Y, weights, "softmax", 0
    )
    assert grad32.dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(grad32, grad64, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("bptt_steps", [None, 2])
@pytest.mark.parametrize(
    "conv",
    [{}, {"conv_filters": N_FILTERS, "conv_pool": 2}],
    ids=["no-conv", "conv"],
)
def test_workspace_reuse_gives_the_fresh_result(cell, bptt_steps, conv):
    # A fit takes its large arrays from one Workspace for all minibatches.
    # Whatever a larger, longer or differently padded batch left in them
    # must not reach the next one: every batch gives what fresh arrays give.
    if conv and bptt_steps is not None:
        conv = {**conv, "conv_pool": 1}  # per-step outputs: no pooling
    network = RecurrentNetwork(
        cell,
        N_FEATURES,
        (4, 2),
        bptt_steps is None,
        N_OUTPUTS,
        CELL_OPTIONS,
        return_sequences=bptt_steps is not None,
        **conv,
    )
    rng = np.random.RandomState(0)
    flat = network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)
    workspace = Workspace()
    for seed, variable_lengths, n_samples in [
        (0, True, 4),
        (1, False, 3),
        (2, True, 2),
        (3, False, 4),
        (4, True, 4),
    ]:
        sequences, Y, weights = make_problem("squared", variable_lengths, seed)
        keep = np.arange(n_samples)
        sequences = sequences.take(keep)
        Y, weights = Y[keep], weights[keep]
        if bptt_steps is not None:
            Y = np.repeat(Y[:, np.newaxis], N_STEPS, axis=1)
            weights = np.ones(n_samples) / sequences.lengths.sum()
        args = (flat, sequences, Y, weights, "squared", 0.01, bptt_steps)
        loss_fresh, grad_fresh = network.loss_and_gradient(*args)
        loss_reused, grad_reused = network.loss_and_gradient(*args, workspace)
        assert loss_reused == loss_fresh
        np.testing.assert_array_equal(grad_reused, grad_fresh)


# Pooling over time: (pooling, layers, bidirectional, variable lengths, task,
# conv_pool). Variable lengths put padding inside the pooled window, which a
# pooling that ignored the lengths would read.
POOLING_CASES = [
    ("mean", (4,), False, True, "regressor", 0),
    ("mean", (4, 2), True, True, "classifier-multiclass", 0),
    ("max", (4,), False, True, "classifier-multilabel", 0),
    ("max", (4, 2), True, True, "regressor", 0),
    ("mean", (4,), True, True, "classifier-multiclass", 2),
    ("max", (4,), False, False, "regressor", 2),
]


@pytest.mark.parametrize(
    "cell, pooling, layers, bidirectional, variable_lengths, task, pool",
    [(cell,) + case for cell in sorted(CELLS) for case in POOLING_CASES],
)
def test_pooling_gradient_matches_finite_differences(
    cell, pooling, layers, bidirectional, variable_lengths, task, pool
):
    loss = LOSSES[task]
    sequences, Y, weights = make_problem(loss, variable_lengths, seed=len(cell))
    conv = dict(conv_filters=N_FILTERS, conv_pool=pool) if pool else {}
    network = RecurrentNetwork(
        cell,
        N_FEATURES,
        layers,
        bidirectional,
        N_OUTPUTS,
        CELL_OPTIONS,
        pooling=pooling,
        **conv,
    )
    rng = np.random.RandomState(0)
    flat = network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)
    error = relative_gradient_error(network, flat, sequences, Y, weights, loss)
    assert error < 1e-6


@pytest.mark.parametrize("pooling", ["mean", "max"])
def test_pooling_reads_real_steps_only(pooling):
    """Pooled outputs equal a plain-numpy pooling of each sequence's own
    states (run alone, unpadded), and never see padding."""
    sequences, _, _ = make_problem("regressor", True, seed=3)
    network = RecurrentNetwork("gru", N_FEATURES, (4,), True, 1, pooling=pooling)
    last = RecurrentNetwork("gru", N_FEATURES, (4,), True, 1, return_sequences=True)
    flat = network.initialize(np.random.RandomState(0))
    # The per-step network with an identity read-out of one unit at a time
    # gives the states; pool them by hand.
    layers, output = network.unpack(flat)
    pooled = network.decision(flat, sequences)
    for i, length in enumerate(sequences.lengths):
        alone = Sequences(
            sequences.values[i : i + 1, :length], sequences.lengths[i : i + 1]
        )
        records = network._forward(layers, _sorted(alone))
        states = np.concatenate(
            [records[-1][0][2][1:, 0], records[-1][1][2][1:, 0][::-1]], axis=1
        )
        # Backward direction's states are on its own (reversed) time axis;
        # pooling over time does not care about the order.
        reduce = np.mean if pooling == "mean" else np.max
        expected = reduce(states, axis=0) @ output["W"] + output["b"]
        np.testing.assert_allclose(pooled[i], expected, rtol=1e-10)
    # Changing the padding changes nothing.
    noisy = sequences.values.copy()
    for i, length in enumerate(sequences.lengths):
        noisy[i, length:] = 1e3
    np.testing.assert_array_equal(
        network.decision(flat, Sequences(noisy, sequences.lengths)), pooled
    )
    assert last.n_parameters == network.n_parameters


def _sorted(sequences):
    from skrnn._network import _SortedBatch

    return _SortedBatch(sequences, np.float64)


def test_pooling_refuses_windows():
    sequences, Y, weights = make_problem("regressor", False, seed=0)
    network = RecurrentNetwork(
        "rnn", N_FEATURES, (4,), False, N_OUTPUTS, pooling="mean"
    )
    flat = network.initialize(np.random.RandomState(0))
    with pytest.raises(ValueError, match="pooling='last' with bptt_steps"):
        network.loss_and_gradient(
            flat, sequences, Y, weights, "squared", 0.0, bptt_steps=2
        )
