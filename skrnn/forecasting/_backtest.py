"""Rolling-origin backtest: refit on every past, forecast what followed.

Window ``k`` of ``n_windows`` ends ``(n_windows - 1 - k) * step`` points
before the end of the series: the forecaster is fitted on everything before
its cutoff and forecasts the ``horizon`` points after it (the expanding
window of sktime's ``evaluate`` and of skforecast's backtesting with
``refit=True``). No fit ever sees a value it is scored on, so the errors are
those of a real forecast, and comparing forecasters by them on a training
part leaves a held-out part untouched.
"""

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch

from skrnn.forecasting._forecaster import (
    _check_count,
    _check_coverage,
    _is_collection,
)

__all__ = ["backtest"]


def _take(data, start, stop):
    """``data[start:stop]`` along time, for numpy and pandas alike."""
    return data.iloc[start:stop] if hasattr(data, "iloc") else data[start:stop]


def backtest(forecaster, y, horizon, n_windows=5, *, step=None, X=None, coverage=None):
    """Forecast the last points of ``y`` from several past cutoffs.

    For each of ``n_windows`` cutoffs, a clone of ``forecaster`` is fitted on
    the series up to the cutoff and forecasts the ``horizon`` values after
    it. The last window ends at the end of ``y``; each earlier one ``step``
    points before the next. Use it on the training part only to compare
    forecasters (window lengths, differences, regressors) without touching
    the data you report on.

    Parameters
    ----------
    forecaster : SeriesForecaster
        Any forecaster with ``fit(y, X=None)`` and ``predict(horizon,
        X=None)`` (and ``predict_interval`` for ``coverage``); cloned before
        every fit.
    y : array-like of shape (n_timesteps,) or (n_timesteps, n_targets), \
            pandas Series or DataFrame, or list of those
        The series, as for :meth:`SeriesForecaster.fit`. For a list (a global
        model) the cutoffs count back from the end of every series alike.
    horizon : int
        Number of values forecast after each cutoff.
    n_windows : int, default=5
        Number of cutoffs, hence of fits.
    step : int, default=None
        Points between consecutive cutoffs; None is ``horizon`` (windows
        that do not overlap).
    X : array-like or list, default=None
        Covariates at every step of ``y``; each fit gets those before its
        cutoff and each forecast the ``horizon`` after it.
    coverage : float in (0, 1), default=None
        Also give the prediction intervals of every window at this coverage.
        None sets ``calibration_size=None`` in the clones (when they have
        it): no calibration fits, half the time.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``cutoffs``: ndarray of shape (n_windows,), the number of values
        each window's fit saw; ``y_pred`` and ``y_true``: ndarray of shape
        (n_windows, horizon) or (n_windows, horizon, n_targets);
        ``errors``: ``y_pred - y_true``; with ``coverage``, ``lower`` and
        ``upper`` of the shape of ``y_pred``. For a list ``y``, each is a
        list with one such array per series.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import EchoStateRegressor
    >>> from skrnn.forecasting import SeriesForecaster, backtest
    >>> t = np.arange(120)
    >>> y = 100 + t + 10 * np.sin(2 * np.pi * t / 12)
    >>> esn = EchoStateRegressor(n_reservoir=50, random_state=0)
    >>> result = backtest(SeriesForecaster(esn, differences=1), y, horizon=6,
    ...                   n_windows=3)
    >>> result.cutoffs
    array([102, 108, 114])
    >>> result.y_pred.shape
    (3, 6)
    >>> bool(np.abs(result.errors).max() < 1)
    True
    """
    horizon = _check_count(horizon, "horizon", 1)
    n_windows = _check_count(n_windows, "n_windows", 1)
    step = horizon if step is None else _check_count(step, "step", 1)
    if coverage is not None:
        _check_coverage(coverage)
    collection = _is_collection(y)
    ys = list(y) if collection else [y]
    Xs = [None] * len(ys) if X is None else (list(X) if collection else [X])
    shortest = min(len(s) for s in ys)
    back = horizon + (n_windows - 1) * step  # points after the first cutoff
    if back >= shortest:
        raise ValueError(
            f"{n_windows} windows of horizon={horizon}, step={step} need more "
            f"than {back} values per series; the shortest has {shortest}."
        )
    model = clone(forecaster)
    if coverage is None and "calibration_size" in model.get_params():
        model.set_params(calibration_size=None)
    keys = ["y_pred", "y_true"] + (["lower", "upper"] if coverage else [])
    out = {key: [[] for _ in ys] for key in keys}

    def pack(items):
        """The forecaster's layout: a list for a list ``y``, else one item."""
        return items if collection else items[0]

    for k in range(n_windows):
        ends = [len(s) - back + k * step for s in ys]
        past_X, future_X = None, None
        if X is not None:
            past_X = pack([_take(c, 0, end) for c, end in zip(Xs, ends)])
            future_X = pack([_take(c, end, end + horizon) for c, end in zip(Xs, ends)])
        fitted = clone(model).fit(
            pack([_take(s, 0, end) for s, end in zip(ys, ends)]), X=past_X
        )
        window = {"y_pred": fitted.predict(horizon, X=future_X)}
        if coverage is not None:
            window["lower"], window["upper"] = fitted.predict_interval(
                horizon, X=future_X, coverage=coverage
            )
        window["y_true"] = pack(
            [_take(s, end, end + horizon) for s, end in zip(ys, ends)]
        )
        for key, value in window.items():
            for i, v in enumerate(value if collection else [value]):
                out[key][i].append(np.asarray(v, dtype=np.float64))
    result = {key: [np.stack(windows) for windows in out[key]] for key in keys}
    result["errors"] = [p - t for p, t in zip(result["y_pred"], result["y_true"])]
    result["cutoffs"] = [len(s) - back + step * np.arange(n_windows) for s in ys]
    if not collection:
        result = {key: value[0] for key, value in result.items()}
    return Bunch(**result)
