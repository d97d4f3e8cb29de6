"""Benchmark series generated locally (no download), and lag windows.

* :func:`mackey_glass`: the chaotic Mackey-Glass delay differential equation,
  in Jaeger's set-up by default;
* :func:`narma`: the NARMA-10 input/output system;
* :func:`lag_windows`: a series cut into windows of past values and the value
  that follows each window, the 2D layout every skrnn estimator reads.
"""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["lag_windows", "mackey_glass", "narma"]


def _mackey_glass_rate(x, x_delayed, a, b, n):
    return a * x_delayed / (1.0 + x_delayed**n) - b * x


def mackey_glass(
    n_timesteps=3000,
    *,
    tau=17,
    a=0.2,
    b=0.1,
    n=10,
    x0=1.2,
    dt=0.1,
    sample_every=1.0,
    discard=1000,
    squash=True,
    random_state=None,
):
    r"""The Mackey-Glass series.

    .. math::

        \frac{dx}{dt} = a \frac{x(t - \tau)}{1 + x(t - \tau)^n} - b\, x(t)

    integrated with the fourth-order Runge-Kutta method at step ``dt`` (the
    delayed value at half steps is the mean of its neighbours), sampled every
    ``sample_every`` time units. The defaults are Jaeger's (2001) set-up:
    ``tau=17`` (chaotic), one sample per time unit, the transient discarded,
    and the series squashed into (-1, 1) by ``tanh(x - 1)``.

    Parameters
    ----------
    n_timesteps : int, default=3000
        Number of samples returned.
    tau : float, default=17
        Delay, in time units.
    a, b, n : float, default=0.2, 0.1, 10
        Coefficients of the equation.
    x0 : float, default=1.2
        Initial value of the history.
    dt : float, default=0.1
        Integration step; ``tau`` and ``sample_every`` must be multiples of it.
    sample_every : float, default=1.0
        Time between two returned samples.
    discard : int, default=1000
        Number of initial samples (transient) dropped.
    squash : bool, default=True
        Return ``tanh(x - 1)`` instead of ``x``.
    random_state : int, RandomState instance or None, default=None
        With a seed, the initial history is ``x0`` plus small uniform noise,
        so that different seeds give different trajectories; None keeps the
        constant history ``x0`` (deterministic).

    Returns
    -------
    series : ndarray of shape (n_timesteps,)

    Examples
    --------
    >>> from skrnn.datasets import mackey_glass
    >>> series = mackey_glass(500)
    >>> series.shape
    (500,)
    >>> bool(-1 < series.min() < series.max() < 1)
    True
    """
    delay_steps = int(round(tau / dt))
    stride = int(round(sample_every / dt))
    if delay_steps < 1 or stride < 1 or not np.isclose(delay_steps * dt, tau):
        raise ValueError(
            f"tau ({tau}) and sample_every ({sample_every}) must be positive "
            f"multiples of dt ({dt})."
        )
    history = np.full(delay_steps + 1, float(x0))
    if random_state is not None:
        rng = check_random_state(random_state)
        history += rng.uniform(-0.1, 0.1, size=history.shape)
    n_steps = (n_timesteps + discard) * stride
    x = np.empty(delay_steps + 1 + n_steps)
    x[: delay_steps + 1] = history
    for i in range(delay_steps, delay_steps + n_steps):
        lag_now, lag_next = x[i - delay_steps], x[i - delay_steps + 1]
        lag_half = 0.5 * (lag_now + lag_next)
        k1 = _mackey_glass_rate(x[i], lag_now, a, b, n)
        k2 = _mackey_glass_rate(x[i] + 0.5 * dt * k1, lag_half, a, b, n)
        k3 = _mackey_glass_rate(x[i] + 0.5 * dt * k2, lag_half, a, b, n)
        k4 = _mackey_glass_rate(x[i] + dt * k3, lag_next, a, b, n)
        x[i + 1] = x[i] + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    series = x[delay_steps + 1 :: stride][discard : discard + n_timesteps]
    return np.tanh(series - 1.0) if squash else series


def narma(n_timesteps=2000, *, order=10, random_state=None):
    r"""The NARMA input/output system (NARMA-10 by default).

    .. math::

        y_{t+1} = 0.3\, y_t + 0.05\, y_t \sum_{i=0}^{9} y_{t-i}
                  + 1.5\, u_{t-9}\, u_t + 0.1, \qquad u_t \sim U[0, 0.5]

    (with ``order`` in place of 10). The task is to predict ``y`` from ``u``.

    Parameters
    ----------
    n_timesteps : int, default=2000
        Length of both series.
    order : int, default=10
        Memory of the system.
    random_state : int, RandomState instance or None, default=None
        Seeds the input ``u``.

    Returns
    -------
    u : ndarray of shape (n_timesteps,)
        Input.
    y : ndarray of shape (n_timesteps,)
        Output; ``y[t]`` depends on ``u[:t]``.

    Examples
    --------
    >>> from skrnn.datasets import narma
    >>> u, y = narma(1000, random_state=0)
    >>> u.shape, y.shape
    ((1000,), (1000,))
    """
    rng = check_random_state(random_state)
    u = rng.uniform(0, 0.5, size=n_timesteps)
    y = np.zeros(n_timesteps)
    for t in range(order - 1, n_timesteps - 1):
        y[t + 1] = (
            0.3 * y[t]
            + 0.05 * y[t] * y[t - order + 1 : t + 1].sum()
            + 1.5 * u[t - order + 1] * u[t]
            + 0.1
        )
    return u, y


def lag_windows(series, n_lags, horizon=1):
    """Windows of ``n_lags`` past values and the value ``horizon`` steps later.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
        The series.
    n_lags : int
        Length of each window.
    horizon : int, default=1
        How far after the end of a window its target lies.

    Returns
    -------
    X : ndarray of shape (n_windows, n_lags) or (n_windows, n_lags, n_features)
        ``X[i] = series[i : i + n_lags]``: 2D for a univariate series (one
        sequence per row), 3D otherwise.
    y : ndarray of shape (n_windows,) or (n_windows, n_features)
        ``y[i] = series[i + n_lags + horizon - 1]``.

    Examples
    --------
    >>> from skrnn.datasets import lag_windows
    >>> X, y = lag_windows([0, 1, 2, 3, 4, 5], n_lags=3)
    >>> X
    array([[0, 1, 2],
           [1, 2, 3],
           [2, 3, 4]])
    >>> y
    array([3, 4, 5])
    """
    series = np.asarray(series)
    if series.ndim not in (1, 2):
        raise ValueError(f"series must be 1D or 2D, got shape {series.shape}.")
    if n_lags < 1 or horizon < 1:
        raise ValueError(
            f"n_lags and horizon must be at least 1, got {n_lags} and {horizon}."
        )
    n_windows = len(series) - n_lags - horizon + 1
    if n_windows < 1:
        raise ValueError(
            f"A series of {len(series)} steps is too short for windows of "
            f"{n_lags} steps and a horizon of {horizon}."
        )
    windows = np.lib.stride_tricks.sliding_window_view(series, n_lags, axis=0)
    X = windows[:n_windows]
    if series.ndim == 2:
        X = np.moveaxis(X, 2, 1)
    return np.ascontiguousarray(X), series[n_lags + horizon - 1 :][:n_windows]
