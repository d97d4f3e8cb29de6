"""The precision the recurrent estimators train and predict in (issue 17).

Training runs in the dtype the ``dtype`` hyperparameter gives (float32 for
the stochastic solvers by default, whatever the input); predictions run in
the dtype of the ``X`` they are given, with the parameters cast to it.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import skrnn._recurrent
from skrnn import RNNClassifier, RNNRegressor
from skrnn._training import training_dtype

SMALL = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def sum_task(n=60, T=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, T, 2))
    return X, X.sum(axis=(1, 2))


def labels_task(n=60, T=6, seed=0):
    X, y = sum_task(n, T, seed)
    return X, (y > 0).astype(int) + (y > 2)


@pytest.mark.parametrize(
    "option, solver, input_dtype, expected",
    [
        ("auto", "adam", np.float64, np.float32),
        ("auto", "sgd", np.float64, np.float32),
        ("auto", "adam", np.float32, np.float32),
        ("auto", "lbfgs", np.float64, np.float64),
        ("auto", "lbfgs", np.float32, np.float32),
        ("float64", "adam", np.float32, np.float64),
        ("float32", "lbfgs", np.float64, np.float32),
    ],
)
def test_training_dtype_rule(option, solver, input_dtype, expected):
    assert training_dtype(option, solver, np.dtype(input_dtype)) == expected


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_float64_input_trains_in_float32_and_predicts_in_float64(Estimator, cell):
    X, y = labels_task() if Estimator is RNNClassifier else sum_task()
    model = Estimator(cell=cell, **SMALL).fit(X, y)
    assert model.params_.dtype == np.float32
    assert isinstance(model.loss_, float) and isinstance(model.best_loss_, float)
    method = model.predict_proba if Estimator is RNNClassifier else model.predict
    assert method(X).dtype == np.float64
    assert method(X.astype(np.float32)).dtype == np.float32
    # float64 predictions are the float32-trained network run in float64.
    network = model._network
    raw = network.decision(model.params_.astype(np.float64), model._validated(X))
    if Estimator is RNNRegressor:
        expected = model._outputs(raw).ravel()
        np.testing.assert_allclose(model.predict(X), expected, rtol=1e-14)
    # ... which float32 input gives to float32 rounding.
    np.testing.assert_allclose(method(X.astype(np.float32)), method(X), atol=1e-4)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_float64_predictions_are_batch_invariant(Estimator):
    # scikit-learn's checks compare a sample's prediction alone and in a
    # batch at 1e-7; float32 arithmetic would only agree to about 1e-6.
    X, y = labels_task() if Estimator is RNNClassifier else sum_task()
    model = Estimator(cell="gru", **SMALL).fit(X, y)
    method = model.predict_proba if Estimator is RNNClassifier else model.predict
    together = method(X)
    alone = np.concatenate([method(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-14)
    shuffled = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(method(X[shuffled]), together[shuffled], rtol=1e-12)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_dtype_float64_trains_in_float64(solver):
    X, y = sum_task()
    model = RNNRegressor(dtype="float64", solver=solver, **SMALL)
    model.fit(X.astype(np.float32), y)
    assert model.params_.dtype == np.float64
    # Predictions follow the input, not the parameters.
    assert model.predict(X.astype(np.float32)).dtype == np.float32
    assert model.predict(X).dtype == np.float64


def test_lbfgs_keeps_the_inputs_precision_by_default():
    X, y = sum_task()
    model = RNNRegressor(solver="lbfgs", **SMALL)
    assert model.fit(X, y).params_.dtype == np.float64
    assert model.fit(X.astype(np.float32), y).params_.dtype == np.float32
    assert model.set_params(dtype="float32").fit(X, y).params_.dtype == np.float32


def test_float32_training_matches_float64_training():
    # The same seed and data: float32 training follows float64 training's
    # path to float32 rounding, it does not learn something else.
    X, y = sum_task()
    fast = RNNRegressor(cell="gru", **SMALL).fit(X, y)
    exact = RNNRegressor(cell="gru", dtype="float64", **SMALL).fit(X, y)
    np.testing.assert_allclose(fast.params_, exact.params_, atol=1e-4)
    np.testing.assert_allclose(fast.loss_curve_, exact.loss_curve_, rtol=1e-4)


def test_partial_fit_continues_in_the_training_dtype():
    X, y = labels_task()
    model = RNNClassifier(**SMALL).partial_fit(X, y, classes=[0, 1, 2])
    assert model.params_.dtype == np.float32
    model.partial_fit(X.astype(np.float32), y)
    model.partial_fit(X, y)
    assert model.params_.dtype == model._optimizer.m.dtype == np.float32
    # Changing dtype does not change a model that partial_fit continues.
    model.set_params(dtype="float64").partial_fit(X, y)
    assert model.params_.dtype == np.float32
    exact = RNNClassifier(dtype="float64", **SMALL)
    exact.partial_fit(X.astype(np.float32), y, classes=[0, 1, 2])
    exact.partial_fit(X.astype(np.float32), y)
    assert exact.params_.dtype == exact._optimizer.m.dtype == np.float64


def test_warm_start_fit_continues_from_the_solution_in_the_dtype_it_is_given():
    X, y = sum_task()
    model = RNNRegressor(warm_start=True, dtype="float64", **SMALL).fit(X, y)
    before = model.params_.copy()
    model.set_params(max_iter=1, learning_rate_init=1e-12, dtype="auto").fit(X, y)
    assert model.params_.dtype == np.float32
    # It started from the previous solution (a step of 1e-12 moves nothing).
    np.testing.assert_allclose(model.params_, before, rtol=1e-6, atol=1e-7)


def test_standardisation_statistics_come_from_the_float64_values():
    # 1e8 plus unit noise: float32 spaces its values 8 apart there, so data
    # rounded to float32 before standardising would lose the signal.
    X, y = sum_task()
    model = RNNRegressor(cell="gru", **SMALL).fit(X, y)
    shifted = RNNRegressor(cell="gru", **SMALL).fit(X + 1e8, y + 1e8)
    assert shifted.params_.dtype == np.float32
    assert shifted.input_mean_.dtype == shifted.target_mean_.dtype == np.float64
    np.testing.assert_allclose(shifted.input_mean_, model.input_mean_ + 1e8)
    np.testing.assert_allclose(shifted.params_, model.params_, atol=1e-5)
    np.testing.assert_allclose(
        shifted.predict(X + 1e8) - 1e8, model.predict(X), atol=1e-5
    )


def test_pickle_keeps_the_training_dtype_and_predictions():
    X, y = labels_task()
    model = RNNClassifier(cell="lstm", **SMALL).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert restored.params_.dtype == np.float32
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


def test_memory_estimate_counts_the_training_dtype(monkeypatch):
    needs = []
    monkeypatch.setattr(skrnn._recurrent, "check_memory", lambda n, *_: needs.append(n))
    X, y = sum_task()
    RNNRegressor(max_iter=1, hidden_layer_sizes=(32,)).fit(X, y)
    RNNRegressor(max_iter=1, hidden_layer_sizes=(32,), dtype="float64").fit(X, y)
    fast, exact = needs
    # The parameters and activations take half the bytes; X is held as given.
    assert X.nbytes < fast < exact < 2 * fast


def test_unknown_dtype_is_refused():
    X, y = sum_task()
    with pytest.raises(ValueError, match="dtype"):
        RNNRegressor(dtype="float16").fit(X, y)
