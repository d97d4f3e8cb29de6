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
