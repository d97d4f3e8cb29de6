"""The classifier's front-end pooling ("auto") and per-sequence standardisation."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from test_gradients import CELL_OPTIONS, LOSSES, relative_gradient_error

from skrnn import RNNClassifier, RNNRegressor
from skrnn._network import RecurrentNetwork
from skrnn._sequences import Sequences, validate_sequences

SMALL = dict(hidden_layer_sizes=(8,), conv_filters=4, max_iter=5, random_state=0)


def labelled_sequences(n=40, T=24, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, T)
    y = (X[:, : T // 2].sum(axis=1) > 0).astype(int)
    return X, y


def fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def test_auto_conv_pool_pools_four_steps_for_one_output_per_sequence():
    X, y = labelled_sequences()
    auto = fit_quietly(RNNClassifier(**SMALL), X, y)
    four = fit_quietly(RNNClassifier(conv_pool=4, **SMALL), X, y)
    one = fit_quietly(RNNClassifier(conv_pool=1, **SMALL), X, y)
    np.testing.assert_array_equal(auto.predict_proba(X), four.predict_proba(X))
    assert not np.allclose(auto.predict_proba(X), one.predict_proba(X))


def test_auto_conv_pool_does_not_pool_per_step_outputs():
    X, _ = labelled_sequences()
    y = (np.cumsum(X, axis=1) > 0).astype(int)
    auto = fit_quietly(RNNClassifier(return_sequences=True, **SMALL), X, y)
    one = fit_quietly(RNNClassifier(return_sequences=True, conv_pool=1, **SMALL), X, y)
    assert auto.predict(X).shape == X.shape
    np.testing.assert_array_equal(auto.predict_proba(X), one.predict_proba(X))
    with pytest.raises(ValueError, match="set conv_pool=1"):
        RNNClassifier(return_sequences=True, conv_pool=2, **SMALL).fit(X, y)


def network_inputs(model, X):
    """What the fitted model's recurrent layers (or front end) read."""
    sequences = validate_sequences(model, X, reset=False)
    values, lengths = model._scale_inputs(sequences)
    return values, lengths


def test_sequence_standardization_reads_shape_level_and_log_scale():
    X, y = labelled_sequences()
    model = fit_quietly(RNNClassifier(standardize="sequence", **SMALL), X, y)
    # The front end reads the shape; the level and log-scale reach the
    # output layer only.
    assert model.conv_weights_["W"].shape[1] == 1
    assert model.output_weights_["S"].shape == (2, 1)
    values, _ = network_inputs(model, X)
    moved, _ = network_inputs(model, 5.0 * X + 3.0)
    # The shape is the same whatever a sequence's level and amplitude ...
    np.testing.assert_allclose(values[:, :, 0], moved[:, :, 0], atol=1e-5)
    np.testing.assert_allclose(values[:, :, 0].std(axis=1), 1.0, rtol=1e-5)
    # ... which the two constant channels carry, in units of the data's
    # spread (after the global centring by m): the level of 5x + 3 is
    # (5 mean + 3 - m) / s, the log-scale grows by log(5).
    m, s = model.input_mean_[0], model.input_scale_[0]
    np.testing.assert_allclose(
        moved[:, :, 1] - 5.0 * values[:, :, 1], (3.0 + 4.0 * m) / s, rtol=1e-4
    )
    np.testing.assert_allclose(moved[:, :, 2] - values[:, :, 2], np.log(5.0), atol=1e-5)


def test_sequence_standardization_ignores_padding():
    X, y = labelled_sequences()
    ragged = [row[: 12 + i % 12] for i, row in enumerate(X)]
    model = fit_quietly(RNNClassifier(standardize="sequence", **SMALL), ragged, y)
    batch = model.predict_proba(ragged)
    alone = np.vstack([model.predict_proba([row]) for row in ragged[:6]])
    np.testing.assert_allclose(batch[:6], alone, rtol=1e-5, atol=1e-6)


def test_regressor_refuses_sequence_standardization():
    X, y = labelled_sequences()
    with pytest.raises(ValueError, match="'standardize' parameter of RNNRegressor"):
        RNNRegressor(standardize="sequence").fit(X, y.astype(float))


# (cell, bidirectional, conv_filters, pooling, per-step outputs)
SIDE_CASES = [
    ("gru", False, 0, "max", False),
    ("lstm", True, 3, "mean", False),
    ("peephole", False, 3, "last", False),
    ("clockwork", True, 0, "last", True),
    ("rnn", False, 0, "last", True),
]


@pytest.mark.parametrize("cell, bidirectional, conv, pooling, per_step", SIDE_CASES)
@pytest.mark.parametrize("task", ["classifier-multiclass", "classifier-multilabel"])
def test_side_features_gradient_matches_finite_differences(
    cell, bidirectional, conv, pooling, per_step, task
):
    # Two shape features and two side features constant over each sequence
    # (level and log-scale), which reach the output layer only.
    loss = LOSSES[task]
    rng = np.random.RandomState(2)
    lengths = np.array([5, 2, 1, 4])
    X = rng.normal(size=(4, 5, 4))
    X[:, :, 2:] = rng.normal(size=(4, 1, 2))
    X *= (np.arange(5) < lengths[:, None])[:, :, None]
    shape = (4, 5) if per_step else (4,)
    if loss == "softmax":
        Y = np.eye(3)[rng.randint(0, 3, shape)]
    else:
        Y = (rng.uniform(size=shape + (3,)) < 0.5).astype(float)
    # Per sequence, normalised over what the loss averages: sequences, or
    # their real steps.
    weights = rng.uniform(0.5, 1.5, 4)
    weights /= weights @ lengths if per_step else weights.sum()
    network = RecurrentNetwork(
        cell,
        4,
        (4,),
        bidirectional,
        3,
        CELL_OPTIONS,
        return_sequences=per_step,
        conv_filters=conv,
        conv_pool=1 if per_step or not conv else 2,
        pooling=pooling,
        side_features=2,
    )
    flat = network.initialize(rng) + rng.normal(scale=0.3, size=network.n_parameters)
    sequences = Sequences(X, lengths)
    assert relative_gradient_error(network, flat, sequences, Y, weights, loss) < 1e-6
