"""Invertible target transforms: a pointwise map, then differences.

A series ``y`` goes through ``v_0 = f(y)`` (identity, log or Box-Cox) and
then ``v_{j+1}[t] = v_j[t] - v_j[t - L_j]`` for each lag ``L_j`` (the
seasonal period for a seasonal difference, 1 for a regular one). Every level
is kept aligned with the original time axis, NaN where it is not defined
(its first ``L_0 + ... + L_{j-1}`` steps), so that a forecast from any
origin ``o`` (``y[:o]`` known) is undone from the levels' values just before
``o``:

    v_j[o + i] = v_{j+1}[o + i] + v_j[o + i - L_j],

starting with the forecast itself as the last level, and finally ``y =
f^{-1}(v_0)``.
"""

from numbers import Real

import numpy as np

__all__ = ["TargetTransform"]


class TargetTransform:
    """A pointwise transform followed by differences at the given lags.

    Parameters
    ----------
    transform : None, "log" or float
        None is the identity, "log" the natural logarithm, a float the
        Box-Cox transform ``(y**lmbda - 1) / lmbda`` with that ``lmbda``.
    lags : sequence of int
        One lag per difference, applied in order.
    """

    def __init__(self, transform, lags):
        self.transform = transform
        self.lags = tuple(int(lag) for lag in lags)
        self.offset = sum(self.lags)

    def _pointwise(self, y):
        if self.transform is None:
            return y
        if isinstance(self.transform, str):  # "log"
            return np.log(y)
        lmbda = float(self.transform)
        return np.log(y) if lmbda == 0 else (y**lmbda - 1) / lmbda

    def _pointwise_inverse(self, v):
        if self.transform is None:
            return v
        if isinstance(self.transform, str):
            return np.exp(v)
        lmbda = float(self.transform)
        if lmbda == 0:
            return np.exp(v)
        # Below -1/lmbda (for lmbda > 0) there is no real preimage: the
        # forecast would be nonsense, so it is clipped to the boundary.
        return np.maximum(lmbda * v + 1, 0) ** (1 / lmbda)

    def check(self, y, input_name="y"):
        """Refuse values outside the pointwise transform's domain."""
        if self.transform is None:
            return
        positive = np.all(y > 0)
        if not positive:
            name = "log" if isinstance(self.transform, str) else "Box-Cox"
            raise ValueError(
                f"transform={self.transform!r} needs positive values, but "
                f"{input_name} has {int(np.sum(~(y > 0)))} value(s) <= 0 (the "
                f"smallest is {np.min(y):.6g}); the {name} transform is not "
                "defined there. Shift the series or use transform=None."
            )

    def levels(self, y):
        """``[v_0, ..., v_m]``, each of the shape of ``y`` (time on axis 0)."""
        v = self._pointwise(np.asarray(y, dtype=np.float64))
        levels = [v]
        for lag in self.lags:
            nxt = np.full_like(v, np.nan)
            nxt[lag:] = v[lag:] - v[:-lag]
            levels.append(nxt)
            v = nxt
        return levels

    def inverse(self, levels, origins, forecast):
        """Undo the transform of forecasts made at ``origins``.

        Parameters
        ----------
        levels : list of ndarray of shape (n_timesteps, d)
            The levels of the series the forecasts continue.
        origins : ndarray of int, shape (n,)
            For forecast ``i``, ``y[:origins[i]]`` is known.
        forecast : ndarray of shape (n, horizon, d)
            Forecasts of the last level.

        Returns
        -------
        ndarray of shape (n, horizon, d)
            Forecasts of ``y``.
        """
        z = forecast
        horizon = z.shape[1]
        for lag, level in zip(self.lags[::-1], levels[-2::-1]):
            # The lag values of this level before each origin, then the
            # forecast continues them lag by lag.
            history = level[origins[:, np.newaxis] + np.arange(-lag, 0)]
            extended = np.concatenate([history, np.empty_like(z)], axis=1)
            for i in range(horizon):
                extended[:, lag + i] = z[:, i] + extended[:, i]
            z = extended[:, lag:]
        return self._pointwise_inverse(z)


def check_transform(transform):
    """None, "log" or a finite float (a Box-Cox lambda)."""
    if transform is None or (isinstance(transform, str) and transform == "log"):
        return
    if (
        isinstance(transform, Real)
        and not isinstance(transform, bool)
        and np.isfinite(transform)
    ):
        return
    raise ValueError(
        "transform must be None, 'log' or a float (the lambda of a Box-Cox "
        f"transform), got {transform!r}."
    )
