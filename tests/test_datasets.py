"""The generated benchmark series and the lag-window helper."""

import numpy as np
import pytest

from skrnn.datasets import lag_windows, mackey_glass, narma


def test_mackey_glass_is_deterministic_bounded_and_chaotic():
    series = mackey_glass(1500)
    np.testing.assert_array_equal(series, mackey_glass(1500))
    assert series.shape == (1500,)
    # tanh(x - 1) of the attractor, which lives in roughly (0.4, 1.4).
    assert -0.7 < series.min() < series.max() < 0.5
    assert series.std() > 0.1
    # Seeded histories give different trajectories.
    a = mackey_glass(300, random_state=0)
    b = mackey_glass(300, random_state=1)
    assert not np.allclose(a, b)


def test_mackey_glass_raw_values_and_sampling():
    raw = mackey_glass(200, squash=False, discard=0)
    np.testing.assert_allclose(np.tanh(raw - 1), mackey_glass(200, discard=0))
    fine = mackey_glass(100, sample_every=0.5, discard=0, squash=False)
    np.testing.assert_allclose(fine[::2], raw[:50], rtol=1e-12)
    with pytest.raises(ValueError, match="multiples of dt"):
        mackey_glass(10, tau=17.05)


def mackey_glass_reference(T, tau=17.0, h=0.01, a=0.2, b=0.1, n=10, x0=1.2):
    """x(t) on a grid of step h, integrated independently of skrnn: classic
    RK4 at a tenth of skrnn's step, the constant history x0 on [-tau, 0]."""
    d, steps = int(round(tau / h)), int(round(T / h))
    x = np.empty(d + 1 + steps)
    x[: d + 1] = x0

    def rate(now, delayed):
        return a * delayed / (1 + delayed**n) - b * now

    for i in range(d, d + steps):
        lag0, lag1 = x[i - d], x[i - d + 1]
        lag_half = 0.5 * (lag0 + lag1)
        k1 = rate(x[i], lag0)
        k2 = rate(x[i] + h / 2 * k1, lag_half)
        k3 = rate(x[i] + h / 2 * k2, lag_half)
        k4 = rate(x[i] + h * k3, lag1)
        x[i + 1] = x[i] + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x[d:]  # x[j] is x(j h)


@pytest.mark.parametrize("tau", [17, 30])
def test_mackey_glass_agrees_with_an_independent_integration(tau):
    # skrnn integrates at dt = 0.1; a ten times finer RK4 agrees to about
    # 1e-4 over 100 time units (the error of the coarser step; a wrong
    # coefficient, delay or stage would be off by 1e-2 or more). The k-th
    # sample lies at t = k + dt: sampling starts one integration step after
    # the end of the history.
    reference = mackey_glass_reference(110, tau=tau)
    series = mackey_glass(100, tau=tau, discard=0, squash=False)
    at = np.array([0, 5, 20, 50, 99])
    np.testing.assert_allclose(series[at], reference[at * 100 + 10], atol=2e-4)
    np.testing.assert_allclose(
        mackey_glass(60, tau=tau, discard=40)[:5],
        np.tanh(reference[np.arange(40, 45) * 100 + 10] - 1),
        atol=2e-4,
    )
    assert np.abs(series[at] - reference[at * 100]).max() > 1e-3  # not at t = k


def test_narma_follows_its_recurrence():
    u, y = narma(500, random_state=0)
    assert ((0 <= u) & (u <= 0.5)).all()
    t = np.arange(9, 499)
    window_sums = np.array([y[k - 9 : k + 1].sum() for k in t])
    expected = 0.3 * y[t] + 0.05 * y[t] * window_sums + 1.5 * u[t - 9] * u[t] + 0.1
    np.testing.assert_allclose(y[t + 1], expected)
    np.testing.assert_array_equal(narma(500, random_state=0)[1], y)


def test_lag_windows_univariate_and_multivariate():
    X, y = lag_windows(np.arange(10.0), n_lags=4, horizon=2)
    assert X.shape == (5, 4) and y.shape == (5,)
    np.testing.assert_array_equal(X[1], [1, 2, 3, 4])
    assert y[1] == 6
    X, y = lag_windows(np.arange(20.0).reshape(10, 2), n_lags=3)
    assert X.shape == (7, 3, 2) and y.shape == (7, 2)
    np.testing.assert_array_equal(X[0, 2], [4, 5])
    np.testing.assert_array_equal(y[0], [6, 7])


@pytest.mark.parametrize(
    "series, n_lags, horizon, message",
    [
        (np.arange(3), 3, 1, "too short"),
        (np.arange(10), 0, 1, "at least 1"),
        (np.ones((2, 2, 2)), 1, 1, "1D or 2D"),
    ],
)
def test_lag_windows_errors(series, n_lags, horizon, message):
    with pytest.raises(ValueError, match=message):
        lag_windows(series, n_lags, horizon)
