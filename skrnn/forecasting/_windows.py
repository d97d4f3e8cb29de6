"""Training windows and forecast contexts of transformed series.

Each time step of a series becomes one input step ``[z_t, c_{t+1}]``: the
transformed target(s) at ``t`` and the covariates of the *next* step, whose
values are known when ``z_{t+1}`` is predicted (calendar, prices, weather
forecasts). A window of ``w`` input steps ending at ``t`` is then a complete
description of what is known before ``z_{t+1}``, and in closed loop the
regressor appends ``[ẑ_{t+1}, c_{t+2}]`` from the known future covariates.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["input_steps", "training_windows"]


def input_steps(z, covariates, next_covariates=None):
    """Rows ``[z_t, c_{t+1}]`` of a series, ``(n_timesteps, d + C)``.

    The last row's covariates are ``next_covariates`` (the first future
    values), or NaN when they are not known (at fit time, where that row is
    never a window's step).
    """
    if covariates is None:
        return z
    following = np.empty_like(covariates)
    following[:-1] = covariates[1:]
    following[-1] = np.nan if next_covariates is None else next_covariates
    return np.concatenate([z, following], axis=1)


def training_windows(steps, z, start, window_length, targets, horizon=1):
    """Windows of ``steps`` and their targets from ``z``.

    Parameters
    ----------
    steps : ndarray of shape (n_timesteps, n_features)
    z : ndarray of shape (n_timesteps, d)
        The transformed target(s); NaN before ``start``.
    start : int
        First defined step (the differences' total lag).
    window_length : int
    targets : {"next", "steps", "direct"}
        "next": the value after each window; "steps": the next value at
        every step of the window (for a ``return_sequences`` regressor);
        "direct": the ``horizon`` values after each window.
    horizon : int
        For "direct".

    Returns
    -------
    X : ndarray of shape (n_windows, window_length, n_features)
    Y : ndarray of shape (n_windows, d), (n_windows, window_length, d) or
        (n_windows, horizon * d)
    """
    w = window_length
    ahead = horizon if targets == "direct" else 1
    n_windows = len(z) - start - w - ahead + 1
    if n_windows < 1:
        return None, None
    X = sliding_window_view(steps[start:], w, axis=0)[:n_windows]
    X = np.moveaxis(X, -1, 1)
    if targets == "next":
        Y = z[start + w : start + w + n_windows]
    elif targets == "steps":
        Y = np.moveaxis(sliding_window_view(z[start + 1 :], w, axis=0), -1, 1)
        Y = Y[:n_windows]
    else:
        Y = sliding_window_view(z[start + w :], horizon, axis=0)[:n_windows]
        Y = np.moveaxis(Y, -1, 1).reshape(n_windows, -1)
    return X, Y
