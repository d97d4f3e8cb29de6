"""Closed-loop forecasts with known future covariates (issue 13).

A model trained on steps ``[target, covariates]`` feeds back only its
prediction; the covariates of every fed-back step are the known future
values. The closed loop must equal predicting step by step on the same
inputs, for windows and per-step models of both regressors.
"""

import numpy as np
import pytest

from skrnn import EchoStateRegressor, RNNRegressor

T, W, H = 60, 8, 5


@pytest.fixture(scope="module")
def steps():
    rng = np.random.RandomState(0)
    covariates = rng.normal(size=(T, 2)) * [1.0, 10.0] + [0.0, 50.0]
    y = np.sin(np.arange(T) / 3) + 0.3 * covariates[:, 0]
    return np.column_stack([y, covariates])


def _windows(steps):
    X = np.stack([steps[i : i + W] for i in range(T - W)])
    return X, steps[W:, 0]


def _rnn(**kwargs):
    return RNNRegressor(
        cell="gru", hidden_layer_sizes=(8,), max_iter=5, random_state=0, **kwargs
    )


def _esn(**kwargs):
    return EchoStateRegressor(n_reservoir=40, random_state=0, **kwargs)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", [_rnn, _esn], ids=["rnn", "esn"])
def test_window_model_forecast_equals_step_by_step_predict(steps, make):
    model = make().fit(*_windows(steps))
    contexts = np.stack([steps[10 - W : 10], steps[30 - W : 30]])
    future = np.stack([steps[10 : 10 + H, 1:], steps[30 : 30 + H, 1:]])
    forecast = model.forecast(contexts, H, covariates=future)
    window, expected = contexts.copy(), []
    for s in range(H):
        prediction = model.predict(window)
        expected.append(prediction)
        new = np.concatenate([prediction[:, None], future[:, s]], axis=1)
        window = np.concatenate([window[:, 1:], new[:, None]], axis=1)
    np.testing.assert_allclose(forecast, np.stack(expected, axis=1), rtol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", [_rnn, _esn], ids=["rnn", "esn"])
def test_per_step_model_forecast_equals_step_by_step_predict(steps, make):
    model = make(return_sequences=True).fit(steps[None, :-1], steps[None, 1:, 0])
    # Two contexts of different lengths, forecast together.
    contexts = [steps[:20], steps[:27]]
    future = np.stack([steps[20 : 20 + H, 1:], steps[27 : 27 + H, 1:]])
    forecast = model.forecast(contexts, H, covariates=future)
    for i, context in enumerate(contexts):
        sequence, expected = context[None], []
        for s in range(H):
            prediction = model.predict(sequence)[0, -1]
            expected.append(prediction)
            new = np.concatenate([[prediction], future[i, s]])
            sequence = np.concatenate([sequence, new[None, None]], axis=1)
        np.testing.assert_allclose(forecast[i], expected, rtol=1e-5, atol=1e-6)


def test_covariates_change_the_forecast_only_after_the_first_step(steps):
    model = _esn().fit(*_windows(steps))
    context = steps[None, -W:]
    future = steps[None, :H, 1:]
    shifted = future + [1.0, 5.0]
    a = model.forecast(context, H, covariates=future)
    b = model.forecast(context, H, covariates=shifted)
    # The first prediction reads only the context; the rest read the covariates.
    assert a[0, 0] == b[0, 0]
    assert np.all(a[0, 1:] != b[0, 1:])
    # The last step of the covariates is never read.
    last_changed = future.copy()
    last_changed[:, -1] += 100
    np.testing.assert_array_equal(
        model.forecast(context, H, covariates=last_changed), a
    )


def test_one_covariate_as_2d(steps):
    two = steps[:, :2]
    model = _esn().fit(*_windows(two))
    future = two[None, :H, 1]
    np.testing.assert_array_equal(
        model.forecast(two[None, -W:], H, covariates=future),
        model.forecast(two[None, -W:], H, covariates=future[..., None]),
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", [_rnn, _esn], ids=["rnn", "esn"])
def test_covariate_errors(steps, make):
    model = make().fit(*_windows(steps))
    context = steps[None, -W:]
    with pytest.raises(ValueError, match=r"pass their future values as covariates"):
        model.forecast(context, H)
    with pytest.raises(ValueError, match=r"shape \(1, 5, 2\)"):
        model.forecast(context, H, covariates=np.zeros((1, H - 1, 2)))
    with pytest.raises(ValueError, match=r"shape \(1, 5, 2\)"):
        model.forecast(context, H, covariates=np.zeros((1, H, 1)))
    with pytest.raises(ValueError, match="NaN"):
        model.forecast(context, H, covariates=np.full((1, H, 2), np.nan))
    plain = make().fit(*_windows(steps[:, :1]))
    with pytest.raises(ValueError, match="no covariate features"):
        plain.forecast(steps[None, -W:, :1], H, covariates=np.zeros((1, H, 1)))
